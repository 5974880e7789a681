package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  /** A clock that only moves when the bucket sleeps, or when the test says so. */
  private static final class FakeClock implements TokenBucket.Clock {
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

  @Test
  void startsWithOnePermitThenPacesAtTheRate() throws Exception {
    FakeClock clock = new FakeClock();
    TokenBucket bucket = new TokenBucket(4, clock);
    long start = clock.now;
    for (int i = 0; i < 9; i++) bucket.acquire();
    assertEquals(2_000_000_000L, clock.now - start, "1 free permit, then 8 at 4/s");
    assertEquals(List.of(250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L, 250_000_000L,
        250_000_000L, 250_000_000L), clock.sleeps);
  }

  @Test
  void burstsAtMostOneSecondsWorthAfterIdling() throws Exception {
    FakeClock clock = new FakeClock();
    TokenBucket bucket = new TokenBucket(10, clock);
    clock.now += 60_000_000_000L; // a minute idle
    for (int i = 0; i < 10; i++) bucket.acquire();
    assertEquals(List.of(), clock.sleeps);
    bucket.acquire();
    assertEquals(List.of(100_000_000L), clock.sleeps);
  }

  @Test
  void slowRatesWaitWholeIntervals() throws Exception {
    FakeClock clock = new FakeClock();
    TokenBucket bucket = new TokenBucket(0.5, clock);
    bucket.acquire();
    bucket.acquire();
    assertEquals(List.of(2_000_000_000L), clock.sleeps);
  }

  @Test
  void refusesRatesThatAreNotPositive() {
    assertEquals("perSecond must be positive: 0.0",
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, new FakeClock())).getMessage());
    assertEquals("perSecond must be positive: NaN",
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(Double.NaN, new FakeClock())).getMessage());
  }
}
