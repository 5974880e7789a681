package dev.analytics4j.internal;

/**
 * A Number whose text stands for a value {@link Utf8Sink} writes itself (see {@link
 * Utf8Sink#VALUE_NUMBER}): Moshi's {@code value(Number)} writes {@code toString()} raw, right where
 * its {@code value(String)} would have put the string. Never read as a number.
 */
final class PendingValue extends Number {
  private static final long serialVersionUID = 1L;
  private final String text;

  PendingValue(String text) {
    this.text = text;
  }

  @Override
  public int intValue() {
    throw unused();
  }

  @Override
  public long longValue() {
    throw unused();
  }

  @Override
  public float floatValue() {
    throw unused();
  }

  @Override
  public double doubleValue() {
    throw unused();
  }

  @Override
  public String toString() {
    return text;
  }

  private static UnsupportedOperationException unused() {
    return new UnsupportedOperationException("a stand-in for text the encoder writes, not a number");
  }
}
