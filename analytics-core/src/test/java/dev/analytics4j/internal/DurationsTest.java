package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class DurationsTest {
  private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

  @Test
  void saturatesDurationsTooLongForNanoseconds() {
    assertEquals(Durations.MAX_NANOS, Durations.saturatedNanos(FOREVER));
    assertEquals(-Durations.MAX_NANOS, Durations.saturatedNanos(FOREVER.negated()));
    assertEquals(Durations.MAX_NANOS, Durations.saturatedNanos(Duration.ofNanos(Long.MAX_VALUE)));
    assertEquals(Durations.MAX, Durations.saturated(FOREVER));
    assertEquals(Durations.MAX.negated(), Durations.saturated(FOREVER.negated()));
  }

  @Test
  void keepsOrdinaryDurationsExactly() {
    assertEquals(1_500_000_000L, Durations.saturatedNanos(Duration.ofMillis(1500)));
    assertEquals(0, Durations.saturatedNanos(Duration.ZERO));
    assertEquals(-7, Durations.saturatedNanos(Duration.ofNanos(-7)));
    assertEquals(Durations.MAX_NANOS, Durations.saturatedNanos(Durations.MAX));
    assertEquals(Duration.ofDays(365), Durations.saturated(Duration.ofDays(365)));
  }

  @Test
  void leavesRoomForDeadlineArithmetic() {
    // Any nanoTime plus the largest wait, minus any earlier nanoTime, must not wrap.
    long now = Long.MAX_VALUE - 1;
    long deadline = now + Durations.saturatedNanos(FOREVER);
    long later = now + 1;
    assertEquals(Durations.MAX_NANOS - 1, deadline - later);
    assertEquals(2 * Durations.MAX_NANOS, Durations.MAX_NANOS + Durations.MAX_NANOS);
  }
}
