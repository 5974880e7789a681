package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Workers} and {@link Threads#start}: a task handed to a thread runs exactly once, or is handed back. */
class WorkersTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private final List<Workers> pools = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    release.countDown();
    for (Workers pool : pools) {
      pool.shutdown();
      assertTrue(pool.awaitTermination(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
    }
    assertEquals(List.of(), uncaught);
  }

  private Thread thread(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    return thread;
  }

  private Workers workers(ThreadFactory factory, int maxThreads) {
    Workers pool = new Workers(factory, maxThreads, TimeUnit.SECONDS.toNanos(30), "test");
    pools.add(pool);
    return pool;
  }

  @Test
  void aTaskTakenBackFromAThreadThatStallsNeverRunsThereWhenItWakes() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Thread> stalled = new AtomicReference<>();
    ThreadFactory stalls = runnable -> {
      Thread thread = thread(() -> {
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        runnable.run();
      }, "stalls");
      stalled.set(thread);
      return thread;
    };

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClientThreads.start(stalls, runs::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(50)));
    release.countDown();
    stalled.get().join(10_000);

    assertEquals("the threadFactory's thread stalls did not begin running the task it was given within 50 ms",
        e.getMessage());
    assertEquals(0, runs.get(), "the task was taken back; the caller runs it");
  }

  @Test
  void aThreadThatEndsWithoutRunningItsTaskIsNoticedWithoutWaitingForTheDeadline() {
    AtomicInteger runs = new AtomicInteger();
    ThreadFactory diesAtStart = runnable -> thread(() -> { }, "dies");

    long start = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClientThreads.start(diesAtStart, runs::incrementAndGet, TimeUnit.SECONDS.toNanos(60)));

    assertEquals("the threadFactory's thread dies ended without running the task it was given", e.getMessage());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30));
    assertEquals(0, runs.get());
  }

  @Test
  void tasksThrowingErrorsCostNeitherTheirThreadNorTheTasksAfterThem() throws Exception {
    AtomicInteger made = new AtomicInteger();
    Workers pool = workers(runnable -> {
      made.incrementAndGet();
      return thread(runnable, "worker");
    }, 1);
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);

    pool.execute(() -> {
      throw new OutOfMemoryError("simulated");
    });
    pool.execute(() -> {
      throw new StackOverflowError("simulated");
    });
    pool.execute(() -> {
      throw new AssertionError("a custom Error");
    });
    pool.execute(() -> {
      ran.add(Thread.currentThread().getName());
      done.countDown();
    });

    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("worker"), ran);
    assertEquals(1, made.get(), "one thread ran them all");
  }

  @Test
  void tasksQueuedForAThreadThatNeverStartsAreRunByTheCallerThatFailedToStartIt() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Workers pool = workers(runnable -> {
      calls.incrementAndGet();
      asked.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return null;
    }, 1);
    List<String> ran = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> firstRefused = new AtomicReference<>();
    Thread first = thread(() -> {
      try {
        pool.execute(() -> ran.add("first"));
      } catch (RejectedExecutionException e) {
        firstRefused.set(e);
      }
    }, "first-caller");
    first.start();
    assertTrue(asked.await(10, TimeUnit.SECONDS));

    // The only thread the pool may have is being made: the second task waits for it.
    pool.execute(() -> ran.add("second on " + Thread.currentThread().getName()));
    release.countDown();
    first.join(10_000);

    assertEquals("no test thread: the threadFactory returned null", firstRefused.get().getMessage());
    assertEquals(List.of("second on first-caller"), ran, "the first task is the caller's; the second ran once");
    RejectedExecutionException again = assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> ran.add("third")));
    assertEquals("no test thread: the threadFactory returned null", again.getMessage());
    assertEquals(1, calls.get(), "a factory that just failed is not asked again at once");
  }

  @Test
  void afterShutdownTasksAreRefusedAndTheThreadsEnd() throws Exception {
    Workers pool = workers(runnable -> thread(runnable, "worker"), 2);
    CountDownLatch ran = new CountDownLatch(2);
    pool.execute(ran::countDown);
    pool.execute(ran::countDown);
    assertTrue(ran.await(10, TimeUnit.SECONDS));

    pool.shutdown();

    RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    assertEquals("test threads are shut down", e.getMessage());
    assertTrue(pool.awaitTermination(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
  }
}
