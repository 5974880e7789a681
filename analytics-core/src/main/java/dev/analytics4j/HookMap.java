package dev.analytics4j;

import dev.analytics4j.internal.Values;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A map a {@link BeforeSend} hook is given ({@link BeforeSend.Fields#properties()}, {@code context()},
 * {@code integrations()}): the message's own until the hook changes it, then a deep copy. Size,
 * lookups and values that are not maps, collections or arrays are read from the message's map; the
 * first change, or the first read that could hand out a nested map or list (iteration, a nested
 * value), copies it, so a hook that only reads a key, or that reads nothing of one map while it
 * changes another, copies nothing. A copy of up to {@link #SMALL} entries is kept in one array (a
 * hook often adds a key or two to an empty context); a larger one in a LinkedHashMap.
 *
 * <p>Not thread-safe, as the LinkedHashMap it replaces: a hook's maps are its own while it runs. A
 * change made while the encoder walks the map (a hook that kept it and changes it later) makes that
 * walk throw {@link ConcurrentModificationException}, which fails that message alone.
 */
final class HookMap<V> extends AbstractMap<String, V> {
  /** The most entries the array copy holds; past this a LinkedHashMap takes over. */
  static final int SMALL = 8;

  private final Map<String, V> source;
  /** The engine made {@code source} for this message alone: a large one is kept, its values copied. */
  private final boolean owned;
  /** Keys at even indexes, each one's value after it; null while {@code source} is read or {@code large} holds the copy. */
  private @Nullable Object @Nullable [] entries;
  private int length;
  private @Nullable Map<String, V> large;
  private int modCount;

  HookMap(Map<String, V> source, boolean owned) {
    this.source = source;
    this.owned = owned;
  }

  /** What the message is sent with: the message's map when no hook changed or copied it, else this. */
  static <T> Map<String, T> sent(Map<String, T> map) {
    if (!(map instanceof HookMap)) return map;
    HookMap<T> hookMap = (HookMap<T>) map;
    return hookMap.copied() ? hookMap : hookMap.source;
  }

  private boolean copied() {
    return entries != null || large != null;
  }

  /** The copy, made on the first change or the first read that could hand out a nested value. */
  @SuppressWarnings("unchecked")
  private void copy() {
    if (copied()) return;
    if (source.size() > SMALL) {
      if (owned) {
        Values.copyValuesInPlace((Map<String, @Nullable Object>) source);
        large = source;
      } else {
        large = (Map<String, V>) Values.copy(source, false);
      }
      return;
    }
    if (source.isEmpty()) {
      // Room for one entry: a hook mostly adds a key to an empty map (grown as a list grows).
      entries = new Object[2];
      return;
    }
    entries = new Object[source.size() * 2];
    // Keys as they are: a caller's map may hold a key that is not a String, which the encoder names.
    ((Map<Object, Object>) (Map<?, ?>) source).forEach((key, value) -> {
      if (large != null) {
        // A user's map (defaultContext's) that grew while it was read: what was read is kept.
        ((Map<Object, Object>) (Map<?, ?>) large).put(key, Values.copyValue(value));
        return;
      }
      if (length == SMALL * 2) {
        toLarge();
        ((Map<Object, Object>) (Map<?, ?>) large).put(key, Values.copyValue(value));
        return;
      }
      if (length == entries.length) entries = Arrays.copyOf(entries, length * 2);
      entries[length] = key;
      entries[length + 1] = Values.copyValue(value);
      length += 2;
    });
  }

  @SuppressWarnings("unchecked")
  private void toLarge() {
    Map<Object, @Nullable Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < length; i += 2) map.put(entries[i], entries[i + 1]);
    large = (Map<String, V>) (Map<?, ?>) map;
    entries = null;
    length = 0;
    modCount++;
  }

  private int indexOf(@Nullable Object key) {
    for (int i = 0; i < length; i += 2) if (Objects.equals(key, entries[i])) return i;
    return -1;
  }

  private static boolean isContainer(@Nullable Object value) {
    return value instanceof Map || value instanceof Collection || value instanceof Object[];
  }

  @Override
  public int size() {
    if (large != null) return large.size();
    return entries != null ? length / 2 : source.size();
  }

  @Override
  public boolean isEmpty() {
    return size() == 0;
  }

  @Override
  public boolean containsKey(@Nullable Object key) {
    if (large != null) return large.containsKey(key);
    return entries != null ? indexOf(key) >= 0 : source.containsKey(key);
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V get(@Nullable Object key) {
    if (!copied()) {
      V value = source.get(key);
      // A nested map or list is the hook's to change: the copy first.
      if (!isContainer(value)) return value;
      copy();
    }
    if (large != null) return large.get(key);
    int i = indexOf(key);
    return i >= 0 ? (V) entries[i + 1] : null;
  }

  @Override
  public @Nullable V put(String key, V value) {
    return putRaw(key, value);
  }

  /** Keys as they are, as in {@link #copy()}. */
  @SuppressWarnings("unchecked")
  private @Nullable V putRaw(@Nullable Object key, @Nullable Object value) {
    copy();
    if (large != null) return ((Map<Object, V>) (Map<?, ?>) large).put(key, (V) value);
    int i = indexOf(key);
    if (i >= 0) {
      V old = (V) entries[i + 1];
      entries[i + 1] = value;
      return old;
    }
    if (length == SMALL * 2) {
      toLarge();
      return ((Map<Object, V>) (Map<?, ?>) large).put(key, (V) value);
    }
    if (length == entries.length) entries = Arrays.copyOf(entries, length * 2);
    entries[length] = key;
    entries[length + 1] = value;
    length += 2;
    modCount++;
    return null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public @Nullable V remove(@Nullable Object key) {
    copy();
    if (large != null) return large.remove(key);
    int i = indexOf(key);
    if (i < 0) return null;
    V old = (V) entries[i + 1];
    removeAt(i);
    return old;
  }

  private void removeAt(int i) {
    System.arraycopy(entries, i + 2, entries, i, length - i - 2);
    length -= 2;
    entries[length] = null;
    entries[length + 1] = null;
    modCount++;
  }

  @Override
  public void clear() {
    copy();
    if (large != null) {
      large.clear();
      return;
    }
    Arrays.fill(entries, 0, length, null);
    length = 0;
    modCount++;
  }

  /** Walks the copy without an iterator (the encoder's walk): a change during the walk throws. */
  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super String, ? super V> action) {
    copy();
    if (large != null) {
      large.forEach(action);
      return;
    }
    int expected = modCount;
    for (int i = 0; i < length; i += 2) {
      ((BiConsumer<Object, Object>) action).accept(entries[i], entries[i + 1]);
      if (modCount != expected) throw new ConcurrentModificationException();
    }
  }

  @Override
  public Set<Entry<String, V>> entrySet() {
    return new AbstractSet<Entry<String, V>>() {
      @Override
      public Iterator<Entry<String, V>> iterator() {
        copy();
        if (large != null) return large.entrySet().iterator();
        return new SmallIterator();
      }

      @Override
      public int size() {
        return HookMap.this.size();
      }
    };
  }

  /** Over the array copy; removes through the map, as a LinkedHashMap's iterator does. */
  private final class SmallIterator implements Iterator<Entry<String, V>> {
    private int next;
    private int last = -1;
    private int expected = modCount;

    @Override
    public boolean hasNext() {
      return entries != null && next < length;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Entry<String, V> next() {
      if (modCount != expected) throw new ConcurrentModificationException();
      if (!hasNext()) throw new NoSuchElementException();
      last = next;
      next += 2;
      // Not cast to String: a key that is not one reaches whoever reads it, as in a LinkedHashMap.
      return (Entry<String, V>) (Entry<?, ?>) new SmallEntry(entries[last], entries[last + 1]);
    }

    @Override
    public void remove() {
      if (last < 0) throw new IllegalStateException();
      if (modCount != expected) throw new ConcurrentModificationException();
      removeAt(last);
      next = last;
      last = -1;
      expected = modCount;
    }
  }

  /** An entry whose setValue writes through to the map while its key is still there. */
  private final class SmallEntry extends SimpleEntry<@Nullable Object, @Nullable Object> {
    SmallEntry(@Nullable Object key, @Nullable Object value) {
      super(key, value);
    }

    @Override
    public @Nullable Object setValue(@Nullable Object value) {
      if (containsKey(getKey())) putRaw(getKey(), value);
      return super.setValue(value);
    }
  }
}
