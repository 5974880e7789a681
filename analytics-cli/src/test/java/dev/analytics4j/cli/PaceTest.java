package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress line's pace and ETA on a run limited to 1,000 lines a second. */
class PaceTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  /** 3.6 million lines of 100 bytes: an hour at 1,000/s. */
  private static final long TOTAL_BYTES = 360_000_000L;

  @Test
  void noPaceUntilFiveSecondsAreMeasured() {
    Pace pace = new Pace();
    assertSame(Pace.UNKNOWN, pace.sample(0, 0, 0));
    assertSame(Pace.UNKNOWN, pace.sample(4 * SECOND, 4000, 400_000));
    assertEquals(1000, pace.sample(5 * SECOND, 5000, 500_000).linesPerSecond);
  }

  @Test
  void theEtaHoldsAtAThousandASecondAfterAPauseThatWouldSkewTheAverage() {
    Pace pace = new Pace();
    long t = 0;
    long lines = 0;
    // A 429 asked for two minutes' wait at the start; then 1,000 lines a second, sampled four times
    // a second as the progress line is.
    pace.sample(t, 0, 0);
    t += 120 * SECOND;
    Progress.Snapshot last = null;
    for (int tick = 0; tick < 4 * 600; tick++) { // ten minutes
      t += SECOND / 4;
      lines += 250;
      Pace.Rate rate = pace.sample(t, lines, lines * 100);
      last = new Progress.Snapshot(lines, lines, 0, 0, 0, lines * 100, TOTAL_BYTES, t, false, null, false, 0,
          TimeUnit.MINUTES.toNanos(2), 0).with(rate, 1000, 1000);
      if (tick % 400 == 399) {
        long left = (TOTAL_BYTES - lines * 100) / 100_000;
        // Whole seconds: the ETA is exactly what is left at 1,000 lines (100,000 bytes) a second.
        assertEquals(Importer.clock(left), Progress.render(last).replaceAll(".*ETA ", ""), "at tick " + tick);
      }
    }
    // The average since the start (600,000 lines in 12 minutes) would say 833/s and an ETA 20% long.
    assertEquals("[###.................]  16%  read 600,000  delivered 600,000  rejected 0  not delivered 0  "
        + "1,000 lines/s (limit 1,000/s)  ETA 50:00", Progress.render(last));
  }

  @Test
  void showsTheLimitBelowItsCeilingAfterA429() {
    Progress.Snapshot s = new Progress.Snapshot(10, 10, 0, 0, 0, 0, -1, 10 * SECOND, false, null, false, 0,
        TimeUnit.MINUTES.toNanos(2), 0).with(new Pace.Rate(480, 48_000), 500, 1000);
    assertEquals("read 10  delivered 10  rejected 0  not delivered 0  480 lines/s (limit 500/s of 1,000/s, after a 429)",
        Progress.render(s));
  }
}
