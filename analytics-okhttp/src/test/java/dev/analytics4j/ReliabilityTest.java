package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.FaultyCollector.Exchange;
import dev.analytics4j.FaultyCollector.Fault;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.testing.RecordingAnalytics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks the client with a collector that fails in every way the contract names, and checks the
 * books exactly: every message delivered or reported, once. The mixed-fault run here is short and
 * seeded; {@code -Danalytics4j.soak.messages=1000000} turns it into the soak (see the README).
 */
class ReliabilityTest {
  private static final long SEED = Long.getLong("analytics4j.soak.seed", 5L);
  private static final int MIXED_MESSAGES = Integer.getInteger("analytics4j.soak.messages", 3_000);

  private final Ledger ledger = new Ledger();
  private FaultyCollector collector;
  private Analytics analytics;

  @AfterEach
  void tearDown() throws Exception {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
    if (collector != null) collector.close();
  }

  private Analytics.Builder builder() {
    return Analytics.builder("reliability-key")
        .endpoint(collector.url())
        .callback(ledger)
        .flushAt(20)
        .flushInterval(Duration.ofMillis(20))
        .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(40))
        .maxRetries(4)
        .maxRetryAfter(Duration.ofMillis(20), Duration.ofSeconds(2))
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(2))
        .shutdownHook(false);
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Reliability Checked").userId("u1").messageId(id)
        .properties(Map.of("n", id.length()));
  }

  private void offer(String id) {
    if (analytics.offer(track(id))) {
      ledger.accepted.add(id);
    } else {
      ledger.refused.add(id);
    }
  }

  @Test
  void mixedFaultsLoseNothingAndReportEveryMessageOnce() throws Exception {
    collector = new FaultyCollector(FaultyCollector.random(SEED, FaultyCollector.mixedWeights()), 2_500, false);
    int flushAt = MIXED_MESSAGES > 100_000 ? 250 : 20;
    // A callback that throws StackOverflowError, OutOfMemoryError or AssertionError now and then.
    ledger.throwEvery = 97;
    analytics = builder().flushAt(flushAt).maxQueueSize(10_000).build();
    long start = System.nanoTime();

    // The producer waits for the flush of the window before last, so the queue never fills: every
    // message meets the faults instead of being dropped at the door.
    int window = 5_000;
    CompletableFuture<FlushResult> previousWindow = CompletableFuture.completedFuture(FlushResult.EMPTY);
    for (int i = 0; i < MIXED_MESSAGES; i++) {
      if (i > 0 && i % window == 0) {
        previousWindow.get(120, TimeUnit.SECONDS);
        previousWindow = analytics.flush();
      }
      offer("mixed-" + i);
    }
    FlushResult result = analytics.flush().get(120, TimeUnit.SECONDS);
    // Closed from an interrupted thread, as by a task stopped with shutdownNow().
    Thread.currentThread().interrupt();
    try {
      analytics.close(Duration.ofSeconds(10));
      assertTrue(Thread.currentThread().isInterrupted(), "close keeps the interrupt status");
    } finally {
      Thread.interrupted();
    }
    Metrics metrics = analytics.metrics();

    ledger.check(metrics, collector);
    assertEquals(MIXED_MESSAGES, ledger.outcomes.size());
    // Nothing was in flight at close: every request on the wire is one the client made and counted.
    assertEquals(collector.requestCount(), metrics.requests(), "requests on the wire");
    assertTrue(result.isComplete());
    assertEquals(0, metrics.dropped(), "nothing dropped: the window keeps the queue from filling");
    assertTrue(ledger.count("sent") > 0 && ledger.count("failed") > 0, metrics.toString());
    if (MIXED_MESSAGES > 100_000) {
      System.out.printf("soak: %d messages in %.1f s, seed %d%n  client %s%n  outcomes sent=%d failed=%d "
              + "dropped=%d%n  failed by last answer %s%n  collector requests=%d "
              + "messages committed=%d (of which duplicates after a lost answer=%d)%n  faults %s%n",
          MIXED_MESSAGES, (System.nanoTime() - start) / 1e9, SEED, metrics, ledger.count("sent"),
          ledger.count("failed"), ledger.count("dropped"), failuresByAnswer(), collector.requestCount(),
          collector.commits.size(), duplicates(collector), collector.faultTallies());
    }
  }

  private Map<String, Long> failuresByAnswer() {
    Map<String, Long> tally = new TreeMap<>();
    for (Ledger.Outcome outcome : ledger.outcomes.values()) {
      if (!outcome.kind.equals("failed")) continue;
      String answer = outcome.status != 0 ? "HTTP " + outcome.status : outcome.cause.getClass().getSimpleName();
      tally.merge(answer, 1L, Long::sum);
    }
    return tally;
  }

  private static long duplicates(FaultyCollector collector) {
    return collector.commits.values().stream().mapToLong(n -> n.get() - 1).sum();
  }

  @Test
  void anOutageLongerThanTheRetryBudgetFailsEveryMessageWithoutHanging() throws Exception {
    collector = new FaultyCollector(n -> n % 2 == 0 ? Fault.S503 : Fault.CLOSE_AFTER_BODY, 0, false);
    analytics = builder().maxRetries(3).build();

    for (int i = 0; i < 200; i++) offer("outage-" + i);
    FlushResult result = analytics.flush().get(30, TimeUnit.SECONDS);

    assertEquals(0, result.delivered());
    assertEquals(200, result.notDelivered());
    assertEquals(200, ledger.count("failed"));
    ledger.check(analytics.metrics(), collector);
    // 10 batches of 20, each tried once and retried 3 times.
    assertEquals(40, analytics.metrics().requests());
    assertEquals(30, analytics.metrics().retries());
  }

  @Test
  void a429StormIsObeyedWithoutSendingEarlyOrSpendingCountedRetries() throws Exception {
    Fault[] storm = {Fault.S429_SECONDS, Fault.S429_DATE, Fault.S429_SECONDS};
    collector = new FaultyCollector(n -> n < storm.length ? storm[n] : Fault.OK, 0, true);
    analytics = builder().flushInterval(Duration.ofHours(1)).maxRetries(0).maxRetryAfter(Duration.ofSeconds(5), Duration.ofSeconds(30)).build();

    for (int i = 0; i < 5; i++) offer("storm-" + i);
    FlushResult result = analytics.flush().get(30, TimeUnit.SECONDS);

    assertTrue(result.isSuccess(), result.toString());
    List<Exchange> exchanges = collector.exchanges();
    assertEquals(4, exchanges.size());
    for (int i = 1; i < exchanges.size(); i++) {
      Exchange previous = exchanges.get(i - 1);
      Exchange next = exchanges.get(i);
      assertEquals(Integer.toString(i), next.retryCount);
      if (previous.fault == Fault.S429_SECONDS) {
        long waited = next.arrivedNanos - previous.arrivedNanos;
        assertTrue(waited >= TimeUnit.SECONDS.toNanos(1), "request " + i + " came after " + waited + " ns");
      } else {
        assertFalse(next.arrivedAt.isBefore(previous.retryAfterDate),
            "request " + i + " at " + next.arrivedAt + ", asked to wait until " + previous.retryAfterDate);
      }
    }
    assertEquals(3, analytics.metrics().retries());
    ledger.check(analytics.metrics(), collector);
  }

  @Test
  void closeDuringAnOutageReturnsByItsDeadlineAndReportsEveryPendingMessage() throws Exception {
    collector = new FaultyCollector(n -> n % 2 == 0 ? Fault.STALL : Fault.S503, 30_000, false);
    analytics = builder().maxInFlightRequests(2).retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
        .maxRetries(1000).maxRetryDuration(Duration.ofMinutes(5)).readTimeout(Duration.ofSeconds(30)).build();
    for (int i = 0; i < 500; i++) offer("close-" + i);

    SchedulerLag.assertClosesWithin(Duration.ofSeconds(1), () -> analytics.close(Duration.ofSeconds(1)));
    assertEquals(500, ledger.count("dropped") + ledger.count("failed"));
    ledger.check(analytics.metrics(), collector);
    assertNoLibraryThreads();
  }

  @Test
  void eightProducersRacingFlushAndCloseLoseNothing() throws Exception {
    Map<Fault, Integer> quickFaults = FaultyCollector.mixedWeights();
    quickFaults.remove(Fault.SLOW_OK);
    quickFaults.remove(Fault.STALL);
    collector = new FaultyCollector(FaultyCollector.random(SEED, quickFaults), 0, false);
    analytics = builder().maxQueueSize(1_000).gzip(true).closeTimeout(Duration.ofSeconds(3)).build();
    ExecutorService producers = Executors.newFixedThreadPool(8);
    CountDownLatch halfway = new CountDownLatch(8);
    List<Future<?>> running = new ArrayList<>();
    for (int p = 0; p < 8; p++) {
      int producer = p;
      running.add(producers.submit(() -> {
        for (int i = 0; i < 4_000; i++) {
          if (i == 500) halfway.countDown();
          String id = "p" + producer + "-" + i;
          if (i % 2 == 0) {
            try {
              analytics.enqueue(track(id));
              ledger.accepted.add(id);
            } catch (IllegalStateException closed) {
              ledger.refusedByException.add(id);
              return null;
            }
          } else if (analytics.offer(track(id))) {
            ledger.accepted.add(id);
          } else {
            ledger.refused.add(id);
          }
        }
        return null;
      }));
    }
    assertTrue(halfway.await(30, TimeUnit.SECONDS));
    List<CompletableFuture<FlushResult>> flushes = new ArrayList<>();
    for (int i = 0; i < 3; i++) flushes.add(analytics.flush());
    CompletableFuture<Void> closing = CompletableFuture.runAsync(analytics::close);
    for (int i = 0; i < 50; i++) {
      try {
        flushes.add(analytics.flush());
      } catch (IllegalStateException closed) {
        assertEquals("Analytics is closed", closed.getMessage());
        break;
      }
    }
    closing.get(30, TimeUnit.SECONDS);
    for (Future<?> future : running) future.get(30, TimeUnit.SECONDS);
    producers.shutdown();
    for (CompletableFuture<FlushResult> flush : flushes) assertTrue(flush.get(30, TimeUnit.SECONDS).isComplete());

    ledger.check(analytics.metrics(), collector);
    assertTrue(ledger.accepted.size() >= 8 * 250, "producers ran: " + ledger.accepted.size());
    assertNoLibraryThreads();
  }

  @Test
  void aFullQueueDropsAndReportsWithoutBlockingTheCaller() throws Exception {
    collector = new FaultyCollector(n -> Fault.STALL, 60_000, false);
    analytics = builder().maxQueueSize(100).maxInFlightRequests(1).readTimeout(Duration.ofSeconds(60)).build();

    // The collector never answers: were offer to wait for room, this would not finish.
    CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 10_000; i++) offer("full-" + i);
    }).get(30, TimeUnit.SECONDS);

    assertEquals(100, ledger.accepted.size());
    assertEquals(9_900, ledger.refused.size());
    assertEquals(9_900, analytics.metrics().dropped(DropReason.QUEUE_FULL));
    analytics.close(Duration.ZERO);
    ledger.check(analytics.metrics(), collector);
    assertEquals(100, ledger.count("dropped") - 9_900 + ledger.count("failed"));
  }

  static void assertNoLibraryThreads() {
    List<String> alive = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith("analytics4j-")) alive.add(thread.getName());
    }
    assertEquals(List.of(), alive);
  }

  @Test
  void anInvalidMessageIsRefusedBeforeItIsCounted() {
    collector = null;
    try (RecordingAnalytics recorder = RecordingAnalytics.create()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> recorder.analytics()
          .enqueue(TrackMessage.builder("E").userId("u").properties(Map.of("x", Double.NaN))));
      assertEquals("properties.x must be a finite number: NaN", e.getMessage());
      assertEquals(0, recorder.analytics().metrics().enqueued());
      assertEquals(0, recorder.sent().size());
    }
  }
}
