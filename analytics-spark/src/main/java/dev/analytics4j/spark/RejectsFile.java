package dev.analytics4j.spark;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import okio.Buffer;
import okio.BufferedSink;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task attempt's record of what it could not send: rejected rows and the messages the client
 * gave up on, one JSON object a line, in {@code <rejectsPath>/_temporary/<queryId>/}. The driver
 * publishes the files of committed attempts only ({@link Rejects#publish}). Without a rejects path
 * the records go to the log (the first few of each task) and are counted all the same. Callbacks
 * write here from the client's threads, hence the lock.
 */
final class RejectsFile {
  private static final Logger logger = LoggerFactory.getLogger(RejectsFile.class);
  private static final int LOGGED_WITHOUT_PATH = 10;

  private final @Nullable Path path;
  private final @Nullable String rejectsPath;
  private final Map<String, String> hadoopConf;
  private final String queryId;
  private final int partitionId;
  private final long taskId;
  private @Nullable OutputStream out;
  private long records;
  /** After commit or abort: a late report (close's stragglers) must not bring the file back. */
  private boolean finished;
  /**
   * The first write that failed. A failure inside the client's callback (a message it failed or
   * dropped) cannot fail the task there, since the client catches what a callback throws: commit
   * throws it instead, so that the attempt does not count with a line missing from its file.
   */
  private @Nullable IOException failure;

  RejectsFile(@Nullable String rejectsPath, Map<String, String> hadoopConf, String queryId, int partitionId,
      long taskId) {
    this.path = rejectsPath == null ? null
        : new Path(Rejects.temporaryDir(rejectsPath, queryId), "part-" + partitionId + "-task-" + taskId + ".jsonl");
    this.rejectsPath = rejectsPath;
    this.hadoopConf = hadoopConf;
    this.queryId = queryId;
    this.partitionId = partitionId;
    this.taskId = taskId;
  }

  /** A row that could not become a message; {@code row} holds its values, rendered leniently. */
  synchronized void rejected(RejectedValueException reason, Map<String, @Nullable Object> row) {
    Buffer line = new Buffer();
    try (JsonWriter json = JsonWriter.of(line)) {
      json.beginObject();
      json.name("partition").value(partitionId);
      json.name("outcome").value("rejected");
      json.name("reason").value(reason.getMessage());
      json.name("row");
      write(json, row);
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    append(line);
  }

  /** A message the client failed or dropped, as it was sent (or would have been). */
  synchronized void undelivered(String outcome, String reason, String messageJson) {
    Buffer line = new Buffer();
    try (JsonWriter json = JsonWriter.of(line)) {
      json.beginObject();
      json.name("partition").value(partitionId);
      json.name("outcome").value(outcome);
      json.name("reason").value(reason);
      json.name("message");
      try (BufferedSink sink = json.valueSink()) {
        sink.writeUtf8(messageJson);
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    append(line);
  }

  private void append(Buffer line) {
    if (finished) {
      logger.debug("analytics4j: partition {} reported after its attempt ended: {}", partitionId, line.readUtf8());
      return;
    }
    records++;
    if (path == null) {
      if (records <= LOGGED_WITHOUT_PATH) {
        logger.warn("analytics4j: not sent (set option rejectsPath to keep every such row): {}", line.readUtf8());
      }
      return;
    }
    try {
      if (out == null) out = fileSystem().create(path, false);
      line.writeByte('\n');
      line.writeTo(out);
    } catch (IOException e) {
      // The rows are counted in any case; failing the task makes Spark retry it (same ids).
      if (failure == null) failure = e;
      throw new UncheckedIOException("could not write the rejects file " + path, e);
    }
  }

  private FileSystem fileSystem() throws IOException {
    return path.getFileSystem(Rejects.configuration(hadoopConf));
  }

  /**
   * Closes the file; returns its path when it holds anything, for the driver to publish. Throws when
   * a line could not be written, even one the client's callback wrote (and the client swallowed).
   */
  synchronized @Nullable String commit() {
    finished = true;
    if (failure != null) {
      throw new UncheckedIOException("could not write the rejects file " + path + ", so this attempt does not "
          + "count; Spark runs the task again, with the same messageIds", failure);
    }
    if (out == null) return null;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not close the rejects file " + path, e);
    } finally {
      out = null;
    }
    return path.toString();
  }

  /** True when the driver has written the job's summary: the job has ended, and no commit counts now. */
  boolean summaryWritten() {
    if (rejectsPath == null) return false;
    try {
      Path summary = Rejects.summaryFile(rejectsPath, queryId);
      return summary.getFileSystem(Rejects.configuration(hadoopConf)).exists(summary);
    } catch (IOException e) {
      logger.debug("analytics4j: could not look for the summary of {}", queryId, e);
      return false;
    }
  }

  /**
   * For an attempt that committed after its job ended: the driver never publishes its file, so the
   * attempt moves the file it committed ({@code committed}, from {@link #commit()}) next to the
   * published ones itself, as {@code rejects-<queryId>-late-part-<n>-task-<t>.jsonl}, and removes the
   * job's temporary directory once empty. Returns where the records are: the new path, or the old one
   * when the move failed (a file of that name exists, or the file system refused).
   */
  String keepLate(String committed) {
    Path root = new Path(Objects.requireNonNull(rejectsPath));
    Path target = new Path(root, String.format("rejects-%s-late-part-%05d-task-%d.jsonl", queryId, partitionId, taskId));
    try {
      FileSystem fs = root.getFileSystem(Rejects.configuration(hadoopConf));
      // Checked first: the local file system's rename replaces an existing file (HDFS's refuses).
      if (fs.exists(target) || !fs.rename(new Path(committed), target)) return committed;
      Path temporary = Rejects.temporaryDir(rejectsPath, queryId);
      Rejects.deleteIfEmpty(fs, temporary);
      Rejects.deleteIfEmpty(fs, temporary.getParent());
      return target.toString();
    } catch (IOException e) {
      logger.debug("analytics4j: could not move {} to {}", committed, target, e);
      return committed;
    }
  }

  /** Closes and deletes the file: an attempt that did not commit does not count. */
  synchronized void abort() {
    finished = true;
    if (out == null) return;
    try {
      out.close();
      fileSystem().delete(path, false);
    } catch (IOException e) {
      logger.warn("analytics4j: could not delete {}, which belongs to a task attempt that did not commit; "
          + "the driver deletes it with the job's temporary directory", path, e);
    } finally {
      out = null;
    }
  }

  @SuppressWarnings("unchecked")
  private static void write(JsonWriter json, @Nullable Object value) throws IOException {
    if (value == null) {
      json.nullValue();
    } else if (value instanceof Map) {
      json.beginObject();
      for (Map.Entry<String, @Nullable Object> e : ((Map<String, @Nullable Object>) value).entrySet()) {
        json.name(e.getKey());
        write(json, e.getValue());
      }
      json.endObject();
    } else if (value instanceof Collection) {
      json.beginArray();
      for (Object item : (Collection<?>) value) write(json, item);
      json.endArray();
    } else if (value instanceof Boolean) {
      json.value((Boolean) value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) json.value(d);
      else json.value(String.valueOf(d));
    } else if (value instanceof BigDecimal) {
      json.value(((BigDecimal) value).toPlainString());
    } else if (value instanceof Number) {
      json.value(((Number) value).longValue());
    } else {
      json.value(value.toString());
    }
  }

  static Map<String, String> copy(Configuration conf) {
    Map<String, String> map = new HashMap<>();
    for (Map.Entry<String, String> e : conf) map.put(e.getKey(), e.getValue());
    return map;
  }
}
