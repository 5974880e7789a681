package dev.analytics4j.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. An unmodifiable map of a few entries kept in one array of
 * keys and values, in the order given: a scope's properties or context, made for every scope opened
 * (often one per request). Lookups scan the array, so it is for a handful of entries only; larger
 * maps go to {@link FrozenMap}, which indexes them.
 */
public final class SmallMap extends AbstractMap<String, @Nullable Object> {
  /** The most entries a small map is made with. */
  public static final int MAX_SIZE = 8;

  /** Keys at even indexes, each one's value after it; exactly full. */
  private final @Nullable Object[] entries;

  private SmallMap(@Nullable Object[] entries) {
    this.entries = entries;
  }

  /**
   * A map of {@code entries} (key, value, key, value...; distinct String keys, at most {@link
   * #MAX_SIZE} of them), which the caller gives up: it must never change the array afterwards.
   */
  public static Map<String, @Nullable Object> ownerOf(@Nullable Object[] entries) {
    if (entries.length % 2 != 0 || entries.length > MAX_SIZE * 2) {
      throw new IllegalArgumentException("entries.length must be even and at most " + MAX_SIZE * 2 + ": "
          + entries.length);
    }
    return new SmallMap(entries);
  }

  /** The array itself, for {@link Overlay}'s walk, which only reads it. */
  @Nullable Object[] entries() {
    return entries;
  }

  @Override
  public int size() {
    return entries.length / 2;
  }

  @Override
  public boolean isEmpty() {
    return entries.length == 0;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public @Nullable Object get(@Nullable Object key) {
    int i = indexOf(key);
    return i >= 0 ? entries[i + 1] : null;
  }

  private int indexOf(@Nullable Object key) {
    for (int i = 0; i < entries.length; i += 2) if (Objects.equals(key, entries[i])) return i;
    return -1;
  }

  /** Refused even when it would change nothing, as {@code Collections.unmodifiableMap} does. */
  @Override
  public @Nullable Object remove(@Nullable Object key) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void putAll(Map<? extends String, ? extends @Nullable Object> map) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void clear() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
    for (int i = 0; i < entries.length; i += 2) action.accept((String) entries[i], entries[i + 1]);
  }

  @Override
  public Set<Entry<String, @Nullable Object>> entrySet() {
    return new AbstractSet<Entry<String, @Nullable Object>>() {
      @Override
      public Iterator<Entry<String, @Nullable Object>> iterator() {
        return new Iterator<Entry<String, @Nullable Object>>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < entries.length;
          }

          @Override
          public Entry<String, @Nullable Object> next() {
            if (next >= entries.length) throw new NoSuchElementException();
            Entry<String, @Nullable Object> entry = new SimpleImmutableEntry<>((String) entries[next], entries[next + 1]);
            next += 2;
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return SmallMap.this.size();
      }
    };
  }
}
