package dev.analytics4j;

/**
 * What became of the messages a {@link Analytics#flush()} covers: those enqueued after the previous
 * flush and before this one, counted whenever they settled, before or after the flush was called.
 */
public final class FlushResult {
  static final FlushResult EMPTY = new FlushResult(true, 0, 0, 0);

  private final boolean complete;
  private final long delivered;
  private final long failed;
  private final long dropped;

  FlushResult(boolean complete, long delivered, long failed, long dropped) {
    this.complete = complete;
    this.delivered = delivered;
    this.failed = failed;
    this.dropped = dropped;
  }

  /**
   * False when {@link Analytics#flush(java.time.Duration)} timed out first; the counts are then
   * those settled so far, and the rest are still being sent.
   */
  public boolean isComplete() {
    return complete;
  }

  /** Messages the API accepted (2xx). */
  public long delivered() {
    return delivered;
  }

  /** Messages given up after an answer or error; each was reported to {@link Callback#onFailure}. */
  public long failed() {
    return failed;
  }

  /** Messages never sent (queue full, or close's deadline); each was reported to {@link Callback#onDropped}. */
  public long dropped() {
    return dropped;
  }

  /** {@link #failed()} plus {@link #dropped()}. */
  public long notDelivered() {
    return failed + dropped;
  }

  /** All the messages this flush covers that have an outcome. */
  public long total() {
    return delivered + failed + dropped;
  }

  /** True when the flush completed and every message it covers was delivered. */
  public boolean isSuccess() {
    return complete && failed == 0 && dropped == 0;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof FlushResult)) return false;
    FlushResult that = (FlushResult) other;
    return complete == that.complete && delivered == that.delivered && failed == that.failed
        && dropped == that.dropped;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(delivered) * 31 * 31 * 31 + Long.hashCode(failed) * 31 * 31
        + Long.hashCode(dropped) * 31 + Boolean.hashCode(complete);
  }

  @Override
  public String toString() {
    return "FlushResult{complete=" + complete + ", delivered=" + delivered + ", failed=" + failed
        + ", dropped=" + dropped + "}";
  }
}
