package dev.analytics4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jspecify.annotations.Nullable;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's side of the rejects path: moves the files of committed task attempts to
 * {@code rejects-<queryId>-part-<n>.jsonl}, deletes the job's own temporary directory (the attempts
 * that did not commit), and writes {@code summary-<queryId>.json}. It never replaces a file.
 */
final class Rejects {
  private static final Logger logger = LoggerFactory.getLogger(Rejects.class);

  private Rejects() {}

  static Path temporaryDir(String rejectsPath, String queryId) {
    return new Path(new Path(rejectsPath, "_temporary"), queryId);
  }

  static Path summaryFile(String rejectsPath, String queryId) {
    return new Path(rejectsPath, "summary-" + queryId + ".json");
  }

  /** Deletes {@code dir} when it exists and is empty (others may be writing in it: then it stays). */
  static void deleteIfEmpty(FileSystem fs, Path dir) throws IOException {
    if (fs.exists(dir) && fs.listStatus(dir).length == 0) fs.delete(dir, false);
  }

  /**
   * Fails, naming the option, when {@code rejectsPath} cannot hold the files: before any row is sent,
   * rather than at the commit, once every message has gone out.
   */
  static void checkDirectory(String rejectsPath, Map<String, String> hadoopConf) {
    Path root;
    try {
      root = new Path(rejectsPath);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option rejectsPath is not a path: " + rejectsPath + " (" + e.getMessage() + ")", e);
    }
    try {
      FileSystem fs = root.getFileSystem(configuration(hadoopConf));
      if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
        throw new IllegalArgumentException("option rejectsPath must be a directory, but " + rejectsPath + " is a file");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("option rejectsPath cannot be used: " + rejectsPath + " (" + e + ")", e);
    }
  }

  static Configuration configuration(Map<String, String> entries) {
    Configuration conf = new Configuration(false);
    entries.forEach(conf::set);
    return conf;
  }

  static void publish(String rejectsPath, Map<String, String> hadoopConf, JobSummary summary,
      @Nullable WriterCommitMessage[] messages, boolean aborted) {
    Path root = new Path(rejectsPath);
    try {
      FileSystem fs = root.getFileSystem(configuration(hadoopConf));
      fs.mkdirs(root);
      for (WriterCommitMessage message : messages) {
        if (!(message instanceof TaskCounts)) continue;
        TaskCounts task = (TaskCounts) message;
        if (task.rejectsFile == null) continue;
        Path target = new Path(root, String.format("rejects-%s-part-%05d.jsonl", summary.queryId, task.partitionId));
        // Checked first: the local file system's rename replaces an existing file (HDFS's refuses).
        if (fs.exists(target) || !fs.rename(new Path(task.rejectsFile), target)) {
          throw new IOException("could not move " + task.rejectsFile + " to " + target + " (does it exist already?)");
        }
      }
      Path temporary = temporaryDir(rejectsPath, summary.queryId);
      FileStatus[] left = fs.exists(temporary) ? fs.listStatus(temporary) : new FileStatus[0];
      if (aborted && left.length > 0) {
        // An aborted job can leave attempts running (Spark does not interrupt a commit): their files
        // are all they have. One that commits later moves its file out itself (RejectsFile.keepLate).
        logger.warn("analytics4j write {}: kept {} file(s) in {}, of task attempts that had not ended when the job "
            + "aborted: an attempt that commits later moves its rejects to rejects-{}-late-*.jsonl and logs its "
            + "counts (WARN on its executor); delete what is left once no task of the job runs", summary.queryId,
            left.length, temporary, summary.queryId);
      } else {
        fs.delete(temporary, true);
        deleteIfEmpty(fs, temporary.getParent());
      }
      try (OutputStream out = fs.create(summaryFile(rejectsPath, summary.queryId), false)) {
        out.write(summary.json(aborted).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("analytics4j could not publish the rejects of " + summary.queryId + " in "
          + rejectsPath, e);
    }
    logger.info("analytics4j: rejects and summary of {} are in {}", summary.queryId, rejectsPath);
  }
}
