package dev.analytics4j.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. An unmodifiable copy of a map in its iteration order, kept as
 * one array of keys and values: what a message builder keeps of the caller's properties, traits or
 * context. A {@code LinkedHashMap} copy of ten properties takes about 540 bytes (a node per entry and
 * a table); this takes about 120, and the encoder walks it with {@link #forEach} without an iterator.
 * Lookups scan the array while the map is small and use an index, made on the first lookup, above
 * that: the encoder never looks anything up; scopes and hooks do, rarely.
 */
public final class FrozenMap<K, V> extends AbstractMap<K, V> {
  private static final int SCAN_AT_MOST = 8;

  /** Keys at even indexes, each one's value after it. */
  private final @Nullable Object[] entries;
  private final int size;
  /** Key to the index of its value, made on the first lookup of a larger map; racy but idempotent. */
  private volatile @Nullable Map<Object, Integer> index;

  private FrozenMap(@Nullable Object[] entries, int size) {
    this.entries = entries;
    this.size = size;
  }

  /** A copy of {@code map}; the empty map for an empty one, {@code map} itself when it is frozen already. */
  @SuppressWarnings("unchecked")
  public static <K, V> Map<K, V> copyOf(Map<? extends K, ? extends V> map) {
    Objects.requireNonNull(map, "map == null");
    if (map instanceof FrozenMap) return (Map<K, V>) map;
    if (map.isEmpty()) return Collections.emptyMap();
    // Sized from size(), grown if a concurrent writer adds while we read; what was read is kept.
    // forEach, not an iterator: a synchronized map holds its lock through it.
    Entries entries = new Entries(map.size() * 2, Integer.MAX_VALUE - 8);
    map.forEach(entries);
    return new FrozenMap<>(entries.array, entries.size / 2);
  }

  /** {@code map} as it is when it cannot change any more (a frozen or empty map), else an unmodifiable view of it. */
  public static <K, V> Map<K, V> unmodifiable(Map<K, V> map) {
    return map instanceof FrozenMap || map == Collections.emptyMap() ? map : Collections.unmodifiableMap(map);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  private int valueIndex(@Nullable Object key) {
    if (size <= SCAN_AT_MOST) {
      for (int i = 0; i < size * 2; i += 2) if (Objects.equals(entries[i], key)) return i + 1;
      return -1;
    }
    Map<Object, Integer> map = index;
    if (map == null) {
      map = new HashMap<>(size * 2);
      for (int i = 0; i < size * 2; i += 2) map.put(entries[i], i + 1);
      index = map;
    }
    Integer found = map.get(key);
    return found == null ? -1 : found;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return valueIndex(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V get(@Nullable Object key) {
    int i = valueIndex(key);
    return i < 0 ? null : (V) entries[i];
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    for (int i = 0; i < size * 2; i += 2) action.accept((K) entries[i], (V) entries[i + 1]);
  }

  @Override
  public Set<Entry<K, V>> entrySet() {
    return new AbstractSet<Entry<K, V>>() {
      @Override
      public Iterator<Entry<K, V>> iterator() {
        return new Iterator<Entry<K, V>>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size * 2;
          }

          @Override
          @SuppressWarnings("unchecked")
          public Entry<K, V> next() {
            if (next >= size * 2) throw new NoSuchElementException();
            Entry<K, V> entry = new SimpleImmutableEntry<>((K) entries[next], (V) entries[next + 1]);
            next += 2;
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
