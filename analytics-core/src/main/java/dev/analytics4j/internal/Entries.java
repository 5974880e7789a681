package dev.analytics4j.internal;

import java.util.Arrays;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A map's keys and values as its own {@code forEach} hands them over, appended to one array: how
 * {@link FrozenMap#copyOf} copies a caller's map, and how {@link MessageWriter} reads a HashMap or
 * LinkedHashMap before walking it. One class for both keeps the consumer that the JDK's shared
 * {@code HashMap.forEach} sees to this small one; with the writer's whole walk as its consumer, C2
 * compiled that method with the walk inlined (0.7-1.0 s of compiler time and ~50 KB of code each
 * time) and threw it away as other callers' consumers reached it, three times in the first seconds
 * of a loopback run. Not thread-safe.
 */
final class Entries implements BiConsumer<Object, Object> {
  /** Keys at even indexes, each one's value after it. */
  @Nullable Object[] array;
  /** How many slots are used: twice the entries. */
  int size;
  /** The most slots it may hold before {@link #accept} gives up with {@link MessageWriter.Stopped}. */
  private final int limit;

  Entries(int capacity, int limit) {
    this.array = new Object[Math.max(2, capacity)];
    this.limit = limit;
  }

  @Override
  public void accept(@Nullable Object key, @Nullable Object value) {
    int n = size;
    if (n == array.length) {
      if (n >= limit) throw new MessageWriter.Stopped();
      array = Arrays.copyOf(array, (int) Math.min(Math.max(4L, 2L * n), Math.max(limit, 4)));
    }
    array[n] = key;
    array[n + 1] = value;
    size = n + 2;
  }

  /** Forgets the entries from {@code from} on, keeping none of them reachable. */
  void truncate(int from) {
    Arrays.fill(array, from, size, null);
    size = from;
  }
}
