package dev.analytics4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.messages.TrackMessage;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The meters, by name, tags and value, after real traffic to a local collector. */
class AnalyticsMeterBinderTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AnalyticsMeterBinder meters = new AnalyticsMeterBinder();
  private Analytics analytics;

  @BeforeEach
  void setUp() {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(ok());
    meters.bindTo(registry);
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
  }

  private Analytics.Builder builder(AnalyticsListener listener) {
    return Analytics.builder("test-write-key")
        .endpoint(server.url("/").toString())
        .listener(listener)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1))
        .flushInterval(Duration.ofHours(1))
        .shutdownHook(false);
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{\"success\":true}").build();
  }

  private static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("{}").build();
  }

  private static TrackMessage.Builder track() {
    return TrackMessage.builder("Item Viewed").userId("u1");
  }

  private double messages(String outcome, String reason) {
    return registry.get("analytics4j.messages").tags("outcome", outcome, "reason", reason).functionCounter().count();
  }

  private Timer requests(String status) {
    return registry.get("analytics4j.requests").tags("status", status).timer();
  }

  private double counter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void everyMeterIsRegisteredAtZeroBeforeAnyTraffic() {
    List<String> ids = registry.getMeters().stream()
        .map(AnalyticsMeterBinderTest::describe)
        .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.toList());

    assertEquals(List.of(
        "analytics4j.messages COUNTER outcome=dropped,reason=client_failed",
        "analytics4j.messages COUNTER outcome=dropped,reason=close_timeout",
        "analytics4j.messages COUNTER outcome=dropped,reason=closed",
        "analytics4j.messages COUNTER outcome=dropped,reason=disabled",
        "analytics4j.messages COUNTER outcome=dropped,reason=queue_full",
        "analytics4j.messages COUNTER outcome=failed,reason=4xx",
        "analytics4j.messages COUNTER outcome=failed,reason=5xx",
        "analytics4j.messages COUNTER outcome=failed,reason=network",
        "analytics4j.messages COUNTER outcome=sent,reason=none",
        "analytics4j.messages.enqueued COUNTER ",
        "analytics4j.queued.bytes GAUGE ",
        "analytics4j.queued.messages GAUGE ",
        "analytics4j.requests TIMER status=2xx",
        "analytics4j.retries COUNTER "), ids);
    for (Meter meter : registry.getMeters()) {
      meter.measure().forEach(m -> assertEquals(0.0, m.getValue(), meter.getId() + " " + m));
    }
    assertEquals("bytes", registry.get("analytics4j.queued.bytes").gauge().getId().getBaseUnit());
  }

  private static String describe(Meter meter) {
    Meter.Id id = meter.getId();
    return id.getName() + " " + id.getType() + " " + id.getTags().stream()
        .map(t -> t.getKey() + "=" + t.getValue()).collect(Collectors.joining(","));
  }

  @Test
  void countsSentMessagesRequestsByStatusClassAndRetries() throws Exception {
    server.enqueue(status(503));
    server.enqueue(ok());
    analytics = builder(meters).build();
    for (int i = 0; i < 3; i++) analytics.enqueue(track());

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(2, server.getRequestCount());
    assertEquals(3.0, counter("analytics4j.messages.enqueued"));
    assertEquals(3.0, messages("sent", "none"));
    assertEquals(0.0, messages("failed", "5xx"));
    assertEquals(1.0, counter("analytics4j.retries"));
    assertEquals(1, requests("5xx").count());
    assertEquals(1, requests("2xx").count());
    assertTrue(requests("2xx").totalTime(TimeUnit.NANOSECONDS) > 0);
    assertEquals(0.0, gauge("analytics4j.queued.messages"));
    assertEquals(0.0, gauge("analytics4j.queued.bytes"));
  }

  @Test
  void failedMessagesAreTaggedWithTheClassOfTheLastAnswer() throws Exception {
    server.enqueue(status(401));
    analytics = builder(meters).build();
    analytics.enqueue(track());
    analytics.enqueue(track());

    assertFalse(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(2.0, messages("failed", "4xx"));
    assertEquals(0.0, messages("sent", "none"));
    assertEquals(1, requests("4xx").count());
    assertEquals(0.0, counter("analytics4j.retries"), "a 401 is not retried");
  }

  @Test
  void requestsWithoutAResponseAreTaggedNetwork() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    analytics = builder(meters).maxRetries(1).build();
    analytics.enqueue(track());

    assertFalse(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(2, requests("network").count());
    assertEquals(1.0, counter("analytics4j.retries"));
    assertEquals(1.0, messages("failed", "network"));
  }

  @Test
  void gaugesShowWhatIsHeldUntilItsOutcomeIsKnown() throws Exception {
    analytics = builder(meters).flushAt(100).build();
    analytics.enqueue(track());
    analytics.enqueue(track());

    assertEquals(2.0, gauge("analytics4j.queued.messages"));
    assertEquals(analytics.metrics().queuedBytes(), (long) gauge("analytics4j.queued.bytes"));
    assertTrue(gauge("analytics4j.queued.bytes") > 100, "two serialized tracks");

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    assertEquals(0.0, gauge("analytics4j.queued.messages"));
    assertEquals(0.0, gauge("analytics4j.queued.bytes"));
  }

  @Test
  void dropsAreCountedByReason() throws Exception {
    analytics = builder(meters).maxQueueSize(1).flushAt(100).build();
    assertTrue(analytics.offer(track()));
    assertFalse(analytics.offer(track()));
    analytics.close(Duration.ofSeconds(5));
    assertFalse(analytics.offer(track()));

    assertEquals(3.0, counter("analytics4j.messages.enqueued"));
    assertEquals(1.0, messages("sent", "none"));
    assertEquals(1.0, messages("dropped", "queue_full"));
    assertEquals(1.0, messages("dropped", "closed"));
    assertEquals(0.0, gauge("analytics4j.queued.messages"));
  }

  @Test
  void aDisabledClientCountsEveryMessageAsDroppedDisabledAndSendsNothing() {
    analytics = builder(meters).enabled(false).build();
    analytics.enqueue(track());

    assertEquals(1.0, messages("dropped", "disabled"));
    assertEquals(0.0, messages("sent", "none"));
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void tagsGoOnEveryMeterAndTrafficBeforeBindingIsCounted() throws Exception {
    AnalyticsMeterBinder tagged = new AnalyticsMeterBinder(Tags.of("client", "orders"));
    analytics = builder(tagged).build();
    analytics.enqueue(track());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    MeterRegistry later = new SimpleMeterRegistry();
    tagged.bindTo(later);

    assertEquals(1.0, later.get("analytics4j.messages").tags("client", "orders", "outcome", "sent").functionCounter().count());
    for (Meter meter : later.getMeters()) {
      assertEquals("orders", meter.getId().getTag("client"), meter.getId().toString());
    }
  }

  @Test
  void prometheusNamesAreTheOnesTheReadmeGives() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.bindTo(prometheus);
    analytics = builder(meters).build();
    analytics.enqueue(track());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    TreeSet<String> names = new TreeSet<>();
    for (String line : prometheus.scrape().split("\n")) {
      if (!line.startsWith("#") && !line.isEmpty()) names.add(line.replaceAll("[{ ].*", ""));
    }
    assertEquals(new TreeSet<>(List.of("analytics4j_messages_enqueued_total", "analytics4j_messages_total",
        "analytics4j_queued_bytes", "analytics4j_queued_messages", "analytics4j_requests_seconds_count",
        "analytics4j_requests_seconds_max", "analytics4j_requests_seconds_sum", "analytics4j_retries_total")), names);
  }

  @Test
  void bindingTwiceToOneRegistryCountsEachRequestOnce() throws Exception {
    List<String> before = registry.getMeters().stream().map(AnalyticsMeterBinderTest::describe).sorted()
        .collect(Collectors.toList());
    meters.bindTo(registry);
    analytics = builder(meters).build();
    analytics.enqueue(track());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    meters.bindTo(registry);

    assertEquals(1, requests("2xx").count());
    assertEquals(1.0, messages("sent", "none"));
    assertEquals(before, registry.getMeters().stream().map(AnalyticsMeterBinderTest::describe).sorted()
        .collect(Collectors.toList()));

    SimpleMeterRegistry other = new SimpleMeterRegistry();
    meters.bindTo(other);
    analytics.enqueue(track());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    assertEquals(2, requests("2xx").count());
    assertEquals(1, other.get("analytics4j.requests").tags("status", "2xx").timer().count(), "another registry is bound");
  }

  @Test
  void bindingToACompositeAndToARegistryInItCountsEachRequestOnceThere() throws Exception {
    // registry is bound already (setUp); the composite holds it, as Metrics.globalRegistry may.
    CompositeMeterRegistry composite = new CompositeMeterRegistry();
    composite.add(registry);
    meters.bindTo(composite);
    CompositeMeterRegistry outer = new CompositeMeterRegistry();
    outer.add(composite);
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    outer.add(other);
    meters.bindTo(outer);
    analytics = builder(meters).build();
    analytics.enqueue(track());

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(1, requests("2xx").count());
    assertEquals(1, composite.get("analytics4j.requests").tags("status", "2xx").timer().count());
    assertEquals(1, other.get("analytics4j.requests").tags("status", "2xx").timer().count());
    assertEquals(1.0, messages("sent", "none"));
  }

  /**
   * Holds a binding at its queue gauge, past the failure counters, until released; in a filter,
   * whose map runs outside the registry's lock, so other meters can register meanwhile.
   */
  static final class PausedRegistry extends SimpleMeterRegistry {
    final CountDownLatch paused = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    PausedRegistry() {
      config().meterFilter(new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          if (id.getName().equals("analytics4j.queued.messages") && paused.getCount() > 0) {
            paused.countDown();
            try {
              assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
          return id;
        }
      });
    }
  }

  @Test
  void aFailureClassFirstSeenWhileBindingIsRegisteredInThatRegistryToo() throws Exception {
    server.enqueue(status(300)); // no Location: not followed, not retried, failed as 3xx
    analytics = builder(meters).build();
    PausedRegistry paused = new PausedRegistry();
    CompletableFuture<Void> binding = CompletableFuture.runAsync(() -> meters.bindTo(paused));
    assertTrue(paused.paused.await(10, TimeUnit.SECONDS));

    analytics.enqueue(track());
    assertFalse(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    paused.release.countDown();
    binding.get(10, TimeUnit.SECONDS);

    assertEquals(1.0, messages("failed", "3xx"));
    assertEquals(1.0, paused.get("analytics4j.messages").tags("outcome", "failed", "reason", "3xx")
        .functionCounter().count());
  }

  @Test
  void statusClassesOfUnusualAnswers() {
    assertEquals("network", AnalyticsMeterBinder.statusClass(0));
    assertEquals("2xx", AnalyticsMeterBinder.statusClass(204));
    assertEquals("3xx", AnalyticsMeterBinder.statusClass(301));
    assertEquals("4xx", AnalyticsMeterBinder.statusClass(429));
    assertEquals("5xx", AnalyticsMeterBinder.statusClass(503));
  }
}
