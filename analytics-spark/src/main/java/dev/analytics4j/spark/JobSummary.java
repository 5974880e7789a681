package dev.analytics4j.spark;

import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import okio.Buffer;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.jspecify.annotations.Nullable;

/** The job's counts: the sum of the committed tasks' {@link TaskCounts}. */
final class JobSummary {
  final String queryId;
  final int partitions;
  int committedTasks;
  long rows;
  long rejected;
  long delivered;
  long failed;
  long dropped;
  long duplicateIds;
  boolean duplicatesPartial;
  final Map<String, Long> reasons = new TreeMap<>();

  JobSummary(String queryId, int partitions, @Nullable WriterCommitMessage[] messages) {
    this.queryId = queryId;
    this.partitions = partitions;
    for (WriterCommitMessage message : messages) {
      if (!(message instanceof TaskCounts)) continue;
      TaskCounts task = (TaskCounts) message;
      committedTasks++;
      rows += task.rows;
      rejected += task.rejected;
      delivered += task.delivered;
      failed += task.failed;
      dropped += task.dropped;
      duplicateIds += task.duplicateIds;
      duplicatesPartial |= task.duplicatesPartial;
      task.reasons.forEach((reason, n) -> reasons.merge(reason, n, Long::sum));
    }
  }

  /** One line for the driver's log. */
  String describe(boolean aborted) {
    StringBuilder s = new StringBuilder("analytics4j write ").append(queryId)
        .append(aborted ? " ABORTED" : " committed").append(": ")
        .append(committedTasks).append(" of ").append(partitions).append(" tasks committed; rows=").append(rows)
        .append(", delivered=").append(delivered).append(", rejected=").append(rejected)
        .append(", failed=").append(failed).append(", dropped=").append(dropped)
        .append(", rows sharing an id within their task=").append(duplicateIds).append(duplicatesPartial ? "+" : "");
    if (!reasons.isEmpty()) s.append("; reasons: ").append(reasons);
    if (aborted) {
      s.append("; the rows of tasks that did not commit may have been sent too (delivery is at least once and"
          + " never rolled back), and a task still running logs its own counts when it ends: re-run the job,"
          + " the ids are the same");
    }
    return s.toString();
  }

  String json(boolean aborted) {
    Buffer buffer = new Buffer();
    try (JsonWriter json = JsonWriter.of(buffer)) {
      json.setIndent("  ");
      json.beginObject();
      json.name("queryId").value(queryId);
      json.name("aborted").value(aborted);
      json.name("partitions").value(partitions);
      json.name("committedTasks").value(committedTasks);
      json.name("rows").value(rows);
      json.name("delivered").value(delivered);
      json.name("rejected").value(rejected);
      json.name("failed").value(failed);
      json.name("dropped").value(dropped);
      json.name("duplicateIds").value(duplicateIds);
      json.name("duplicateIdsPartial").value(duplicatesPartial);
      json.name("reasons").beginObject();
      for (Map.Entry<String, Long> e : reasons.entrySet()) json.name(e.getKey()).value(e.getValue());
      json.endObject();
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.readUtf8() + "\n";
  }
}
