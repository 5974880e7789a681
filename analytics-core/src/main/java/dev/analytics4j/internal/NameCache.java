package dev.analytics4j.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A thread's map keys as its encoder wrote them, escaped and encoded: the same few keys come back
 * in every message ({@code order_id}, {@code price}), and copying their bytes costs less than
 * walking their chars again. The bytes are the ones {@link Utf8Sink#writeJsonString} wrote for the
 * key the first time, so the wire is the same either way.
 *
 * <p>Direct-mapped on {@link String#hashCode} (kept in every String that has been a hash map's
 * key); a slot once filled is never replaced, so a thread that meets many distinct keys stops
 * allocating once its slots are taken. Bounded: {@link #SLOTS} keys of at most {@link #MAX_CHARS}
 * chars. Not thread-safe: one per thread, in its {@link Utf8Sink}.
 */
final class NameCache {
  static final int SLOTS = 128;
  static final int MAX_CHARS = 32;

  private final @Nullable String[] names = new String[SLOTS];
  private final byte[][] utf8 = new byte[SLOTS][];

  /** The bytes written for {@code name} before, or null. */
  byte @Nullable [] get(String name) {
    int slot = slot(name);
    String known = names[slot];
    return known == name || known != null && known.equals(name) ? utf8[slot] : null;
  }

  /** Remembers {@code data[from, to)} as the bytes of {@code name}, if its slot is free and it is short. */
  void put(String name, byte[] data, int from, int to) {
    if (name.length() > MAX_CHARS) return;
    int slot = slot(name);
    if (names[slot] != null) return;
    utf8[slot] = Arrays.copyOfRange(data, from, to);
    names[slot] = name;
  }

  static int slot(String name) {
    int h = name.hashCode();
    return (h ^ h >>> 16) & (SLOTS - 1);
  }
}
