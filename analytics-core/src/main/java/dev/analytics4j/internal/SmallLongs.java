package dev.analytics4j.internal;

import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. The integers 0 to 1023 as Numbers whose {@code toString()} is
 * made once: Moshi's {@code JsonWriter.value(long)} formats every number into a new String (48
 * bytes for a small one), while {@code value(Number)} writes the text its argument gives, so counts
 * and quantities, most of the integers events carry, are written without allocating.
 */
public final class SmallLongs {
  private static final Text[] TEXTS = new Text[1024];

  static {
    for (int i = 0; i < TEXTS.length; i++) TEXTS[i] = new Text(i);
  }

  private SmallLongs() {}

  /** {@code value} with its text made once, or null when it is outside 0 to 1023. */
  public static @Nullable Number of(long value) {
    return value >= 0 && value < TEXTS.length ? TEXTS[(int) value] : null;
  }

  private static final class Text extends Number {
    private static final long serialVersionUID = 1L;
    private final int value;
    private final String text;

    Text(int value) {
      this.value = value;
      this.text = Integer.toString(value);
    }

    @Override
    public int intValue() {
      return value;
    }

    @Override
    public long longValue() {
      return value;
    }

    @Override
    public float floatValue() {
      return value;
    }

    @Override
    public double doubleValue() {
      return value;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
