package dev.analytics4j.spark;

import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.jspecify.annotations.Nullable;

/**
 * What one committed task attempt did with its rows; the driver adds these up. Every row is counted
 * exactly once: {@code rows == rejected + delivered + failed + dropped}.
 */
final class TaskCounts implements WriterCommitMessage {
  private static final long serialVersionUID = 1L;
  /** Distinct reasons kept per task; the rest are counted under {@link #OTHER}. */
  static final int MAX_REASONS = 50;
  static final String OTHER = "(other reasons)";

  final int partitionId;
  final long taskId;
  final int attemptNumber;
  long rows;
  long rejected;
  long delivered;
  long failed;
  long dropped;
  long duplicateIds;
  boolean duplicatesPartial;
  /** Rejected rows by reason, then failed and dropped messages by reason, prefixed. */
  final Map<String, Long> reasons = new TreeMap<>();
  /** The attempt's rejects file, to publish, or null when it had nothing to record. */
  @Nullable String rejectsFile;

  TaskCounts(int partitionId, long taskId, int attemptNumber) {
    this.partitionId = partitionId;
    this.taskId = taskId;
    this.attemptNumber = attemptNumber;
  }

  void count(String reason, long n) {
    if (reasons.size() >= MAX_REASONS && !reasons.containsKey(reason)) reason = OTHER;
    reasons.merge(reason, n, Long::sum);
  }

  @Override
  public String toString() {
    return "partition " + partitionId + " (task " + taskId + ", attempt " + attemptNumber + "): rows=" + rows
        + ", delivered=" + delivered + ", rejected=" + rejected + ", failed=" + failed + ", dropped=" + dropped
        + ", duplicateIds=" + duplicateIds + (duplicatesPartial ? "+" : "") + (reasons.isEmpty() ? "" : ", reasons=" + reasons);
  }
}
