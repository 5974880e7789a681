package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long CAP = RateLimiter.MAX_PAUSE_NANOS;

  /** A clock that only moves when the limiter sleeps, or when the test says so. */
  private static final class FakeClock implements RateLimiter.Clock {
    long now = 1_000_000_000L;
    final List<Long> sleeps = new ArrayList<>();

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      sleeps.add(nanos);
      now += nanos;
    }
  }

  /** Permits handed out over {@code nanos} of fake time, asking one at a time. */
  private static int permitsOver(RateLimiter limiter, FakeClock clock, long nanos) throws InterruptedException {
    long end = clock.now + nanos;
    int permits = 0;
    while (true) {
      long wait = limiter.tryAcquire(1);
      if (wait == 0) {
        permits++;
        continue;
      }
      if (clock.now + wait > end) return permits;
      clock.now += wait;
    }
  }

  // The intent of the Spark writer's TokenBucket tests, which this class replaces.

  @Test
  void startsWithOnePermitThenPacesAtTheRate() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(4, clock);
    long start = clock.now;
    for (int i = 0; i < 9; i++) limiter.acquire(1);
    assertEquals(2 * SECOND, clock.now - start, "1 free permit, then 8 at 4/s");
    assertEquals(List.of(250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L,
        250_000_000L, 250_000_000L), clock.sleeps);
  }

  @Test
  void burstsAtMostOneSecondsWorthAfterIdling() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(10, clock);
    clock.now += 60 * SECOND; // a minute idle
    for (int i = 0; i < 10; i++) limiter.acquire(1);
    assertEquals(List.of(), clock.sleeps);
    limiter.acquire(1);
    assertEquals(List.of(100_000_000L), clock.sleeps);
  }

  @Test
  void slowRatesWaitWholeIntervals() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(0.5, clock);
    limiter.acquire(1);
    limiter.acquire(1);
    assertEquals(List.of(2 * SECOND), clock.sleeps);
  }

  @Test
  void refusesRatesThatAreNotPositive() {
    assertEquals("perSecond must be positive: 0.0",
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, new FakeClock())).getMessage());
    assertEquals("perSecond must be positive: NaN",
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(Double.NaN, new FakeClock())).getMessage());
    assertEquals("perSecond must be positive: Infinity", assertThrows(IllegalArgumentException.class,
        () -> new RateLimiter(Double.POSITIVE_INFINITY, new FakeClock())).getMessage());
    assertEquals("permits must be positive: 0",
        assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1, new FakeClock()).tryAcquire(0)).getMessage());
  }

  // Rates and sizes at the edges.

  @Test
  void holdsAThousandASecondOverAnHour() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    long start = clock.now;
    for (int i = 0; i < 3_600_000; i++) limiter.acquire(1);
    // One free permit at the start; then exactly 1 ms each.
    assertEquals(3_599_999L * 1_000_000L, clock.now - start);
  }

  @Test
  void aRequestLargerThanASecondsWorthIsGrantedInDebtAndTheAverageHolds() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(100, clock);
    long start = clock.now;
    for (int i = 0; i < 8; i++) limiter.acquire(250); // 2,000 events at 100/s
    // The first batch waits for a second's worth (99 more after the free one), each later batch
    // for the 250 it took: 0.99 s + 7 * 2.5 s.
    assertEquals(990_000_000L + 7 * 2_500_000_000L, clock.now - start);
  }

  @Test
  void aMillionASecondDoesNotOverflowOrStall() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1_000_000, clock);
    clock.now += SECOND;
    assertEquals(1_000_000, permitsOver(limiter, clock, 0));
    assertEquals(1000, permitsOver(limiter, clock, 1_000_000));
  }

  // AIMD.

  @Test
  void aThrottleHalvesTheRateOnceASecondDownToTheFloor() {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    limiter.throttled(0);
    limiter.throttled(0); // the same overload answering another request in flight
    limiter.throttled(0);
    assertEquals(500, limiter.rate());
    for (int i = 0; i < 20; i++) {
      clock.now += SECOND;
      limiter.throttled(0);
    }
    assertEquals(10, limiter.rate(), "a hundredth of the ceiling");
    assertEquals(23, limiter.throttledCount());
    assertEquals(1, new RateLimiter(50, clock).floor(), "never below one a second");
    assertEquals(0.5, new RateLimiter(0.5, clock).floor(), "nor above the ceiling");
  }

  @Test
  void goodAnswersClimbBackToTheCeilingInFiveSecondsAndNoFurther() {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    limiter.throttled(0);
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      limiter.accepted(); // within the second: no change
      clock.now += SECOND;
      limiter.accepted();
      limiter.accepted();
      rates.add(limiter.rate());
    }
    assertEquals(List.of(600.0, 700.0, 800.0, 900.0, 1000.0, 1000.0, 1000.0), rates);
  }

  @Test
  void theBucketPacesAtTheHalvedRateAfterAThrottle() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    clock.now += SECOND;
    assertEquals(1000, permitsOver(limiter, clock, 0), "a second's worth saved");
    limiter.throttled(0);
    assertEquals(500, permitsOver(limiter, clock, SECOND));
  }

  @Test
  void aPauseHoldsEveryPermitThenStartsWithoutABurst() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    clock.now += SECOND;
    limiter.throttled(30 * SECOND);
    assertEquals(30 * SECOND, limiter.tryAcquire(1));
    assertEquals(30 * SECOND, limiter.pausedNanos());
    clock.now += 10 * SECOND;
    limiter.throttled(5 * SECOND); // a shorter pause asked later does not shorten the first
    assertEquals(20 * SECOND, limiter.tryAcquire(1));
    assertEquals(250, limiter.rate(), "a throttle a second or more later halves again");
    clock.now += 20 * SECOND;
    assertEquals(0, limiter.pausedNanos());
    // One permit, then the halved rate: the 30 s paused saved nothing up.
    assertEquals(1, permitsOver(limiter, clock, 0));
    assertEquals(250, permitsOver(limiter, clock, SECOND));
  }

  @Test
  void aPauseIsCappedAtFiveMinutes() {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(10, clock);
    limiter.throttled(Long.MAX_VALUE);
    assertEquals(CAP, limiter.tryAcquire(1));
  }

  @Test
  void acquireWaitsOutAPauseOnTheClock() throws Exception {
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(2, clock);
    limiter.acquire(1);
    limiter.throttled(7 * SECOND);
    limiter.acquire(1);
    assertEquals(List.of(7 * SECOND, SECOND), clock.sleeps, "the pause, then a permit at the halved rate (1/s)");
  }

  @Test
  void manyThreadsShareOneCeiling() throws Exception {
    // The clock does not move: exactly the second's worth saved is handed out, however many
    // threads ask at once.
    FakeClock clock = new FakeClock();
    RateLimiter limiter = new RateLimiter(1000, clock);
    clock.now += SECOND; // 1,000 saved
    int threads = 8;
    AtomicInteger granted = new AtomicInteger();
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          if (limiter.tryAcquire(1) == 0) granted.incrementAndGet();
        }
      });
      thread.start();
      started.add(thread);
    }
    for (Thread thread : started) thread.join();
    assertEquals(1000, granted.get());
  }

  // The headers that say how long to wait.

  @Test
  void readsDeltaSecondsEpochSecondsAndHttpDates() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    assertEquals(30 * SECOND, RateLimiter.waitNanos("30", now, CAP));
    assertEquals(30 * SECOND, RateLimiter.waitNanos(" 30 ", now, CAP));
    assertEquals(45 * SECOND, RateLimiter.waitNanos(Long.toString(now.getEpochSecond() + 45), now, CAP));
    assertEquals(90 * SECOND, RateLimiter.waitNanos("Sun, 06 Dec 2026 12:01:30 GMT", now, CAP));
  }

  @Test
  void capsEveryFormLikeRetryAfter() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    assertEquals(CAP, RateLimiter.waitNanos("86400", now, CAP));
    assertEquals(CAP, RateLimiter.waitNanos("99999999999999999999999", now, CAP));
    assertEquals(CAP, RateLimiter.waitNanos("999999999999999999", now, CAP));
    assertEquals(CAP, RateLimiter.waitNanos(Long.toString(now.getEpochSecond() + 86_400), now, CAP));
    assertEquals(CAP, RateLimiter.waitNanos("Fri, 31 Dec 9999 23:59:59 GMT", now, CAP));
  }

  @Test
  void aMomentPastNothingOrNonsenseAsksForNoWait() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    assertEquals(0, RateLimiter.waitNanos(null, now, CAP));
    assertEquals(0, RateLimiter.waitNanos("", now, CAP));
    assertEquals(0, RateLimiter.waitNanos("0", now, CAP));
    assertEquals(0, RateLimiter.waitNanos("-5", now, CAP));
    assertEquals(0, RateLimiter.waitNanos("1.5", now, CAP));
    assertEquals(0, RateLimiter.waitNanos("soon", now, CAP));
    assertEquals(0, RateLimiter.waitNanos(Long.toString(now.getEpochSecond() - 10), now, CAP));
    assertEquals(0, RateLimiter.waitNanos("Sun, 06 Dec 2026 11:59:00 GMT", now, CAP));
  }
}
