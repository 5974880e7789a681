package dev.analytics4j;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the one promise: every message ends in exactly one report, and flush, close and
 * metrics tell the truth, whatever the transport, the callbacks, the threads and the caller do.
 */
class AnalyticsFaultsTest {
  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Analytics> clients = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    release.countDown();
    for (Analytics client : clients) client.close(Duration.ofSeconds(5));
  }

  private Analytics.Builder builder() {
    return Analytics.builder("test-write-key")
        .transport(transport)
        .callback(callback)
        .shutdownHook(false)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .flushInterval(Duration.ofHours(1));
  }

  private Analytics build(Analytics.Builder builder) {
    Analytics analytics = builder.build();
    clients.add(analytics);
    return analytics;
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Item Viewed").userId("u1").messageId(id);
  }

  private RecordingTransport.Answer blockUntilReleased() {
    return request -> {
      release.await();
      return new Transport.Response(200, null, "");
    };
  }

  private static void assertInvariant(Metrics metrics) {
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped(), metrics.toString());
  }

  // Flush results.

  @Test
  void aFlushAfterTheMessagesSettledOnTheirOwnStillCountsThem() throws Exception {
    for (int i = 0; i < 2; i++) transport.enqueue(RecordingTransport.status(400));
    Analytics analytics = build(builder().flushAt(250));
    for (int i = 0; i < 500; i++) analytics.enqueue(track("m" + i));
    // Cut by count, sent and failed without any flush.
    while (analytics.metrics().failed() < 500) Thread.onSpinWait();

    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(new FlushResult(true, 0, 500, 0), result);
    assertFalse(result.isSuccess());
  }

  @Test
  void aFlushCountsEveryMessageOfABigJobExactly() throws Exception {
    Analytics analytics = build(builder().maxQueueSize(20_000).flushAt(100).maxInFlightRequests(2));
    for (int i = 0; i < 20_000; i++) analytics.enqueue(track("m" + i));

    FlushResult result = analytics.flush(Duration.ofSeconds(60));

    assertEquals(new FlushResult(true, 20_000, 0, 0), result);
  }

  @Test
  void concurrentFlushesSplitTheMessagesAndEachWaitsForEverythingBefore() throws Exception {
    Analytics analytics = build(builder().maxQueueSize(50_000).flushAt(50));
    int threads = 4;
    int perThread = 2_000;
    List<CompletableFuture<FlushResult>> results =
        produceFlushingEvery(100, threads, perThread, id -> analytics.enqueue(track(id)), analytics);

    FlushResult last = analytics.flush(Duration.ofSeconds(30));

    long delivered = last.delivered();
    // Per call, not per distinct future: flushes with the same final counts may share one.
    for (CompletableFuture<FlushResult> result : results) {
      // Final once the last flush completed, though its future may complete a moment later.
      FlushResult done = result.get(10, TimeUnit.SECONDS);
      assertTrue(done.isComplete(), done.toString());
      delivered += done.delivered();
    }
    assertEquals(threads * perThread, delivered, "each message counted by exactly one flush");
  }

  @Test
  void concurrentFlushesAccountForEveryOutcomeExactlyUnderMixedFaults() throws Exception {
    java.util.Random random = new java.util.Random(9);
    RecordingTransport.Answer mixed = request -> {
      int roll;
      synchronized (random) {
        roll = random.nextInt(10);
      }
      if (roll < 6) return new Transport.Response(200, null, "");
      if (roll < 7) return new Transport.Response(400, null, "");
      if (roll < 9) return new Transport.Response(503, null, "");
      throw new IOException("connection reset");
    };
    for (int i = 0; i < 100_000; i++) transport.enqueue(mixed);
    Analytics analytics = build(builder().maxQueueSize(400).flushAt(25).maxRetries(1));
    int threads = 4;
    int perThread = 5_000;
    List<CompletableFuture<FlushResult>> results =
        produceFlushingEvery(50, threads, perThread, id -> analytics.offer(track(id)), analytics);
    results.add(analytics.flush());

    long delivered = 0;
    long failed = 0;
    long dropped = 0;
    // Per call, not per distinct future: flushes with the same final counts may share one (those
    // with nothing new complete with an empty result).
    for (CompletableFuture<FlushResult> result : results) {
      FlushResult done = result.get(60, TimeUnit.SECONDS);
      assertTrue(done.isComplete(), done.toString());
      delivered += done.delivered();
      failed += done.failed();
      dropped += done.dropped();
    }
    Metrics metrics = analytics.metrics();
    assertEquals(threads * perThread, delivered + failed + dropped, "every message counted by exactly one flush");
    assertEquals(metrics.sent(), delivered, metrics.toString());
    assertEquals(metrics.failed(), failed, metrics.toString());
    assertEquals(metrics.dropped(), dropped, metrics.toString());
    assertTrue(failed > 0 && dropped > 0, "the run met failures and a full queue: " + metrics);
    assertEquals(List.of(), callback.duplicates);
    assertEquals(threads * perThread, callback.outcomes.size());
  }

  /**
   * Runs {@code threads} producers that each send {@code perThread} ids and flush after every
   * {@code every} of them; returns the flushes once every producer has finished.
   */
  private static List<CompletableFuture<FlushResult>> produceFlushingEvery(int every, int threads,
      int perThread, java.util.function.Consumer<String> send, Analytics analytics) throws InterruptedException {
    List<CompletableFuture<FlushResult>> results = new CopyOnWriteArrayList<>();
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread producer = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          send.accept("t" + id + "-" + i);
          if (i % every == every - 1) results.add(analytics.flush());
        }
      });
      producers.add(producer);
      producer.start();
    }
    for (Thread producer : producers) producer.join(60_000);
    return results;
  }

  @Test
  void aFlushThatTimesOutCountsWhatSettledSoFar() throws Exception {
    transport.enqueue(RecordingTransport.status(400));
    transport.enqueue(blockUntilReleased());
    Analytics analytics = build(builder().flushAt(1).maxInFlightRequests(1));
    analytics.enqueue(track("m0"));
    analytics.enqueue(track("m1"));
    // The 400 is in before the flush waits, so its short timeout depends on no scheduler: m0 is
    // counted, m1 (blocked on the wire) is not.
    assertEquals("failed", callback.awaitOutcome("m0", Duration.ofSeconds(30)));

    FlushResult result = analytics.flush(Duration.ofMillis(300));

    assertEquals(new FlushResult(false, 0, 1, 0), result);
  }

  @Test
  void flushesTakeAnyDurationWithoutOverflow() throws Exception {
    Analytics analytics = build(builder().closeTimeout(ChronoUnit.FOREVER.getDuration())
        .flushInterval(ChronoUnit.FOREVER.getDuration()));
    analytics.enqueue(track("m0"));
    assertEquals(new FlushResult(true, 1, 0, 0), analytics.flush(ChronoUnit.FOREVER.getDuration()));
    analytics.enqueue(track("m1"));
    analytics.close(ChronoUnit.FOREVER.getDuration());
    assertEquals("sent", callback.outcomes.get("m1"));
    assertThrows(IllegalStateException.class, analytics::flush);
  }

  @Test
  void aContinuationThatBlocksOnAnotherFlushDoesNotDeadlockTheClient() throws Exception {
    Analytics analytics = build(builder().maxInFlightRequests(1));
    analytics.enqueue(track("m0"));
    CompletableFuture<FlushResult> inner = new CompletableFuture<>();

    CompletableFuture<Void> outer = analytics.flush().thenRun(() -> {
      analytics.enqueue(track("m1"));
      inner.complete(analytics.flush().join());
    });

    outer.get(10, TimeUnit.SECONDS);
    assertEquals(new FlushResult(true, 1, 0, 0), inner.get());
  }

  @Test
  void flushingAfterEveryMessageKeepsBatchingAndDropsNothing() throws Exception {
    // Room for all, so that only the flushes could cause drops (markers cutting one-message batches
    // did: 18,815 of 20,000 with the default queue).
    Analytics analytics = build(builder().maxQueueSize(20_000).flushAt(250));
    transport.delay = Duration.ofMillis(5);
    for (int i = 0; i < 20_000; i++) {
      analytics.enqueue(track("m" + i));
      analytics.flush();
    }
    FlushResult last = analytics.flush(Duration.ofSeconds(60));
    Metrics metrics = analytics.metrics();

    assertTrue(last.isComplete());
    assertEquals(20_000, metrics.sent(), metrics.toString());
    assertEquals(0, metrics.dropped(), metrics.toString());
    // The requests are as many as the upload slots freed up while messages came in; with a flush
    // per message cutting its own batch they were nearly one per message.
    assertTrue(metrics.requests() < 20_000 / 10, metrics.toString());
  }

  @Test
  void flushingAfterEveryDropDuringAnOutageHoldsNoStatePerFlush() throws Exception {
    // An endpoint that does not answer, a full queue, and a caller that flushes after each message:
    // every message is dropped, and each flush's result waits behind the batch on the wire. What
    // the client keeps for those flushes must not grow with their number.
    Analytics analytics = build(builder().maxQueueSize(10).flushAt(10));
    transport.enqueue(blockUntilReleased());
    for (int i = 0; i < 10; i++) analytics.enqueue(track("m" + i));
    CompletableFuture<FlushResult> first = analytics.flush();
    int flushes = 100_000;
    Set<CompletableFuture<FlushResult>> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    List<CompletableFuture<FlushResult>> all = new ArrayList<>(flushes);
    for (int i = 0; i < flushes; i++) {
      assertFalse(analytics.offer(track("d" + i).build()));
      CompletableFuture<FlushResult> future = analytics.flush();
      all.add(future);
      distinct.add(future);
    }
    assertFalse(first.isDone());
    assertEquals(1, distinct.size(), "futures the client holds for " + flushes + " flushes of one drop each");

    release.countDown();
    assertEquals("FlushResult{complete=true, delivered=10, failed=0, dropped=0}",
        first.get(30, TimeUnit.SECONDS).toString());
    for (CompletableFuture<FlushResult> future : all) {
      assertEquals("FlushResult{complete=true, delivered=0, failed=0, dropped=1}",
          future.get(30, TimeUnit.SECONDS).toString());
    }
    assertEquals(flushes, callback.count("dropped:QUEUE_FULL"));
    assertEquals(10, callback.count("sent"));
  }

  @Test
  void flushFromACallbackRefusesToWaitForItself() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Analytics> client = new AtomicReference<>();
    Analytics analytics = build(builder().callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        try {
          client.get().flush(Duration.ofSeconds(30));
        } catch (Throwable t) {
          thrown.set(t);
        }
      }
    }));
    client.set(analytics);
    analytics.enqueue(track("m0"));
    analytics.flush(Duration.ofSeconds(10));

    assertEquals("flush(Duration) called from a callback would wait for itself; use flush() and a "
        + "continuation instead", thrown.get().getMessage());
  }

  // Errors in callbacks, transports and threads.

  @Test
  void aCallbackThrowingStackOverflowOrOutOfMemoryCostsNoReportAndNoFlush() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Analytics analytics = build(builder().flushAt(100).callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        int n = calls.incrementAndGet();
        if (n % 3 == 0) recurse(0);
        if (n % 3 == 1) throw new OutOfMemoryError("simulated heap exhaustion in a callback");
        callback.onSuccess(message);
      }
    }));
    for (int i = 0; i < 100; i++) analytics.enqueue(track("m" + i));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(new FlushResult(true, 100, 0, 0), result);
    assertEquals(100, calls.get(), "every message of the batch reached the callback");
    analytics.enqueue(track("after"));
    assertEquals(new FlushResult(true, 1, 0, 0), analytics.flush(Duration.ofSeconds(10)));
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  void aTransportThrowingAnErrorFailsItsBatchAndTheClientGoesOn() throws Exception {
    transport.enqueue(request -> {
      throw new OutOfMemoryError("simulated heap exhaustion in the transport");
    });
    Analytics analytics = build(builder().flushAt(10));
    for (int i = 0; i < 10; i++) analytics.enqueue(track("bad" + i));
    for (int i = 0; i < 10; i++) analytics.enqueue(track("good" + i));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(new FlushResult(true, 10, 10, 0), result);
    assertTrue(callback.lastFailure().reason().startsWith("unexpected error: java.lang.OutOfMemoryError"),
        callback.lastFailure().reason());
  }

  @Test
  void anUploadThreadThatFailsToStartCostsNothing() throws Exception {
    AtomicInteger created = new AtomicInteger();
    ThreadFactory failsOnce = runnable -> {
      int n = created.incrementAndGet();
      Thread thread = new Thread(runnable, "test-thread-" + n) {
        @Override
        public synchronized void start() {
          // The first upload thread, as under a container's process limit.
          if (n == 2) throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
          super.start();
        }
      };
      thread.setDaemon(true);
      return thread;
    };
    Analytics analytics = build(builder().threadFactory(failsOnce).flushAt(10));
    for (int i = 0; i < 110; i++) analytics.enqueue(track("m" + i));

    assertEquals(new FlushResult(true, 110, 0, 0), analytics.flush(Duration.ofSeconds(10)));
    analytics.close(Duration.ofSeconds(2));
    assertEquals(110, callback.count("sent"));
  }

  // Close.

  @Test
  void aMessageReportedDroppedIsNeverSentAfterwards() throws Exception {
    transport.enqueue(blockUntilReleased());
    Analytics analytics = build(builder().flushAt(5).maxInFlightRequests(1));
    for (int i = 0; i < 20; i++) analytics.enqueue(track("m" + i));
    transport.takeRequest();

    analytics.close(Duration.ofMillis(100));
    release.countDown();
    // Give a client that would still send every chance to: wait for its threads to end.
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("analytics4j-")) thread.join(2_000);
    }

    Set<String> sentAfter = new HashSet<>();
    for (Transport.Request request : transport.requests()) {
      String body = new String(request.body(), UTF_8);
      for (int i = 5; i < 20; i++) if (body.contains("\"m" + i + "\"")) sentAfter.add("m" + i);
    }
    assertEquals(Set.of(), sentAfter, "dropped messages reached the transport");
    assertEquals(15, callback.count("dropped:CLOSE_TIMEOUT"));
    assertEquals(5, callback.count("failed"));
    assertTrue(callback.lastFailure().mayHaveBeenDelivered());
    assertTrue(callback.lastFailure().abandonedAtClose());
  }

  @Test
  void aBatchCloseCatchesWaitingToRetryFailsWithTheErrorOfItsLastAttempt() throws Exception {
    IOException reset = new IOException("connection reset");
    transport.enqueue(request -> {
      throw reset;
    });
    Analytics analytics = build(builder().flushAt(1).retryBackoff(Duration.ofMinutes(1), Duration.ofMinutes(1)));
    analytics.enqueue(track("m0"));
    transport.takeRequest();
    while (analytics.metrics().retries() == 0) Thread.onSpinWait();

    analytics.close(Duration.ofMillis(100));

    Failure failure = callback.lastFailure();
    assertEquals("close deadline passed while waiting to retry after a network error", failure.reason());
    assertTrue(failure.abandonedAtClose());
    assertEquals(0, failure.statusCode());
    assertTrue(failure.cause() == reset, String.valueOf(failure.cause()));
    assertTrue(failure.mayHaveBeenDelivered(), "a reset after the request went out");
  }

  @Test
  void closeOnAnInterruptedThreadStillDrainsAndKeepsTheInterrupt() throws Exception {
    transport.delay = Duration.ofMillis(20);
    Analytics analytics = build(builder().flushAt(100));
    for (int i = 0; i < 2_000; i++) analytics.enqueue(track("m" + i));

    Thread.currentThread().interrupt();
    try {
      analytics.close(Duration.ofSeconds(30));
      assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
    } finally {
      Thread.interrupted();
    }
    assertEquals(2_000, callback.count("sent"));
    assertEquals(0, analytics.metrics().dropped());
  }

  @Test
  void closeKeepsItsDeadlineWhenCallbacksAreSlowAndTheirReportsStillArrive() throws Exception {
    transport.enqueue(blockUntilReleased());
    CountDownLatch allReported = new CountDownLatch(2_000);
    Analytics analytics = build(builder().flushAt(1).maxInFlightRequests(1).maxQueueSize(3_000)
        .callback(new Callback() {
          @Override
          public void onFailure(EncodedMessage message, Failure failure) {
            allReported.countDown();
          }

          @Override
          public void onDropped(EncodedMessage message, DropReason reason) {
            try {
              Thread.sleep(2);
            } catch (InterruptedException e) {
              throw new AssertionError("a callback was interrupted");
            }
            allReported.countDown();
          }
        }));
    for (int i = 0; i < 2_000; i++) analytics.enqueue(track("m" + i));
    transport.takeRequest();

    SchedulerLag.assertClosesWithin(Duration.ofMillis(100), () -> analytics.close(Duration.ofMillis(100)));
    Metrics metrics = analytics.metrics();
    assertEquals(1_999, metrics.dropped(DropReason.CLOSE_TIMEOUT), "metrics are final when close returns");
    assertEquals(1, metrics.failed());
    assertTrue(allReported.await(30, TimeUnit.SECONDS), "every callback ran, after close returned");
  }

  @Test
  void closeCalledFromACallbackDuringCloseReturnsAtOnce() throws Exception {
    transport.enqueue(blockUntilReleased());
    AtomicReference<Analytics> client = new AtomicReference<>();
    AtomicLong slowestNestedClose = new AtomicLong();
    CountDownLatch allDropped = new CountDownLatch(49);
    Analytics analytics = build(builder().flushAt(1).maxInFlightRequests(1).callback(new Callback() {
      @Override
      public void onDropped(EncodedMessage message, DropReason reason) {
        long start = System.nanoTime();
        client.get().close();
        slowestNestedClose.accumulateAndGet(System.nanoTime() - start, Math::max);
        allDropped.countDown();
      }
    }));
    client.set(analytics);
    for (int i = 0; i < 50; i++) analytics.enqueue(track("m" + i));
    transport.takeRequest();

    try (SchedulerLag lag = SchedulerLag.start()) {
      long start = System.nanoTime();
      analytics.close(Duration.ofMillis(100));
      lag.assertWithin(System.nanoTime() - start, Duration.ofMillis(100).plus(SchedulerLag.CLOSE_OVERRUN), "close(100 ms)");
      assertTrue(allDropped.await(30, TimeUnit.SECONDS));
      // One that waited for the outer close would take until that returned, hundreds of ms after
      // the drops; returning at once takes microseconds.
      lag.assertWithin(slowestNestedClose.get(), Duration.ofMillis(100), "the slowest close from a callback");
    }
  }

  @Test
  void closeKeepsItsDeadlineWhenTheTransportsCloseNeverReturns() throws Exception {
    Transport hanging = new Transport() {
      @Override
      public Response send(Request request) {
        return new Response(200, null, "");
      }

      @Override
      public void close() {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    Analytics analytics = build(builder().transport(hanging));
    analytics.enqueue(track("m0"));

    SchedulerLag.assertClosesWithin(Duration.ofMillis(100), () -> analytics.close(Duration.ofMillis(100)));
    assertEquals("sent", callback.outcomes.get("m0"));
  }

  @Test
  void closeCalledFromACallbackOnAnUploadThreadClosesWithoutWaitingForItself() throws Exception {
    AtomicReference<Analytics> client = new AtomicReference<>();
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<Long> tookNanos = new AtomicReference<>();
    Analytics analytics = build(builder().flushAt(1).callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        callback.onSuccess(message);
        if (message.messageId().equals("m0")) {
          long start = System.nanoTime();
          client.get().close(Duration.ofSeconds(5));
          tookNanos.set(System.nanoTime() - start);
          closed.countDown();
        }
      }
    }));
    client.set(analytics);
    analytics.enqueue(track("m0"));

    assertTrue(closed.await(10, TimeUnit.SECONDS));
    // Waiting for itself would take the whole 5 s deadline; half of it is room for a loaded machine.
    assertTrue(tookNanos.get() < TimeUnit.MILLISECONDS.toNanos(2_500), "close took " + tookNanos.get() + " ns");
    assertEquals("sent", callback.outcomes.get("m0"));
    assertThrows(IllegalStateException.class, () -> analytics.enqueue(track("m1")));
  }

  @Test
  void closeNeverInterruptsACallbackWritingADeadLetterFile(@TempDir Path dir) throws Exception {
    transport.enqueue(RecordingTransport.status(400));
    Path deadLetters = dir.resolve("dead-letters.ndjson");
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch closing = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(500);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Analytics analytics = build(builder().flushAt(500).maxQueueSize(500).callback(new Callback() {
      @Override
      public void onFailure(EncodedMessage message, Failure failure) {
        try (FileChannel channel = FileChannel.open(deadLetters, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
          writing.countDown();
          closing.await(10, TimeUnit.SECONDS);
          channel.write(ByteBuffer.wrap((message.json() + "\n").getBytes(UTF_8)));
          written.countDown();
        } catch (IOException | InterruptedException e) {
          errors.add(e);
        }
      }
    }));
    for (int i = 0; i < 500; i++) analytics.enqueue(track("m" + i));
    assertTrue(writing.await(10, TimeUnit.SECONDS));

    Thread closer = new Thread(() -> analytics.close(Duration.ofSeconds(10)));
    closer.start();
    closing.countDown();
    closer.join(20_000);
    assertTrue(written.await(20, TimeUnit.SECONDS) || !errors.isEmpty());

    assertEquals(List.of(), errors);
    assertEquals(500, Files.readAllLines(deadLetters).size());
  }

  @Test
  void enqueueRacingCloseGivesEachMessageExactlyOneSignal() throws Exception {
    for (int round = 0; round < 20; round++) {
      RecordingCallback outcomes = new RecordingCallback();
      Analytics analytics = Analytics.builder("k").transport(transport).callback(outcomes)
          .shutdownHook(false).flushAt(10).build();
      Set<String> thrown = ConcurrentHashMap.newKeySet();
      Set<String> offeredFalse = ConcurrentHashMap.newKeySet();
      AtomicInteger ids = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> producers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        boolean useOffer = t == 2;
        Thread producer = new Thread(() -> {
          while (!stop.get()) {
            String id = "r" + ids.incrementAndGet();
            try {
              if (useOffer) {
                if (!analytics.offer(track(id))) offeredFalse.add(id);
              } else {
                analytics.enqueue(track(id));
              }
            } catch (IllegalStateException e) {
              thrown.add(id);
            }
          }
        });
        producers.add(producer);
        producer.start();
      }
      while (ids.get() < 200) Thread.onSpinWait();
      analytics.close(Duration.ofSeconds(5));
      stop.set(true);
      for (Thread producer : producers) producer.join(10_000);

      assertEquals(List.of(), outcomes.duplicates);
      for (String id : thrown) {
        assertEquals(null, outcomes.outcomes.get(id), id + " threw and was also reported");
      }
      for (int i = 1; i <= ids.get(); i++) {
        String id = "r" + i;
        assertTrue(thrown.contains(id) ^ outcomes.outcomes.containsKey(id), id + ": one signal");
      }
      for (String id : offeredFalse) {
        assertTrue(outcomes.outcomes.get(id).startsWith("dropped:"), id + ": " + outcomes.outcomes.get(id));
      }
      Metrics metrics = analytics.metrics();
      assertInvariant(metrics);
      assertEquals(outcomes.outcomes.size(), metrics.enqueued());
    }
  }
}
