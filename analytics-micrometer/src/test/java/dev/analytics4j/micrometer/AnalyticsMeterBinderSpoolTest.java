package dev.analytics4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.TrackMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's drop reasons are meters once they happen, and never for a client without a spool. */
class AnalyticsMeterBinderSpoolTest {
  @TempDir Path temp;

  @Test
  void spooledMessagesAppearAsTheirOwnDropReasonOnceTheyHappen() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnalyticsMeterBinder binder = new AnalyticsMeterBinder();
    binder.bindTo(registry);
    assertNull(registry.find("analytics4j.messages").tag("reason", "spooled").counter());

    Transport down = request -> {
      throw new ConnectException("collector down");
    };
    Analytics analytics = Analytics.builder("key").transport(down).listener(binder).spool(temp.resolve("spool"))
        .shutdownHook(false).build();
    for (int i = 0; i < 3; i++) analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("m" + i));
    analytics.close(Duration.ZERO);

    assertEquals(3.0, registry.get("analytics4j.messages").tag("reason", "spooled").functionCounter().count());
    assertNull(registry.find("analytics4j.messages").tag("reason", "spool_full").functionCounter());
  }

  @Test
  void withTheClientNamedTheQueueGaugesShowItsMetricsAndNotWhatWaitsOnlyInTheSpool() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch inFlight = new CountDownLatch(1);
    Transport gated = request -> {
      inFlight.countDown();
      try {
        if (!release.await(10, TimeUnit.SECONDS)) throw new java.io.IOException("never released");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted");
      }
      return new Transport.Response(200, null, "{\"success\":true}");
    };
    AnalyticsMeterBinder named = new AnalyticsMeterBinder();
    AnalyticsMeterBinder unnamed = new AnalyticsMeterBinder();
    Analytics analytics = Analytics.builder("key").transport(gated).listener(new Both(named, unnamed))
        .spool(temp.resolve("spool")).maxQueueSize(2).flushAt(2).maxInFlightRequests(1)
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();
    named.client(analytics);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SimpleMeterRegistry events = new SimpleMeterRegistry();
    named.bindTo(registry);
    unnamed.bindTo(events);
    try {
      for (int i = 0; i < 5; i++) analytics.enqueue(TrackMessage.builder("E").userId("u").messageId("m" + i));
      assertTrue(inFlight.await(10, TimeUnit.SECONDS));

      dev.analytics4j.Metrics metrics = analytics.metrics();
      assertEquals(2, metrics.queuedMessages());
      assertEquals(3, metrics.spooledMessages());
      assertEquals(2.0, registry.get("analytics4j.queued.messages").gauge().value());
      assertEquals((double) metrics.queuedBytes(), registry.get("analytics4j.queued.bytes").gauge().value());
      assertEquals(5.0, events.get("analytics4j.queued.messages").gauge().value(),
          "counted from the reports alone, what waits on disk is in it too");
    } finally {
      release.countDown();
      analytics.close(Duration.ofSeconds(10));
    }
    assertEquals(0.0, registry.get("analytics4j.queued.messages").gauge().value());
    assertEquals(5.0, registry.get("analytics4j.messages").tags("outcome", "sent").functionCounter().count());
  }

  /** Two binders on one client, one told the client and one not. */
  private static final class Both extends dev.analytics4j.AnalyticsListener {
    private final AnalyticsMeterBinder first;
    private final AnalyticsMeterBinder second;

    Both(AnalyticsMeterBinder first, AnalyticsMeterBinder second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public void messageEnqueued(dev.analytics4j.EncodedMessage message) {
      first.messageEnqueued(message);
      second.messageEnqueued(message);
    }

    @Override
    public void messageDelivered(dev.analytics4j.EncodedMessage message) {
      first.messageDelivered(message);
      second.messageDelivered(message);
    }
  }
}
