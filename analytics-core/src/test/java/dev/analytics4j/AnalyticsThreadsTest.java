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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on "every message gets exactly one report" through the client's threads: thread
 * factories that throw, return null, or make threads that cannot start, die at start or stall, on
 * any thread; and Errors thrown from every user hook that runs on those threads. Each test counts
 * every message's report in the callback, the listener and the metrics, and times flush and close
 * against their deadlines.
 */
class AnalyticsThreadsTest {
  /** What close may take beyond its deadline, and flush with a timeout beyond its timeout. */

  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final OutcomeListener listener = new OutcomeListener();
  /** Releases stalled factory threads, so that they end with the test. */
  private final CountDownLatch unstall = new CountDownLatch(1);
  private final List<Analytics> clients = new CopyOnWriteArrayList<>();
  /**
   * What killed a thread, other than the deaths the tests arrange; by class name, as a test's own
   * report of an Error whose description throws would fail too.
   */
  private final List<String> uncaught = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    unstall.countDown();
    for (Analytics client : clients) client.close(Duration.ofSeconds(5));
    assertEquals(List.of(), uncaught, "threads died of something no test arranged");
  }

  private Analytics.Builder builder() {
    return Analytics.builder("test-write-key")
        .transport(transport)
        .callback(callback)
        .listener(listener)
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

  // Thread factories that fail.

  /** The ways a user's thread factory fails to give a thread that runs what it was given. */
  enum Failing {
    THROWS, RETURNS_NULL, START_THROWS, DIES_AT_START, STALLS
  }

  /** An Error the factory's threads die of on purpose; anything else reaching a thread's end fails the test. */
  static final class DeliberateDeath extends Error {
    DeliberateDeath(String message) {
      super(message);
    }
  }

  /** Makes threads named {@code test-thread-N}; those numbered as {@code fails} says fail as {@code how}. */
  private ThreadFactory factory(Failing how, IntPredicate fails) {
    AtomicInteger made = new AtomicInteger();
    return runnable -> {
      int n = made.incrementAndGet();
      boolean fail = fails.test(n);
      if (fail && how == Failing.THROWS) throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
      if (fail && how == Failing.RETURNS_NULL) return null;
      Runnable body = runnable;
      if (fail && how == Failing.DIES_AT_START) {
        body = () -> {
          throw new DeliberateDeath("test-thread-" + n + " dies before running its task");
        };
      } else if (fail && how == Failing.STALLS) {
        body = () -> {
          awaitUninterruptibly(unstall);
          runnable.run(); // too late: the client took the task back, so this must do nothing
        };
      }
      Thread thread = new Thread(body, "test-thread-" + n) {
        @Override
        public synchronized void start() {
          if (fail && how == Failing.START_THROWS) {
            throw new OutOfMemoryError("unable to create native thread: possibly out of memory");
          }
          super.start();
        }
      };
      thread.setDaemon(true);
      thread.setUncaughtExceptionHandler((t, e) -> {
        if (!(e instanceof DeliberateDeath)) uncaught.add(t.getName() + " died of " + e.getClass().getName());
      });
      return thread;
    };
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // A stalled thread stalls through interrupts too.
      }
    }
  }

  static Stream<Arguments> factoriesFailingLater() {
    List<Arguments> cases = new ArrayList<>();
    for (Failing how : Failing.values()) {
      for (int nth : new int[] {2, 3, 5}) {
        cases.add(Arguments.of(how, nth, false));
        cases.add(Arguments.of(how, nth, true));
      }
    }
    return cases.stream();
  }

  /**
   * The first thread is the flusher; later ones are upload, flush and close threads, in an order
   * that depends on timing. Failing on the Nth only, or on every one from the Nth on, each message
   * is still sent and reported once, and flush and close keep their deadlines.
   */
  @ParameterizedTest(name = "{0} on thread {1}, and every later one: {2}")
  @MethodSource("factoriesFailingLater")
  void aThreadFactoryFailingOnItsNthThreadCostsNoMessageItsReport(Failing how, int nth, boolean everyLater)
      throws Exception {
    ThreadFactory threads = factory(how, n -> everyLater ? n >= nth : n == nth);
    Analytics analytics = build(builder().threadFactory(threads).flushAt(10).maxInFlightRequests(2));

    List<Thread> producers = new ArrayList<>();
    List<FlushResult> flushes = new CopyOnWriteArrayList<>();
    List<Long> flushNanos = new CopyOnWriteArrayList<>();
    for (int p = 0; p < 3; p++) {
      int producer = p;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 40; i++) analytics.enqueue(track("p" + producer + "-" + i));
        long start = System.nanoTime();
        flushes.add(analytics.flush(Duration.ofSeconds(10)));
        flushNanos.add(System.nanoTime() - start);
      });
      producers.add(thread);
      thread.start();
    }
    for (Thread producer : producers) producer.join(30_000);

    for (FlushResult flush : flushes) assertTrue(flush.isComplete(), flush.toString());
    for (long nanos : flushNanos) assertTrue(nanos < TimeUnit.SECONDS.toNanos(10), nanos + " ns");
    assertEquals(120, flushes.stream().mapToLong(FlushResult::delivered).sum(), flushes.toString());
    assertClosesWithin(analytics, Duration.ofSeconds(2));
    assertEachMessageReportedOnce(analytics, 120);
    assertEquals(120, callback.count("sent"));
  }

  @ParameterizedTest
  @EnumSource(value = Failing.class, names = {"THROWS", "RETURNS_NULL", "START_THROWS", "DIES_AT_START"})
  void aThreadFactoryThatCannotGiveTheFlusherThreadFailsBuildSayingWhy(Failing how) {
    Analytics.Builder builder = builder().threadFactory(factory(how, n -> true));

    IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);

    String why;
    switch (how) {
      case THROWS:
        why = "the threadFactory threw java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory";
        break;
      case RETURNS_NULL:
        why = "the threadFactory returned null";
        break;
      case START_THROWS:
        why = "the threadFactory's thread test-thread-1 could not be started: java.lang.OutOfMemoryError: "
            + "unable to create native thread: possibly out of memory";
        break;
      default:
        why = "the threadFactory's thread test-thread-1 ended without running the task it was given";
    }
    assertEquals("Cannot start the client's flusher thread: " + why, e.getMessage());
  }

  @Test
  void uploadThreadsThatDieAtStartLeaveNoMessageWithoutItsReport() throws Exception {
    // The run: every thread after the flusher dies before running what it was given.
    Analytics analytics = build(builder().threadFactory(factory(Failing.DIES_AT_START, n -> n > 1)).flushAt(10));
    for (int i = 0; i < 40; i++) analytics.enqueue(track("m" + i));

    long start = System.nanoTime();
    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(new FlushResult(true, 40, 0, 0), result);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    assertClosesWithin(analytics, Duration.ofSeconds(1));
    assertEachMessageReportedOnce(analytics, 40);
  }

  @Test
  void whatCloseGivesUpOnIsToldEvenWhenCloseThreadsDie() throws Exception {
    // Flusher and upload threads work; every later one (flush, close) dies at start.
    AtomicInteger made = new AtomicInteger();
    CountDownLatch hold = new CountDownLatch(1);
    // Like OkHttp's, this transport's close cancels the call in flight.
    Transport cancelling = new Transport() {
      @Override
      public Response send(Request request) throws IOException {
        return transport.send(request);
      }

      @Override
      public void close() {
        transport.close();
        hold.countDown();
      }
    };
    transport.enqueue(request -> {
      hold.await();
      throw new IOException("Canceled");
    });
    ThreadFactory threads = factory(Failing.DIES_AT_START, n -> n > 2);
    Analytics analytics = build(builder().transport(cancelling).flushAt(10).maxInFlightRequests(1).threadFactory(r -> {
      made.incrementAndGet();
      return threads.newThread(r);
    }));
    for (int i = 0; i < 30; i++) analytics.enqueue(track("m" + i));
    transport.takeRequest();

    assertClosesWithin(analytics, Duration.ofMillis(200));

    assertEachMessageReportedOnce(analytics, 30);
    assertEquals(20, callback.count("dropped:CLOSE_TIMEOUT"));
    assertEquals(10, callback.count("failed"));
    assertTrue(callback.lastFailure().mayHaveBeenDelivered());
    assertTrue(made.get() > 2, "a close thread was asked for: " + made.get());
  }

  @Test
  void producersRacingCloseWithAFactoryFailingEveryOtherThreadGetOneReportEach() throws Exception {
    for (int round = 0; round < 10; round++) {
      RecordingCallback outcomes = new RecordingCallback();
      OutcomeListener told = new OutcomeListener();
      Failing how = Failing.values()[round % Failing.values().length];
      // Slow enough that close's deadline catches batches on the wire and waiting.
      transport.delay = Duration.ofMillis(20);
      Analytics analytics = Analytics.builder("test-write-key").transport(transport).callback(outcomes)
          .listener(told).shutdownHook(false).flushAt(10).maxInFlightRequests(2)
          .threadFactory(factory(how, n -> n > 1 && n % 2 == 0)).build();
      AtomicInteger ids = new AtomicInteger();
      List<Thread> producers = new ArrayList<>();
      for (int p = 0; p < 3; p++) {
        Thread producer = new Thread(() -> {
          for (int i = 0; i < 200; i++) analytics.offer(track("r" + ids.incrementAndGet()));
        });
        producers.add(producer);
        producer.start();
      }
      while (ids.get() < 150) Thread.onSpinWait();
      assertClosesWithin(analytics, Duration.ofMillis(50));
      for (Thread producer : producers) producer.join(30_000);

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (outcomes.outcomes.size() < 600 && System.nanoTime() < deadline) told.awaitChange(deadline);
      assertEquals(List.of(), outcomes.duplicates, how.toString());
      assertEquals(600, outcomes.outcomes.size(), how + ": messages with a report");
      assertEquals(outcomes.outcomes, told.outcomes, how.toString());
      Metrics metrics = analytics.metrics();
      assertEquals(600, metrics.enqueued(), metrics.toString());
      assertEquals(outcomes.count("sent"), metrics.sent(), metrics.toString());
      assertEquals(outcomes.count("failed"), metrics.failed(), metrics.toString());
      for (DropReason reason : DropReason.values()) {
        assertEquals(outcomes.count("dropped:" + reason), metrics.dropped(reason), reason + " in " + metrics);
      }
    }
  }

  // Errors from user code on the client's threads.

  /**
   * The Errors user code throws in these tests, in turn: each must cost nothing but its own call.
   * Without a stack trace: the client logs each, and the log's volume is not what is under test.
   */
  static final class HookError extends Error {
    HookError(String message) {
      super(message, null, false, false);
    }
  }

  /** An Error whose description throws again: what the client does to report it must not. */
  static final class PoisonError extends Error {
    PoisonError() {
      super(null, null, false, false);
    }

    @Override
    public String toString() {
      throw new PoisonError();
    }

    @Override
    public String getMessage() {
      throw new PoisonError();
    }
  }

  private static final AtomicInteger turns = new AtomicInteger();

  /**
   * Throws the next of: a StackOverflowError (a real one every 40th time: each is logged with a
   * trace 1,024 frames deep, and thousands would test the log more than the client), an
   * OutOfMemoryError, a custom Error, and one whose description throws.
   */
  private static void throwAnError() {
    int turn = turns.incrementAndGet();
    if (turn % 40 == 0) recurse(0);
    switch (turn % 4) {
      case 0:
        throw new StackOverflowError("deliberate");
      case 1:
        throw new OutOfMemoryError("simulated heap exhaustion in user code");
      case 2:
        throw new HookError("a bug in user code");
      default:
        throw new PoisonError();
    }
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  void errorsFromEveryHookAndTheTransportCostNoReportAndNoThread() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    Transport throwing = new Transport() {
      @Override
      public Response send(Request request) throws IOException {
        switch (requests.incrementAndGet() % 6) {
          case 0:
            return new Response(200, null, "");
          case 1:
            throw new OutOfMemoryError("simulated heap exhaustion in the transport");
          case 2:
            // A RuntimeException whose description throws: reporting it must not lose the batch.
            throw new IllegalStateException() {
              @Override
              public String toString() {
                throw new PoisonError();
              }
            };
          case 3:
            throw new IOException("connection reset") {
              @Override
              public String toString() {
                throw new PoisonError();
              }
            };
          case 4:
            return new Response(400, null, "bad");
          default:
            throw new HookError("a transport bug");
        }
      }

      @Override
      public void close() {
        throw new HookError("a transport's close bug");
      }
    };
    AnalyticsListener throwingListener = new AnalyticsListener() {
      @Override public void messageEnqueued(EncodedMessage message) {
        listener.messageEnqueued(message);
        throwAnError();
      }

      @Override public void messageDelivered(EncodedMessage message) {
        listener.messageDelivered(message);
        throwAnError();
      }

      @Override public void messageFailed(EncodedMessage message, Failure failure) {
        listener.messageFailed(message, failure);
        throwAnError();
      }

      @Override public void messageDropped(EncodedMessage message, DropReason reason) {
        listener.messageDropped(message, reason);
        throwAnError();
      }

      @Override public void requestStart(int messageCount, int attempt) {
        listener.requestStart(messageCount, attempt);
        throwAnError();
      }

      @Override public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
        listener.requestEnd(messageCount, attempt, statusCode, latencyNanos);
        throwAnError();
      }

      @Override public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
        listener.requestFailed(messageCount, attempt, error, latencyNanos);
        throwAnError();
      }

      @Override public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
        throwAnError();
      }
    };
    Callback throwingCallback = new Callback() {
      @Override public void onSuccess(EncodedMessage message) {
        callback.onSuccess(message);
        throwAnError();
      }

      @Override public void onFailure(EncodedMessage message, Failure failure) {
        callback.onFailure(message, failure);
        throwAnError();
      }

      @Override public void onDropped(EncodedMessage message, DropReason reason) {
        callback.onDropped(message, reason);
        throwAnError();
      }
    };
    // Every thread of the client comes from this factory, so a thread killed by an Error would show.
    ThreadFactory threads = factory(Failing.THROWS, n -> false);
    Analytics analytics = build(builder().transport(throwing).listener(throwingListener).callback(throwingCallback)
        .threadFactory(threads).flushAt(10).maxQueueSize(60).maxRetries(1));

    // Producers race close: offers after it are dropped CLOSED, and every offer gets its report.
    AtomicInteger ids = new AtomicInteger();
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      Thread producer = new Thread(() -> {
        for (int i = 0; i < 150; i++) {
          analytics.offer(track("m" + ids.incrementAndGet()));
          if (i == 50) {
            try {
              analytics.flush();
            } catch (IllegalStateException closed) {
              // close began first: flush() refuses, offers go on being dropped with a report
            }
          }
        }
      });
      producers.add(producer);
      producer.start();
    }
    while (ids.get() < 200) Thread.onSpinWait();
    assertClosesWithin(analytics, Duration.ofSeconds(2));
    for (Thread producer : producers) producer.join(30_000);

    assertEachMessageReportedOnce(analytics, 450);
    assertTrue(callback.count("sent") > 0, callback.outcomes.toString());
    assertTrue(callback.count("failed") > 0, callback.outcomes.toString());
    assertTrue(listener.requestsWithoutEnd() == 0, "every requestStart has its end: " + listener.requestsWithoutEnd());
  }

  @Test
  void theClientKeepsSendingAfterErrorsFromEveryHook() throws Exception {
    transport.enqueue(request -> {
      throw new PoisonError();
    });
    Analytics analytics = build(builder().flushAt(5).maxInFlightRequests(1).callback(new Callback() {
      @Override public void onSuccess(EncodedMessage message) {
        callback.onSuccess(message);
        throwAnError();
      }

      @Override public void onFailure(EncodedMessage message, Failure failure) {
        callback.onFailure(message, failure);
        throwAnError();
      }
    }));
    for (int i = 0; i < 5; i++) analytics.enqueue(track("first" + i));
    assertEquals(new FlushResult(true, 0, 5, 0), analytics.flush(Duration.ofSeconds(10)));
    assertEquals("unexpected error: " + PoisonError.class.getName(), callback.lastFailure().reason());

    for (int i = 0; i < 50; i++) analytics.enqueue(track("then" + i));
    assertEquals(new FlushResult(true, 50, 0, 0), analytics.flush(Duration.ofSeconds(10)));
    assertClosesWithin(analytics, Duration.ofSeconds(1));
    assertEachMessageReportedOnce(analytics, 55);
  }

  // Helpers.

  private static void assertClosesWithin(Analytics analytics, Duration timeout) {
    SchedulerLag.assertClosesWithin(timeout, () -> analytics.close(timeout));
  }

  /**
   * Each of {@code messages} reached the callback exactly once, the listener with the same outcome,
   * and the metrics count what the callback was told, outcome by outcome. Called after close, when
   * the callbacks of what close gave up on may still be running, so it waits for them (a bounded
   * wait: they were counted before close returned).
   */
  private void assertEachMessageReportedOnce(Analytics analytics, int messages) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (callback.outcomes.size() < messages && System.nanoTime() < deadline) {
      listener.awaitChange(deadline);
    }
    assertEquals(List.of(), callback.duplicates);
    assertEquals(List.of(), listener.duplicates);
    assertEquals(messages, callback.outcomes.size(), "messages with a report");
    assertEquals(callback.outcomes, listener.outcomes, "the listener was told what the callback was");
    Metrics metrics = analytics.metrics();
    assertEquals(messages, metrics.enqueued(), metrics.toString());
    assertEquals(callback.count("sent"), metrics.sent(), metrics.toString());
    assertEquals(callback.count("failed"), metrics.failed(), metrics.toString());
    for (DropReason reason : DropReason.values()) {
      assertEquals(callback.count("dropped:" + reason), metrics.dropped(reason), reason + " in " + metrics);
    }
  }

  /** Records each message's outcome as {@link RecordingCallback} does, and whether each request ended. */
  static final class OutcomeListener extends AnalyticsListener {
    final Map<String, String> outcomes = new ConcurrentHashMap<>();
    final List<String> duplicates = new CopyOnWriteArrayList<>();
    private final AtomicInteger openRequests = new AtomicInteger();
    private final Object changed = new Object();

    int requestsWithoutEnd() {
      return openRequests.get();
    }

    void awaitChange(long deadlineNanos) throws InterruptedException {
      synchronized (changed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left > 0) changed.wait(Math.min(left, 10));
      }
    }

    private void record(EncodedMessage message, String outcome) {
      String previous = outcomes.putIfAbsent(message.messageId(), outcome);
      if (previous != null) duplicates.add(message.messageId() + ": " + previous + ", " + outcome);
      synchronized (changed) {
        changed.notifyAll();
      }
    }

    @Override public void messageDelivered(EncodedMessage message) {
      record(message, "sent");
    }

    @Override public void messageFailed(EncodedMessage message, Failure failure) {
      record(message, "failed");
    }

    @Override public void messageDropped(EncodedMessage message, DropReason reason) {
      record(message, "dropped:" + reason);
    }

    @Override public void requestStart(int messageCount, int attempt) {
      openRequests.incrementAndGet();
    }

    @Override public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
      openRequests.decrementAndGet();
    }

    @Override public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
      openRequests.decrementAndGet();
    }
  }
}
