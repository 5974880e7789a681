package dev.analytics4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
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
        if (!fs.rename(new Path(task.rejectsFile), target)) {
          throw new IOException("could not move " + task.rejectsFile + " to " + target + " (does it exist already?)");
        }
      }
      Path temporary = temporaryDir(rejectsPath, summary.queryId);
      fs.delete(temporary, true);
      Path parent = temporary.getParent();
      if (fs.exists(parent) && fs.listStatus(parent).length == 0) fs.delete(parent, false);
      try (OutputStream out = fs.create(new Path(root, "summary-" + summary.queryId + ".json"), false)) {
        out.write(summary.json(aborted).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("analytics4j could not publish the rejects of " + summary.queryId + " in "
          + rejectsPath, e);
    }
    logger.info("analytics4j: rejects and summary of {} are in {}", summary.queryId, rejectsPath);
  }
}
