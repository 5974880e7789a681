package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an {@link AnalyticsListener} is told, in which order, and that it cannot break the client. */
class AnalyticsListenerTest {
  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final RecordingListener listener = new RecordingListener();
  private Analytics analytics;

  private Analytics.Builder builder() {
    return Analytics.builder("test-write-key")
        .transport(transport)
        .callback(callback)
        .listener(listener)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
        .flushInterval(Duration.ofHours(1))
        .shutdownHook(false);
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Item Viewed").userId("u1").messageId(id);
  }

  @Test
  void toldEveryRequestRetryAndMessageOutcomeInOrder() throws Exception {
    transport.enqueue(RecordingTransport.status(503));
    analytics = builder().maxRetries(3).build();
    analytics.enqueue(track("m1"));
    analytics.enqueue(track("m2"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(List.of(
        "enqueued m1", "enqueued m2",
        "requestStart 2 messages, attempt 1", "requestEnd 2 messages, attempt 1, HTTP 503",
        "retryScheduled 2 messages, attempt 2",
        "requestStart 2 messages, attempt 2", "requestEnd 2 messages, attempt 2, HTTP 200",
        "delivered m1", "delivered m2"), listener.events());
  }

  @Test
  void toldRequestFailedWithTheNetworkErrorAndFailedMessagesWithTheFailure() throws Exception {
    IOException reset = new IOException("connection reset");
    transport.enqueue(request -> {
      throw reset;
    });
    transport.enqueue(RecordingTransport.status(400));
    analytics = builder().build();
    analytics.enqueue(track("m1"));

    assertFalse(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(List.of(
        "enqueued m1",
        "requestStart 1 messages, attempt 1", "requestFailed 1 messages, attempt 1, java.io.IOException: connection reset",
        "retryScheduled 1 messages, attempt 2",
        "requestStart 1 messages, attempt 2", "requestEnd 1 messages, attempt 2, HTTP 400",
        "failed m1 HTTP 400 after 2 attempts"), listener.events());
  }

  @Test
  void toldDropsWithTheirReason() {
    // flushAt above the queue: m1 waits for close, so m2 finds the queue full every time.
    analytics = builder().flushAt(250).maxQueueSize(1).build();
    assertTrue(analytics.offer(track("m1")));
    assertFalse(analytics.offer(track("m2")));
    analytics.close(Duration.ofSeconds(5));
    assertFalse(analytics.offer(track("m3")));

    assertEquals(List.of(
        "enqueued m1", "enqueued m2", "dropped m2 QUEUE_FULL",
        "requestStart 1 messages, attempt 1", "requestEnd 1 messages, attempt 1, HTTP 200", "delivered m1",
        "enqueued m3", "dropped m3 CLOSED"), listener.events());
  }

  @Test
  void aListenerThatThrowsEverywhereBreaksNeitherDeliveryNorTheCallback() throws Exception {
    transport.enqueue(RecordingTransport.status(500));
    analytics = builder().listener(new AnalyticsListener() {
      @Override public void messageEnqueued(EncodedMessage message) {
        throw new IllegalStateException("listener bug");
      }

      @Override public void messageDelivered(EncodedMessage message) {
        throw new AssertionError("listener bug");
      }

      @Override public void requestStart(int messageCount, int attempt) {
        throw new IllegalStateException("listener bug");
      }

      @Override public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
        throw new IllegalStateException("listener bug");
      }

      @Override public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
        throw new IllegalStateException("listener bug");
      }
    }).build();
    analytics.enqueue(track("m1"));
    analytics.enqueue(track("m2"));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertTrue(result.isSuccess(), result.toString());
    assertEquals(2, callback.count("sent"));
    assertEquals(2, transport.requestCount());
    assertEquals(1, analytics.metrics().retries());
  }

  @Test
  void flushWithATimeoutFromAnyListenerMethodIsRefusedAsFromACallback() throws Exception {
    // Before, each such call waited its whole timeout on an upload thread, for the very batch that
    // thread was reporting: a flush(20 s) of 30 messages ended incomplete with 10 reported.
    List<String> calls = new CopyOnWriteArrayList<>();
    AtomicReference<Analytics> client = new AtomicReference<>();
    AnalyticsListener flushing = new AnalyticsListener() {
      private void flushFrom(String method) {
        try {
          client.get().flush(Duration.ofSeconds(20));
          calls.add(method + " waited");
        } catch (IllegalStateException e) {
          calls.add(method + ": " + e.getMessage());
        }
      }

      @Override public void messageEnqueued(EncodedMessage message) {
        if (client.get() != null) flushFrom("messageEnqueued");
      }

      @Override public void messageDelivered(EncodedMessage message) {
        flushFrom("messageDelivered");
      }

      @Override public void messageFailed(EncodedMessage message, Failure failure) {
        flushFrom("messageFailed");
      }

      @Override public void messageDropped(EncodedMessage message, DropReason reason) {
        flushFrom("messageDropped");
      }

      @Override public void requestStart(int messageCount, int attempt) {
        flushFrom("requestStart");
      }

      @Override public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
        flushFrom("requestEnd");
      }

      @Override public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
        flushFrom("requestFailed");
      }

      @Override public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
        flushFrom("retryScheduled");
      }
    };
    transport.enqueue(RecordingTransport.status(503));
    transport.enqueue(request -> {
      throw new IOException("connection reset");
    });
    transport.enqueue(RecordingTransport.status(400));
    analytics = builder().listener(flushing).flushAt(10).maxInFlightRequests(1).build();
    client.set(analytics);
    for (int i = 0; i < 30; i++) analytics.enqueue(track("m" + i));

    long start = System.nanoTime();
    FlushResult result = analytics.flush(Duration.ofSeconds(20));
    long took = System.nanoTime() - start;
    analytics.close(Duration.ofSeconds(5));
    analytics.offer(track("late"));

    assertEquals(new FlushResult(true, 20, 10, 0), result);
    assertTrue(took < java.util.concurrent.TimeUnit.SECONDS.toNanos(5), took + " ns");
    String refused = ": flush(Duration) called from an AnalyticsListener would wait for itself; use flush() "
        + "and a continuation instead";
    assertEquals(new TreeSet<>(List.of("messageEnqueued" + refused, "messageDelivered" + refused,
        "messageFailed" + refused, "messageDropped" + refused, "requestStart" + refused,
        "requestEnd" + refused, "requestFailed" + refused, "retryScheduled" + refused)), new TreeSet<>(calls));
    assertEquals(30, callback.count("sent") + callback.count("failed"));
    assertEquals("dropped:CLOSED", callback.outcomes.get("late"));
  }

  @Test
  void aDisabledClientValidatesEveryMessageAndDropsItWithoutATransport() throws Exception {
    // No transport set and none on this module's classpath: a disabled client must not look for one.
    analytics = Analytics.builder("unused").enabled(false).callback(callback).listener(listener)
        .shutdownHook(false).build();

    analytics.enqueue(track("m1"));
    assertTrue(analytics.offer(track("m2")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder("Bad").userId("u1").properties(java.util.Map.of("x", Double.NaN))));
    assertEquals("properties.x must be a finite number: NaN", e.getMessage());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isComplete());

    assertEquals(2, callback.count("dropped:DISABLED"));
    assertEquals(List.of("enqueued m1", "dropped m1 DISABLED", "enqueued m2", "dropped m2 DISABLED"),
        listener.events());
    Metrics metrics = analytics.metrics();
    assertEquals(2, metrics.enqueued());
    assertEquals(2, metrics.dropped(DropReason.DISABLED));
    assertEquals(0, metrics.requests());

    analytics.close(Duration.ofSeconds(5));
    assertFalse(analytics.offer(track("m3")));
    assertEquals("dropped:CLOSED", callback.outcomes.get("m3"));
  }

  /** Records events as sentences; latencies and delays are left out, being timing-dependent. */
  static final class RecordingListener extends AnalyticsListener {
    private final List<String> events = new ArrayList<>();

    synchronized List<String> events() {
      return new ArrayList<>(events);
    }

    private synchronized void add(String event) {
      events.add(event);
    }

    @Override public void messageEnqueued(EncodedMessage message) {
      add("enqueued " + message.messageId());
    }

    @Override public void messageDelivered(EncodedMessage message) {
      add("delivered " + message.messageId());
    }

    @Override public void messageFailed(EncodedMessage message, Failure failure) {
      add("failed " + message.messageId() + " HTTP " + failure.statusCode() + " after " + failure.attempts() + " attempts");
    }

    @Override public void messageDropped(EncodedMessage message, DropReason reason) {
      add("dropped " + message.messageId() + " " + reason);
    }

    @Override public void requestStart(int messageCount, int attempt) {
      add("requestStart " + messageCount + " messages, attempt " + attempt);
    }

    @Override public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
      if (latencyNanos < 0) throw new AssertionError("negative latency " + latencyNanos);
      add("requestEnd " + messageCount + " messages, attempt " + attempt + ", HTTP " + statusCode);
    }

    @Override public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
      add("requestFailed " + messageCount + " messages, attempt " + attempt + ", " + error);
    }

    @Override public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
      if (delayNanos <= 0) throw new AssertionError("no delay " + delayNanos);
      add("retryScheduled " + messageCount + " messages, attempt " + nextAttempt);
    }
  }
}
