package dev.analytics4j.testing;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A real {@link Analytics} for unit tests, whose transport keeps every request in memory instead of
 * sending it. Hand {@link #analytics()} to the code under test; read what went on the wire with
 * {@link #sent()}.
 *
 * <pre>{@code
 * try (RecordingAnalytics recorder = RecordingAnalytics.create()) {
 *   new Checkout(recorder.analytics()).complete(order);
 *   recorder.sent().assertSent(track("Order Completed").user("u1").property("revenue", 42.5));
 * }
 * }</pre>
 *
 * <p>Everything but the network is the production client: the same validation and refusals at the
 * call site, the same encoding, batching, callbacks and metrics. The transport answers each request
 * as the API would, so a request the API would refuse fails its messages here too (see
 * {@link #assertAllDelivered()}). No timer sends anything: batches leave on a flush (which
 * {@link #sent()} does), when 2,500 messages wait, or when waiting messages fill a 500 KB request;
 * one request at a time, so messages are recorded in the order they were enqueued. No test needs to
 * sleep.
 */
public final class RecordingAnalytics implements Closeable {
  /** The write key of a recording client unless its builder sets another. */
  public static final String WRITE_KEY = "recording-write-key";

  private final Analytics analytics;
  private final MemoryTransport transport;
  private final Undelivered undelivered;
  private final Duration flushTimeout;

  private RecordingAnalytics(Builder builder) {
    this.transport = new MemoryTransport(builder.writeKey);
    this.undelivered = new Undelivered(builder.callback);
    this.flushTimeout = builder.flushTimeout;
    Analytics.Builder client = Analytics.builder(builder.writeKey)
        .flushAt(2500)
        .flushInterval(Duration.ofDays(1))
        .maxInFlightRequests(1)
        .shutdownHook(false);
    builder.configure.accept(client);
    this.analytics = client.transport(transport).callback(undelivered).build();
  }

  /** A recording client with the defaults. */
  public static RecordingAnalytics create() {
    return builder().build();
  }

  /** Starts configuring a recording client. */
  public static Builder builder() {
    return new Builder();
  }

  /** The client to give the code under test. */
  public Analytics analytics() {
    return analytics;
  }

  /**
   * Flushes the client (unless it is closed) and returns the messages that reached the transport
   * and were accepted, in the order sent.
   *
   * @throws AssertionError when the flush did not finish within the builder's {@code flushTimeout}.
   */
  public SentMessages sent() {
    flush();
    return new SentMessages(transport.sent());
  }

  /**
   * Asserts that every message the client accepted was delivered: none dropped (queue full, sent
   * after close, close timed out) and none failed (a request the API would refuse). Flushes first.
   *
   * <p>A message refused at the call site, where {@code enqueue} throws, never reaches the client's
   * accounting; the exception tells the caller. If the code under test catches and ignores it, this
   * assertion cannot see it: assert on {@link #sent()} to catch a message that never left.
   */
  public RecordingAnalytics assertAllDelivered() {
    flush();
    String report = undelivered.report(analytics.metrics().enqueued());
    if (report != null) throw new AssertionError(report);
    return this;
  }

  /** The report of undelivered messages, or null when there were none. */
  @Nullable String undeliveredReport() {
    return undelivered.report(analytics.metrics().enqueued());
  }

  private void flush() {
    java.util.concurrent.CompletableFuture<?> done;
    try {
      done = analytics.flush();
    } catch (IllegalStateException closed) {
      return; // Close drained it already.
    }
    try {
      done.get(flushTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("The recording client's flush did not finish within "
          + flushTimeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while flushing the recording client", e);
    } catch (ExecutionException e) {
      throw new AssertionError("The recording client's flush failed", e.getCause());
    }
  }

  /** Closes the client, which sends what is still queued. Idempotent. */
  @Override
  public void close() {
    analytics.close();
  }

  @Override
  public String toString() {
    return "RecordingAnalytics{" + transport.sent().size() + " messages sent, " + analytics + "}";
  }

  /** Configures a {@link RecordingAnalytics}. */
  public static final class Builder {
    private String writeKey = WRITE_KEY;
    private Callback callback = Callback.NONE;
    private Consumer<Analytics.Builder> configure = client -> {};
    private Duration flushTimeout = Duration.ofSeconds(10);

    Builder() {}

    /** The write key the client sends and the recording transport expects; default {@link #WRITE_KEY}. */
    public Builder writeKey(String writeKey) {
      Objects.requireNonNull(writeKey, "writeKey == null");
      if (writeKey.trim().isEmpty()) throw new IllegalArgumentException("writeKey must not be blank");
      this.writeKey = writeKey;
      return this;
    }

    /** Also told the outcome of every message, as with {@link Analytics.Builder#callback}. */
    public Builder callback(Callback callback) {
      this.callback = Objects.requireNonNull(callback, "callback == null");
      return this;
    }

    /**
     * Changes the client's settings, such as {@code flushAt} or {@code maxQueueSize}, after the
     * recording defaults are applied. The transport and the callback set here are replaced: use
     * {@link #callback(Callback)}.
     */
    public Builder configure(Consumer<Analytics.Builder> configure) {
      this.configure = Objects.requireNonNull(configure, "configure == null");
      return this;
    }

    /** How long {@link #sent()} waits for a flush; default 10 s. */
    public Builder flushTimeout(Duration flushTimeout) {
      Objects.requireNonNull(flushTimeout, "flushTimeout == null");
      if (flushTimeout.isNegative() || flushTimeout.isZero()) {
        throw new IllegalArgumentException("flushTimeout must be positive: " + flushTimeout);
      }
      this.flushTimeout = flushTimeout;
      return this;
    }

    /** Creates the client and starts its flusher thread. */
    public RecordingAnalytics build() {
      return new RecordingAnalytics(this);
    }
  }

  /** Keeps a line for each message that was dropped or failed, then tells the user's callback. */
  private static final class Undelivered implements Callback {
    private final Callback delegate;
    private final List<String> lines = new ArrayList<>();

    Undelivered(Callback delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onSuccess(EncodedMessage message) {
      delegate.onSuccess(message);
    }

    @Override
    public void onFailure(EncodedMessage message, Failure failure) {
      add("failed (" + failure.reason() + "): " + describe(message));
      delegate.onFailure(message, failure);
    }

    @Override
    public void onDropped(EncodedMessage message, DropReason reason) {
      add("dropped (" + reason + "): " + describe(message));
      delegate.onDropped(message, reason);
    }

    private void add(String line) {
      synchronized (lines) {
        lines.add(line);
      }
    }

    private static String describe(EncodedMessage message) {
      SentMessage decoded = WireContract.decodeOrNull(message.json());
      return decoded != null ? decoded.toString() : message.toString();
    }

    @Nullable String report(long enqueued) {
      synchronized (lines) {
        if (lines.isEmpty()) return null;
        StringBuilder out = new StringBuilder("Expected every message to be delivered, but ")
            .append(lines.size()).append(" of the ").append(Describe.messages((int) enqueued))
            .append(" enqueued ").append(lines.size() == 1 ? "was" : "were").append(" not:");
        for (int i = 0; i < lines.size(); i++) {
          if (i == Describe.MAX_LINES) {
            out.append("\n  ... and ").append(lines.size() - Describe.MAX_LINES).append(" more");
            break;
          }
          out.append("\n  ").append(Describe.abbreviate(lines.get(i)));
        }
        return out.toString();
      }
    }
  }
}
