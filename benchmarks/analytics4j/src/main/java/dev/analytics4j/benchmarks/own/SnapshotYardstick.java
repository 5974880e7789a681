package dev.analytics4j.benchmarks.own;

import dev.analytics4j.internal.FrozenMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A yardstick for the design issue 22 asks to weigh and we did not ship: "validate and snapshot on
 * the caller, encode on the client's own threads". What {@link CallerCostBenchmark#trackSnapshotOnCaller}
 * does with these is the least such a caller could do for a Track: take a deep snapshot of its
 * properties (the builder copies only the top level; the product maps inside stay the
 * application's, mutable), and compute the exact JSON size the 32,000-byte check needs, without
 * Moshi and without storing a byte. The size walk handles only the workload's types (a real one must
 * mirror every rule of the encoder), so it is a lower bound on that design's cost on the caller.
 */
final class SnapshotYardstick {
  private SnapshotYardstick() {}

  /**
   * Nested maps and collections copied, so that the application can change its own afterwards; a
   * map holding no container is copied once into the same compact form the builder keeps
   * ({@code FrozenMap}), which the builder then takes as it is.
   */
  @SuppressWarnings("unchecked")
  static Object deepSnapshot(Object value) {
    if (value instanceof Map) {
      Map<Object, Object> map = (Map<Object, Object>) value;
      boolean nested = false;
      for (Object v : map.values()) nested |= v instanceof Map || v instanceof Collection;
      if (!nested) return FrozenMap.copyOf(map);
      Map<Object, Object> copy = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
      map.forEach((k, v) -> copy.put(k, deepSnapshot(v)));
      return FrozenMap.copyOf(copy);
    }
    if (value instanceof Collection) {
      Collection<Object> collection = (Collection<Object>) value;
      Object[] copy = new Object[collection.size()];
      int i = 0;
      for (Object element : collection) copy[i++] = deepSnapshot(element);
      return Collections.unmodifiableList(Arrays.asList(copy));
    }
    return value; // Strings, numbers and booleans cannot change.
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> deepSnapshot(Map<String, Object> map) {
    return (Map<String, Object>) deepSnapshot((Object) map);
  }

  /** The exact JSON size of {@code value} as the encoder writes it, for the workload's types. */
  static long size(Object value) {
    if (value == null) return 4;
    if (value instanceof String) return stringSize((String) value);
    if (value instanceof Boolean) return (Boolean) value ? 4 : 5;
    if (value instanceof Integer || value instanceof Long) return longSize(((Number) value).longValue());
    if (value instanceof Double) return doubleSize((Double) value);
    if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      Sizer sizer = new Sizer();
      map.forEach(sizer);
      return 2 + Math.max(0, map.size() - 1) + sizer.size; // braces and commas
    }
    if (value instanceof Collection) {
      Collection<?> collection = (Collection<?>) value;
      long size = 2 + Math.max(0, collection.size() - 1);
      for (Object element : collection) size += size(element);
      return size;
    }
    throw new IllegalArgumentException("not in the workload: " + value.getClass());
  }

  /** Sums a map's entries without an iterator or entry objects (the encoder walks maps the same way). */
  private static final class Sizer implements BiConsumer<Object, Object> {
    long size;

    @Override
    public void accept(Object key, Object value) {
      size += stringSize((String) key) + 1 + size(value);
    }
  }

  /** Quotes, UTF-8 and escapes, in one pass over the chars: the encoder's loop without its stores. */
  static long stringSize(String s) {
    long size = 2;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          size++;
        } else {
          size += c == '"' || c == '\\' || c == '\t' || c == '\b' || c == '\n' || c == '\r' || c == '\f' ? 2 : 6;
        }
      } else if (c < 0x800) {
        size += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        size += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("unpaired surrogate at " + i);
      } else {
        size += c == '\u2028' || c == '\u2029' ? 6 : 3;
      }
    }
    return size;
  }

  static int longSize(long v) {
    if (v == Long.MIN_VALUE) return 20;
    int size = v < 0 ? 2 : 1;
    for (long a = Math.abs(v); a >= 10; a /= 10) size++;
    return size;
  }

  /** Double.toString's length, computed without the String for up to three decimals below 10^7. */
  static int doubleSize(double d) {
    double magnitude = Math.abs(d);
    if (magnitude >= 1e-3 && magnitude < 1e7) {
      long thousandths = Math.round(d * 1000);
      if (thousandths / 1000.0 == d) {
        long whole = Math.abs(thousandths) / 1000;
        int fraction = (int) (Math.abs(thousandths) % 1000);
        int size = (d < 0 ? 1 : 0) + longSize(whole) + 2;
        if (fraction % 100 != 0) size += fraction % 10 != 0 ? 2 : 1;
        return size;
      }
    }
    return Double.toString(d).length();
  }
}
