package dev.analytics4j.spark;

import dev.analytics4j.internal.RateLimiter;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.types.StructType;

/** Shipped to the executors; makes one {@link AnalyticsDataWriter} per task attempt. */
final class AnalyticsWriterFactory implements DataWriterFactory {
  private static final long serialVersionUID = 1L;

  private final WriterOptions options;
  private final StructType schema;
  private final String queryId;
  private final double ratePerTask;
  private final Map<String, String> hadoopConf;

  AnalyticsWriterFactory(WriterOptions options, StructType schema, String queryId, double ratePerTask,
      Map<String, String> hadoopConf) {
    this.options = options;
    this.schema = schema;
    this.queryId = queryId;
    this.ratePerTask = ratePerTask;
    this.hadoopConf = hadoopConf;
  }

  @Override
  public DataWriter<InternalRow> createWriter(int partitionId, long taskId) {
    TaskContext context = TaskContext.get();
    int attempt = context == null ? 0 : context.attemptNumber();
    TaskCounts counts = new TaskCounts(partitionId, taskId, attempt);
    RejectsFile rejects = new RejectsFile(options.rejectsPath, hadoopConf, queryId, partitionId, taskId);
    return new AnalyticsDataWriter(options, schema, counts, ratePerTask, rejects, RateLimiter.Clock.SYSTEM);
  }
}
