package dev.analytics4j;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of the client's counters since it was built. Once everything is settled (after a
 * flush or close) {@code enqueued == sent + failed + dropped}; before that the difference is roughly
 * {@link #queuedMessages()}, as the counters and the queue are read one after the other.
 */
public final class Metrics {
  private final long enqueued;
  private final long sent;
  private final long failed;
  private final Map<DropReason, Long> dropped;
  private final long retries;
  private final long requests;
  private final int queuedMessages;
  private final long queuedBytes;
  private final long recovered;
  private final long spooledMessages;
  private final long spoolBytes;

  Metrics(long enqueued, long sent, long failed, EnumMap<DropReason, Long> dropped, long retries,
      long requests, int queuedMessages, long queuedBytes, long recovered, long spooledMessages,
      long spoolBytes) {
    this.enqueued = enqueued;
    this.sent = sent;
    this.failed = failed;
    this.dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
    this.retries = retries;
    this.requests = requests;
    this.queuedMessages = queuedMessages;
    this.queuedBytes = queuedBytes;
    this.recovered = recovered;
    this.spooledMessages = spooledMessages;
    this.spoolBytes = spoolBytes;
  }

  /**
   * Valid messages passed to {@code enqueue} or {@code offer}, including those then dropped, plus
   * those {@link #recovered()} from the spool.
   */
  public long enqueued() {
    return enqueued;
  }

  /** Messages the API accepted. */
  public long sent() {
    return sent;
  }

  /** Messages given up after a non-retryable status or exhausted retries. */
  public long failed() {
    return failed;
  }

  /** Messages dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return dropped.get(reason);
  }

  /** All dropped messages. */
  public long dropped() {
    long sum = 0;
    for (long n : dropped.values()) sum += n;
    return sum;
  }

  /** Requests sent again after a retryable answer or network error. */
  public long retries() {
    return retries;
  }

  /** HTTP requests made, retries included. */
  public long requests() {
    return requests;
  }

  /** Messages held now, waiting or in flight. */
  public int queuedMessages() {
    return queuedMessages;
  }

  /** Serialized bytes held now, waiting or in flight. */
  public long queuedBytes() {
    return queuedBytes;
  }

  /**
   * Messages an earlier client left in the spool that this one took over when it was built, counted
   * in {@link #enqueued()} too; each is then reported like any other, with {@link
   * EncodedMessage#isRecovered()} true. Zero without a spool.
   */
  public long recovered() {
    return recovered;
  }

  /**
   * Accepted messages held only in the spool now, waiting for room in the in-memory window
   * ({@link #queuedMessages()}); zero without a spool.
   */
  public long spooledMessages() {
    return spooledMessages;
  }

  /** Bytes of the spool's segment files now; zero without a spool. */
  public long spoolBytes() {
    return spoolBytes;
  }

  @Override
  public String toString() {
    return "Metrics{enqueued=" + enqueued + ", sent=" + sent + ", failed=" + failed
        + ", dropped=" + dropped + ", retries=" + retries + ", requests=" + requests
        + ", queuedMessages=" + queuedMessages + ", queuedBytes=" + queuedBytes
        + (recovered != 0 || spooledMessages != 0 || spoolBytes != 0
            ? ", recovered=" + recovered + ", spooledMessages=" + spooledMessages + ", spoolBytes=" + spoolBytes
            : "") + "}";
  }
}
