package dev.analytics4j.internal;

/**
 * Not API: may change in any release. Writes the doubles events carry most (prices, amounts,
 * rates: at most three decimals, below ten million) without the String that {@code
 * Double.toString}, and so Moshi's {@code value(double)}, makes for each: 48-56 bytes and the most
 * expensive call left in an encode. The text is {@code Double.toString}'s, byte for byte: within
 * 0.001 to 10^7 it writes plain decimals with the fewest digits that read back as the same double,
 * and at least one after the point. Whatever is outside that, or needs more than three decimals,
 * still goes through {@code Double.toString}.
 */
final class Decimals {
  /** Not a value {@link #thousandths} returns for a double it can write. */
  static final long NONE = Long.MIN_VALUE;

  private Decimals() {}

  /**
   * {@code d} times 1,000 as an exact long, when a decimal of at most three places reads back as
   * {@code d} and {@code d} is one {@code Double.toString} writes in plain notation; else {@link #NONE}.
   */
  static long thousandths(double d) {
    double magnitude = Math.abs(d);
    if (!(magnitude >= 1e-3 && magnitude < 1e7)) return NONE; // NaN too
    long thousandths = Math.round(d * 1000);
    // Both operands are exact and the division is correctly rounded: equal only when the decimal
    // thousandths/1000 is the one that rounds to d. Below 10^7 no other of three places does.
    return thousandths / 1000.0 == d ? thousandths : NONE;
  }

  /** Writes {@code thousandths}/1000 at {@code p}, which has room for 13 bytes; returns the new end. */
  static int write(byte[] out, int p, long thousandths) {
    if (thousandths < 0) {
      out[p++] = '-';
      thousandths = -thousandths;
    }
    // Below 10^10 thousandths: the whole part fits an int, whose divisions by 10 cost less.
    int whole = (int) (thousandths / 1000);
    int fraction = (int) (thousandths % 1000);
    if (whole == 0) {
      out[p++] = '0';
    } else {
      int digits = 0;
      for (int w = whole; w != 0; w /= 10) digits++;
      for (int i = p + digits - 1; i >= p; i--) {
        out[i] = (byte) ('0' + whole % 10);
        whole /= 10;
      }
      p += digits;
    }
    out[p++] = '.';
    // The fewest digits: trailing zeros dropped, but one digit always written ("5.0").
    out[p++] = (byte) ('0' + fraction / 100);
    if (fraction % 100 != 0) {
      out[p++] = (byte) ('0' + fraction / 10 % 10);
      if (fraction % 10 != 0) out[p++] = (byte) ('0' + fraction % 10);
    }
    return p;
  }
}
