package dev.analytics4j.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An unmodifiable view of {@code high}'s entries over {@code low}'s, in the order a merged
 * {@code LinkedHashMap} would have (low's keys first, then high's new ones): a scope's properties
 * over a message's without copying the message's map for every message, and a message's context
 * over the client's {@code defaultContext} while it is encoded. Both maps are immutable (a built
 * message's, a scope's), or read once on the thread that made the view (the defaults), so the view
 * never changes while it is read.
 */
final class Overlay extends AbstractMap<String, @Nullable Object> {
  private final Map<String, ?> high;
  private final Map<String, ?> low;
  private int size = -1;

  private Overlay(Map<String, ?> high, Map<String, ?> low) {
    this.high = high;
    this.low = low;
  }

  /** {@code high} over {@code low}; one of them when the other is empty. */
  @SuppressWarnings("unchecked")
  static Map<String, @Nullable Object> of(Map<String, ?> high, Map<String, ?> low) {
    if (low.isEmpty()) return (Map<String, @Nullable Object>) high;
    if (high.isEmpty()) return (Map<String, @Nullable Object>) low;
    return new Overlay(high, low);
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    return high.containsKey(key) || low.containsKey(key);
  }

  @Override
  public @Nullable Object get(@Nullable Object key) {
    return high.containsKey(key) ? high.get(key) : low.get(key);
  }

  @Override
  public int size() {
    if (size < 0) {
      int n = low.size();
      for (String key : high.keySet()) if (!low.containsKey(key)) n++;
      size = n;
    }
    return size;
  }

  @Override
  public boolean isEmpty() {
    return false;
  }

  /** The entries in {@link #entrySet()}'s order, without making an entry object for each. */
  @Override
  public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
    low.forEach((key, value) -> action.accept(key, high.containsKey(key) ? high.get(key) : value));
    high.forEach((key, value) -> {
      if (!low.containsKey(key)) action.accept(key, value);
    });
  }

  @Override
  public Set<Entry<String, @Nullable Object>> entrySet() {
    return new AbstractSet<Entry<String, @Nullable Object>>() {
      @Override
      public Iterator<Entry<String, @Nullable Object>> iterator() {
        return new Iterator<Entry<String, @Nullable Object>>() {
          private final Iterator<? extends Entry<String, ?>> lows = low.entrySet().iterator();
          private final Iterator<? extends Entry<String, ?>> highs = high.entrySet().iterator();
          private @Nullable Entry<String, @Nullable Object> next = advance();

          private @Nullable Entry<String, @Nullable Object> advance() {
            if (lows.hasNext()) {
              Entry<String, ?> entry = lows.next();
              String key = entry.getKey();
              Object value = high.containsKey(key) ? high.get(key) : entry.getValue();
              return new SimpleImmutableEntry<>(key, value);
            }
            while (highs.hasNext()) {
              Entry<String, ?> entry = highs.next();
              if (!low.containsKey(entry.getKey())) return new SimpleImmutableEntry<>(entry.getKey(), entry.getValue());
            }
            return null;
          }

          @Override
          public boolean hasNext() {
            return next != null;
          }

          @Override
          public Entry<String, @Nullable Object> next() {
            Entry<String, @Nullable Object> entry = next;
            if (entry == null) throw new NoSuchElementException();
            next = advance();
            return entry;
          }
        };
      }

      @Override
      public int size() {
        return Overlay.this.size();
      }
    };
  }
}
