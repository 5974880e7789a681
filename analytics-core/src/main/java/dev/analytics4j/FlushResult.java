package dev.analytics4j;

/** What became of the messages enqueued before a {@link Analytics#flush()}. */
public final class FlushResult {
  static final FlushResult EMPTY = new FlushResult(true, 0, 0);

  private final boolean complete;
  private final long delivered;
  private final long notDelivered;

  FlushResult(boolean complete, long delivered, long notDelivered) {
    this.complete = complete;
    this.delivered = delivered;
    this.notDelivered = notDelivered;
  }

  /** False when the wait timed out before every message had an outcome. */
  public boolean isComplete() {
    return complete;
  }

  /** Messages the API accepted. */
  public long delivered() {
    return delivered;
  }

  /** Messages that failed or were dropped; each was reported to the {@link Callback}. */
  public long notDelivered() {
    return notDelivered;
  }

  /** True when the flush completed and every message in it was delivered. */
  public boolean isSuccess() {
    return complete && notDelivered == 0;
  }

  FlushResult plus(long delivered, long notDelivered) {
    return new FlushResult(complete, this.delivered + delivered, this.notDelivered + notDelivered);
  }

  @Override
  public String toString() {
    return "FlushResult{complete=" + complete + ", delivered=" + delivered
        + ", notDelivered=" + notDelivered + "}";
  }
}
