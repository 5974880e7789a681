package dev.analytics4j.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of a write: splits the rate budget over the task attempts that can run at once,
 * and adds up the committed tasks' counts into the job summary, logged on commit and on abort alike.
 * Nothing is rolled back: a message sent stays sent.
 */
final class AnalyticsBatchWrite implements BatchWrite {
  private static final Logger logger = LoggerFactory.getLogger(AnalyticsBatchWrite.class);

  private final WriterOptions options;
  private final StructType schema;
  private final String queryId;
  private int partitions;
  private Map<String, String> hadoopConf = Map.of();

  AnalyticsBatchWrite(WriterOptions options, StructType schema, String queryId) {
    this.options = options;
    this.schema = schema;
    this.queryId = queryId;
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    SparkContext spark = SparkContext.getOrCreate();
    partitions = info.numPartitions();
    int concurrent = concurrentAttempts(options.concurrentTasks, spark.defaultParallelism(), spark.getConf(),
        partitions);
    double perTask = options.rateLimit == 0 ? 0 : options.rateLimit / concurrent;
    if (options.rejectsPath != null) {
      hadoopConf = RejectsFile.copy(spark.hadoopConfiguration());
      Rejects.checkDirectory(options.rejectsPath, hadoopConf);
    }
    logger.info("analytics4j write {}: {} partitions, at most {} task attempts at once, {}; {}", queryId,
        partitions, concurrent, perTask == 0 ? "no rate limit" : String.format("%.1f messages/s each", perTask),
        options);
    return new AnalyticsWriterFactory(options, schema, queryId, perTask, hadoopConf);
  }

  /**
   * How many task attempts may send at once. Each attempt, speculative ones included, holds a task
   * slot, so the slots bound them ({@code concurrentTasks}, else the cluster's default parallelism,
   * which is its cores unless {@code spark.default.parallelism} says otherwise); fewer partitions than
   * slots bound them too, doubled when speculation may run a second attempt of each.
   */
  static int concurrentAttempts(int concurrentTasks, int defaultParallelism, SparkConf conf, int partitions) {
    int slots = concurrentTasks > 0 ? concurrentTasks : Math.max(1, defaultParallelism / taskCpus(conf));
    long attempts = conf.getBoolean("spark.speculation", false) ? 2L * partitions : partitions;
    return (int) Math.max(1, Math.min(slots, attempts));
  }

  private static int taskCpus(SparkConf conf) {
    return Math.max(1, conf.getInt("spark.task.cpus", 1));
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    finish(messages, false);
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    finish(messages, true);
  }

  private void finish(@Nullable WriterCommitMessage[] messages, boolean aborted) {
    JobSummary summary = new JobSummary(queryId, partitions, messages);
    String line = summary.describe(aborted);
    if (aborted || summary.rejected + summary.failed + summary.dropped > 0) {
      logger.warn(line);
    } else {
      logger.info(line);
    }
    if (summary.duplicateIds > 0) {
      logger.warn("analytics4j write {}: {} rows had the messageId of an earlier row of their task (identical "
          + "rows get identical ids, and the API keeps one): add a messageId column, or name the columns that "
          + "identify an event with option keyColumns", queryId, summary.duplicateIds);
    }
    if (options.rejectsPath != null) {
      Rejects.publish(options.rejectsPath, hadoopConf, summary, messages, aborted);
    }
  }
}
