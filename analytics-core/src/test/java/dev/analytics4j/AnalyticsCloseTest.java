package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code close(deadline)} keeps its deadline even when the transport does not cooperate. */
class AnalyticsCloseTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch sending = new CountDownLatch(1);

  @AfterEach
  void releaseTheTransport() {
    release.countDown();
  }

  /** A transport whose send ignores close() and interrupts, like a blocking client without cancel. */
  private Transport stubbornTransport() {
    return request -> {
      sending.countDown();
      Uninterruptibly.await(release);
      return new Transport.Response(200, null, "");
    };
  }

  @Test
  void closeReturnsWithinItsDeadlinePlusHalfASecondWhenTheTransportIgnoresCancellation() throws Exception {
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = Analytics.builder("k").transport(stubbornTransport()).callback(callback)
        .flushAt(1).maxInFlightRequests(2).shutdownHook(false).build();
    for (int i = 0; i < 10; i++) analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("m" + i));
    assertTrue(sending.await(10, TimeUnit.SECONDS));

    SchedulerLag.assertClosesWithin(Duration.ofMillis(500), () -> analytics.close(Duration.ofMillis(500)));
    assertEquals(8, callback.count("dropped:CLOSE_TIMEOUT"), "never sent");
    assertEquals(2, callback.count("failed"), "on the wire when the deadline passed");
    Metrics metrics = analytics.metrics();
    assertEquals(8, metrics.dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals(2, metrics.failed());
    assertEquals(0, metrics.queuedMessages());
  }

  @Test
  void enqueueOfAMessageDroppedForAFullQueueReturnsNormallyEvenWhenCloseStartsMeanwhile() throws Exception {
    AtomicReference<Analytics> client = new AtomicReference<>();
    RecordingCallback outcomes = new RecordingCallback();
    Callback closeOnDrop = new Callback() {
      @Override
      public void onFailure(EncodedMessage message, Failure failure) {
        outcomes.onFailure(message, failure);
      }

      @Override
      public void onDropped(EncodedMessage message, DropReason reason) {
        outcomes.onDropped(message, reason);
        // Deterministically, the moment a racing close() would hit: after the drop, before enqueue returns.
        if (reason == DropReason.QUEUE_FULL) client.get().close(Duration.ZERO);
      }
    };
    Analytics analytics = Analytics.builder("k").transport(stubbornTransport()).callback(closeOnDrop)
        .flushAt(1).maxQueueSize(1).shutdownHook(false).build();
    client.set(analytics);
    analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("in-flight"));
    assertTrue(sending.await(10, TimeUnit.SECONDS));

    analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("over"));

    assertEquals("dropped:QUEUE_FULL", outcomes.outcomes.get("over"));
    assertEquals("failed", outcomes.outcomes.get("in-flight"), "its request was on the wire");
    IllegalStateException closed = assertThrows(IllegalStateException.class,
        () -> analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("late")));
    assertEquals("Analytics is closed", closed.getMessage());
    assertEquals(2, analytics.metrics().enqueued());
  }
}
