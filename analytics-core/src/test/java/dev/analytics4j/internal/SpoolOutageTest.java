package dev.analytics4j.internal;

import static dev.analytics4j.internal.SpoolFixtures.client;
import static dev.analytics4j.internal.SpoolFixtures.leaveInSpool;
import static dev.analytics4j.internal.SpoolFixtures.message;
import static dev.analytics4j.internal.SpoolFixtures.messageIds;
import static dev.analytics4j.internal.SpoolFixtures.segments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a spool, an outage of the endpoint is waited out: retryable failures never fail a message
 * before {@code spoolMaxAge}, however many retries that takes, while without a spool retries end as
 * before.
 */
class SpoolOutageTest {
  @TempDir Path temp;
  private final List<Analytics> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    for (Analytics client : clients) client.close(Duration.ofSeconds(5));
  }

  private Analytics build(Analytics.Builder builder) {
    Analytics analytics = builder.build();
    clients.add(analytics);
    return analytics;
  }

  private static List<String> ids(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toList());
  }

  /**
   * A collector that fails every request (alternating a refused connection, a reset after the
   * request was written, and 503) until {@link #up()}, counting the failed attempts; then accepts,
   * counting each messageId.
   */
  static final class Outage implements Transport {
    final Map<String, Integer> received = new ConcurrentHashMap<>();
    final CountDownLatch failures;
    final List<Long> attemptNanos = new CopyOnWriteArrayList<>();
    private volatile boolean up;
    private volatile Response failure;

    Outage(int failuresToCount) {
      this.failures = new CountDownLatch(failuresToCount);
    }

    /** Answers every request with {@code response} while down, instead of the mix of errors. */
    Outage answering(Response response) {
      this.failure = response;
      return this;
    }

    void up() {
      up = true;
    }

    @Override
    public Response send(Request request) throws IOException {
      attemptNanos.add(System.nanoTime());
      if (!up) {
        long n = failures.getCount();
        failures.countDown();
        if (failure != null) return failure;
        if (n % 3 == 0) throw new ConnectException("connection refused");
        if (n % 3 == 1) throw new java.net.SocketException("connection reset");
        return new Response(503, null, "unavailable");
      }
      for (String id : messageIds(request.body())) received.merge(id, 1, Integer::sum);
      return new Response(200, null, "{\"success\":true}");
    }

    long duplicates() {
      return received.values().stream().filter(n -> n > 1).count();
    }
  }

  private static Analytics.Builder spooled(Path dir, Transport transport) {
    return client(dir, transport).maxRetries(2).maxRetryDuration(Duration.ofMillis(10))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(4));
  }

  @Test
  void anOutageOfManyMoreAttemptsThanMaxRetriesDeliversEveryMessageOnceAndFailsNone() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(60);
    RecordingCallback callback = new RecordingCallback();
    // A window of 20: 20 messages wait in memory, 80 in the spool's backlog.
    Analytics analytics = build(spooled(dir, outage).callback(callback).maxQueueSize(20).flushAt(10));
    for (String id : ids("m", 100)) assertTrue(analytics.offer(message(id)));

    assertTrue(outage.failures.await(30, TimeUnit.SECONDS), "60 failed attempts, 20 times maxRetries + 1");
    Metrics during = analytics.metrics();
    assertEquals(0, during.failed(), during.toString());
    assertEquals(20, during.queuedMessages(), during.toString());
    assertEquals(80, during.spooledMessages(), during.toString());
    outage.up();
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(Internal.get().flushResult(true, 100, 0, 0).toString(), result.toString());
    assertEquals(new HashSet<>(ids("m", 100)), outage.received.keySet());
    assertEquals(0, outage.duplicates());
    assertEquals(100, callback.count("sent"));
    assertTrue(callback.duplicates.isEmpty(), callback.duplicates.toString());
    Metrics metrics = analytics.metrics();
    assertEquals(0, metrics.failed(), metrics.toString());
    assertTrue(metrics.retries() >= 60, metrics.toString());
    analytics.close();
    assertTrue(segments(dir).isEmpty(), "every record acknowledged");
  }

  @Test
  void aRetryAfterDuringASpoolWaitIsObeyedBeyondItsTotalBudgetAndUsesNoRetry() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(6).answering(new Transport.Response(429, "1", "slow down"));
    RecordingCallback callback = new RecordingCallback();
    // Each Retry-After (1 s) capped at 100 ms; the total budget for them (1 ms) is spent at once,
    // after which, without a spool, the answers would count as retries, of which there are none.
    Analytics analytics = build(spooled(dir, outage).callback(callback).maxRetries(0)
        .maxRetryAfter(Duration.ofMillis(100), Duration.ofMillis(1)));
    for (String id : ids("m", 5)) analytics.enqueue(message(id));
    CompletableFuture<FlushResult> flushed = analytics.flush();

    assertTrue(outage.failures.await(30, TimeUnit.SECONDS));
    outage.up();
    FlushResult result = flushed.get(30, TimeUnit.SECONDS);

    assertEquals(Internal.get().flushResult(true, 5, 0, 0).toString(), result.toString());
    assertEquals(new HashSet<>(ids("m", 5)), outage.received.keySet());
    List<Long> at = new ArrayList<>(outage.attemptNanos);
    for (int i = 1; i < 7; i++) {
      long gapMillis = TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1));
      assertTrue(gapMillis >= 95, "attempt " + (i + 1) + " came " + gapMillis + " ms after the 429, not 100");
    }
    Metrics metrics = analytics.metrics();
    assertEquals(0, metrics.failed(), metrics.toString());
  }

  @Test
  void theMaxAgeFailsEachMessageExactlyOnceAsExpiredAndNeverBefore() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(0).answering(new Transport.Response(503, null, "unavailable"));
    Duration maxAge = Duration.ofMillis(200);
    Map<String, Long> offeredAt = new ConcurrentHashMap<>();
    Map<String, Long> failedAt = new ConcurrentHashMap<>();
    List<Failure> failures = new CopyOnWriteArrayList<>();
    RecordingCallback recording = new RecordingCallback();
    Callback callback = new Callback() {
      @Override
      public void onFailure(EncodedMessage message, Failure failure) {
        failedAt.put(message.messageId(), System.nanoTime());
        failures.add(failure);
        recording.onFailure(message, failure);
      }

      @Override
      public void onSuccess(EncodedMessage message) {
        recording.onSuccess(message);
      }

      @Override
      public void onDropped(EncodedMessage message, DropReason reason) {
        recording.onDropped(message, reason);
      }
    };
    // Retries alone would give up after 2; 30 messages through a window of 10, so 20 wait on disk.
    Analytics analytics = build(spooled(dir, outage).callback(callback).spoolMaxAge(maxAge)
        .maxQueueSize(10).flushAt(5));
    for (String id : ids("m", 30)) {
      // Before the call: a message is accepted, and starts to age, during it.
      offeredAt.put(id, System.nanoTime());
      assertTrue(analytics.offer(message(id)));
    }
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(Internal.get().flushResult(true, 0, 30, 0).toString(), result.toString());
    assertEquals(30, recording.count("failed"));
    assertTrue(recording.duplicates.isEmpty(), recording.duplicates.toString());
    for (Failure failure : failures) {
      assertTrue(failure.expired(), failure.toString());
      assertFalse(failure.abandonedAtClose(), failure.toString());
      assertEquals(503, failure.statusCode());
      assertTrue(failure.reason().startsWith("HTTP 503; gave up: the messages waited longer than "
          + "spoolMaxAge (PT0.2S)"), failure.reason());
    }
    for (String id : ids("m", 30)) {
      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(failedAt.get(id) - offeredAt.get(id));
      assertTrue(waitedMillis >= maxAge.toMillis(), id + " failed after " + waitedMillis + " ms");
    }
    Metrics metrics = analytics.metrics();
    assertEquals(30, metrics.failed(), metrics.toString());
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped());
    analytics.close();
    assertTrue(segments(dir).isEmpty(), "expired records leave the spool");
  }

  @Test
  void recoveredMessagesExpireTooMeasuredFromTheirRecovery() throws Exception {
    Path dir = temp.resolve("spool");
    leaveInSpool(dir, ids("r", 12));
    Outage outage = new Outage(0).answering(new Transport.Response(500, null, ""));
    RecordingCallback callback = new RecordingCallback();
    long built = System.nanoTime();
    Analytics analytics = build(spooled(dir, outage).callback(callback)
        .spoolMaxAge(Duration.ofMillis(150)).maxQueueSize(5).flushAt(5));
    FlushResult result = analytics.flush(Duration.ofSeconds(30));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - built);

    assertEquals(Internal.get().flushResult(true, 0, 12, 0).toString(), result.toString());
    assertEquals(12, callback.count("failed"));
    assertTrue(callback.failures.stream().allMatch(Failure::expired), callback.failures.toString());
    assertTrue(tookMillis >= 150, "expired " + tookMillis + " ms after recovery");
    assertEquals(12, analytics.metrics().failed());
  }

  @Test
  void aFlushDuringTheWaitIsIncompleteAndCloseLeavesTheMessagesForTheNextClient() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(20);
    RecordingCallback callback = new RecordingCallback();
    Analytics first = build(spooled(dir, outage).callback(callback).maxQueueSize(10).flushAt(5));
    for (String id : ids("m", 30)) assertTrue(first.offer(message(id)));
    assertTrue(outage.failures.await(30, TimeUnit.SECONDS), "20 failed attempts, far past maxRetries");

    FlushResult waiting = first.flush(Duration.ofMillis(50));
    assertEquals(Internal.get().flushResult(false, 0, 0, 0).toString(), waiting.toString());
    first.close(Duration.ofMillis(100));

    assertEquals(30, callback.count("dropped:SPOOLED"));
    Metrics metrics = first.metrics();
    assertEquals(0, metrics.failed(), metrics.toString());
    assertEquals(30, metrics.dropped(DropReason.SPOOLED), metrics.toString());

    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    RecordingCallback next = new RecordingCallback();
    Analytics second = build(client(dir, collector).callback(next));
    assertEquals(30, second.metrics().recovered());
    assertEquals(Internal.get().flushResult(true, 30, 0, 0).toString(), second.flush(Duration.ofSeconds(30)).toString());
    assertEquals(new HashSet<>(ids("m", 30)), collector.received.keySet());
    assertEquals(0, collector.duplicates());
  }

  @Test
  void onceTheSpoolHasLostItsDirectoryWaitingBatchesAreRetriedAsWithoutASpool() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(20);
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = build(spooled(dir, outage).callback(callback).maxQueueSize(20).flushAt(10));
    for (String id : ids("m", 60)) assertTrue(analytics.offer(message(id)));
    assertTrue(outage.failures.await(30, TimeUnit.SECONDS));
    assertEquals(0, analytics.metrics().failed());

    // Detached: this client writes nothing there any more, so its batches no longer wait on disk.
    java.nio.file.Files.delete(dir.resolve("lock"));
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(Internal.get().flushResult(true, 0, 60, 0).toString(), result.toString());
    assertTrue(callback.failures.stream().noneMatch(Failure::expired), callback.failures.toString());
    assertTrue(callback.failures.stream().allMatch(f -> f.reason().endsWith("; gave up after 2 retries")
        || f.reason().contains("; gave up: retry time budget of 10 ms spent")), callback.failures.toString());
    assertEquals(60, analytics.metrics().failed());
  }

  @Test
  void aNonRetryableAnswerStillFailsAtOnceWithASpool() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(0).answering(new Transport.Response(400, null, "bad request"));
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = build(spooled(dir, outage).callback(callback));
    for (String id : ids("m", 10)) analytics.enqueue(message(id));
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(Internal.get().flushResult(true, 0, 10, 0).toString(), result.toString());
    assertEquals(1, outage.attemptNanos.size());
    Failure failure = callback.lastFailure();
    assertEquals(400, failure.statusCode());
    assertEquals(1, failure.attempts());
    assertFalse(failure.expired());
    assertEquals("HTTP 400 is not retryable: bad request", failure.reason());
  }

  @Test
  void withoutASpoolRetriesStillEndAtMaxRetriesAndSpoolMaxAgeIsIgnored() throws Exception {
    Outage outage = new Outage(0).answering(new Transport.Response(503, null, ""));
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = build(Analytics.builder("key").transport(outage).callback(callback)
        .shutdownHook(false).flushInterval(Duration.ofHours(1)).maxRetries(2)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(4)).spoolMaxAge(Duration.ofDays(365)));
    for (String id : ids("m", 3)) analytics.enqueue(message(id));
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(Internal.get().flushResult(true, 0, 3, 0).toString(), result.toString());
    assertEquals(3, outage.attemptNanos.size());
    Failure failure = callback.lastFailure();
    assertFalse(failure.expired());
    assertEquals("HTTP 503; gave up after 2 retries", failure.reason());
  }

  @Test
  void spoolMaxAgeIsChecked() {
    Analytics.Builder builder = Analytics.builder("k");
    assertEquals("spoolMaxAge == null",
        assertThrows(NullPointerException.class, () -> builder.spoolMaxAge(null)).getMessage());
    assertEquals("spoolMaxAge must be positive: PT0S",
        assertThrows(IllegalArgumentException.class, () -> builder.spoolMaxAge(Duration.ZERO)).getMessage());
    assertEquals("spoolMaxAge must be positive: PT-1S",
        assertThrows(IllegalArgumentException.class, () -> builder.spoolMaxAge(Duration.ofSeconds(-1))).getMessage());
  }

  @Test
  void aSpoolMaxAgeOfForeverWaitsAndNeverOverflows() throws Exception {
    Path dir = temp.resolve("spool");
    Outage outage = new Outage(30);
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = build(spooled(dir, outage).callback(callback)
        .spoolMaxAge(java.time.temporal.ChronoUnit.FOREVER.getDuration()).maxQueueSize(10).flushAt(5));
    for (String id : ids("m", 25)) assertTrue(analytics.offer(message(id)));
    assertTrue(outage.failures.await(30, TimeUnit.SECONDS));
    outage.up();

    assertEquals(Internal.get().flushResult(true, 25, 0, 0).toString(), analytics.flush(Duration.ofSeconds(30)).toString());
    assertTrue(analytics.toString().contains("spoolMaxAge=PT"), analytics.toString());
  }
}
