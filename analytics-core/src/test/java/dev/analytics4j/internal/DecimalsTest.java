package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class DecimalsTest {
  @Test
  void writesWhatDoubleToStringWritesForEveryDecimalOfUpToThreePlacesBelowAMillion() {
    for (long m = 1; m < 1_000_000; m++) {
      assertSameText(m / 10.0);
      assertSameText(m / 100.0);
      assertSameText(-m / 1000.0);
    }
  }

  @Test
  void writesWhatDoubleToStringWritesAcrossItsWholeRange() {
    SplittableRandom random = new SplittableRandom(1_000);
    for (int i = 0; i < 1_000_000; i++) {
      long m = random.nextLong(1, 10_000_000_000L);
      assertSameText(m / 1000.0);
      assertSameText(m / 100.0);
      // Any double at all: most need more places, and must be left to Double.toString.
      assertSameText(Double.longBitsToDouble(random.nextLong()));
      assertSameText(random.nextDouble(-2e7, 2e7));
    }
  }

  @Test
  void takesOnlyPlainDecimalsOfAtMostThreePlacesAndLeavesTheRest() {
    double[] taken = {0.001, -0.001, 0.5, 1.0, -1.0, 6.5, 44.99, 67.49, 100.0, 0.3, 1.005, 9_999_999.999, 1e6};
    for (double d : taken) {
      assertEquals(Math.round(d * 1000), Decimals.thousandths(d), Double.toString(d));
      assertSameText(d);
    }
    double[] left = {0.0, -0.0, 0.0005, 0.1 + 0.2, 1e7, -1e7, Math.nextDown(0.001), 0.0001, 1.0005,
        Math.nextUp(1.0), 1e23, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    for (double d : left) assertEquals(Decimals.NONE, Decimals.thousandths(d), Double.toString(d));
  }

  private static void assertSameText(double d) {
    long thousandths = Decimals.thousandths(d);
    if (thousandths == Decimals.NONE) return;
    byte[] out = new byte[13];
    int end = Decimals.write(out, 0, thousandths);
    String written = new String(out, 0, end, StandardCharsets.US_ASCII);
    if (!written.equals(Double.toString(d))) assertEquals(Double.toString(d), written, "bits " + Double.doubleToLongBits(d));
  }
}
