package dev.analytics4j.internal;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
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
 *
 * <p>A walk looks up as little as it can: a message's properties over a scope's are a {@link
 * FrozenMap} whose first lookup would build an index (some 700 bytes for a dozen keys) for every
 * message, so under a small {@code low} the walk looks nothing up, and under a larger one it asks
 * {@code high} alone.
 */
final class Overlay extends AbstractMap<String, @Nullable Object>
    implements BiConsumer<@Nullable Object, @Nullable Object> {
  /** Up to this many entries in {@code low}, a walk makes no lookups: see {@link #forEach}. */
  private static final int SMALL_LOW = 8;
  /** Marks an entry of low that high does not replace (high's value may be null). */
  private static final Object UNSET = new Object();
  /** Above this many shared keys, membership is asked of {@code low} instead of a linear scan. */
  private static final int SCAN_SHARED_AT_MOST = 8;

  private static final int COPY_LOW = 0;
  private static final int FIND_REPLACED = 1;
  private static final int WRITE_HIGH = 2;

  private final Map<String, ?> high;
  private final Map<String, ?> low;

  // The small walk's state, on the one thread that walks the view (see forEach).
  private @Nullable BiConsumer<@Nullable Object, @Nullable Object> walkAction;
  /** Low's keys at even indexes, each one's value after it; a SmallMap's own array is only read. */
  private @Nullable Object @Nullable [] lows;
  private int lowLength;
  /** High's value (or {@link #UNSET}) for each of low's entries; made when high replaces one. */
  private @Nullable Object @Nullable [] highValues;
  private int pass;

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

  /** Not cached (the encoder never asks): a field less in an object made for every scoped message. */
  @Override
  public int size() {
    int n = high.size();
    for (String key : low.keySet()) if (!high.containsKey(key)) n++;
    return n;
  }

  @Override
  public boolean isEmpty() {
    return false;
  }

  /**
   * The entries in {@link #entrySet()}'s order, without making an entry object for each. Under a
   * small {@code low} (a scope's few properties under a message's, a handful of defaults under a
   * message's context) nothing is looked up in either map and nothing is allocated but a copy of a
   * low that is not a {@link SmallMap}: this view walks itself (a walker object per message was an
   * allocation on every scoped message), and one pass over {@code high} finds the values that
   * replace low's before low's entries are written.
   */
  @Override
  public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
    if (low.size() <= SMALL_LOW && walkAction == null) {
      walkAction = untyped(action);
      try {
        walkSmallLow(walkAction);
      } finally {
        // Also after the action threw (the encoder refusing a value): the view may be walked again.
        walkAction = null;
        lows = null;
        highValues = null;
      }
      return;
    }
    // A larger low, or a walk begun inside a walk (the action reading this view): the general walk.
    Walk walk = new Walk(action);
    untyped(low).forEach(walk);
    walk.lowDone = true;
    if (walk.shared.count < high.size()) untyped(high).forEach(walk);
  }

  private void walkSmallLow(BiConsumer<@Nullable Object, @Nullable Object> action) {
    highValues = null;
    if (low instanceof SmallMap) {
      // A scope's map: its own array is read, never written (replacements go to highValues).
      lows = ((SmallMap) low).entries();
      lowLength = lows.length;
    } else {
      lows = new Object[low.size() * 2];
      lowLength = 0;
      pass = COPY_LOW;
      untyped(low).forEach(this);
    }
    pass = FIND_REPLACED;
    untyped(high).forEach(this);
    Object[] lows = this.lows;
    for (int i = 0; i < lowLength; i += 2) {
      Object value = highValues != null && highValues[i / 2] != UNSET ? highValues[i / 2] : lows[i + 1];
      action.accept(lows[i], value);
    }
    pass = WRITE_HIGH;
    // The usual case, a scope's keys the message does not have: high's entries go straight through.
    untyped(high).forEach(highValues == null ? action : this);
  }

  /** Not for callers: the small walk's step, on the thread walking this view (see {@link #forEach}). */
  @Override
  public void accept(@Nullable Object key, @Nullable Object value) {
    if (pass == COPY_LOW) {
      // A defaultContext's map may grow while it is read (it is the user's): what was read is kept.
      if (lowLength == lows.length) lows = Arrays.copyOf(lows, lowLength + 2);
      lows[lowLength] = key;
      lows[lowLength + 1] = value;
      lowLength += 2;
    } else if (pass == FIND_REPLACED) {
      int i = indexOf(key);
      if (i >= 0) {
        if (highValues == null) {
          highValues = new Object[lowLength / 2];
          Arrays.fill(highValues, UNSET);
        }
        highValues[i / 2] = value;
      }
    } else if (indexOf(key) < 0) {
      walkAction.accept(key, value);
    }
  }

  /**
   * The index of {@code key} among low's entries, or -1. Hashes first: a String caches its hash, and
   * most of high's keys are not low's, so this rules them out without calling equals (which took
   * half of a walk's time, profiled).
   */
  private int indexOf(@Nullable Object key) {
    int hash = Objects.hashCode(key);
    Object[] lows = this.lows;
    for (int i = 0; i < lowLength; i += 2) {
      Object lowKey = lows[i];
      if (lowKey == key || (Objects.hashCode(lowKey) == hash && Objects.equals(key, lowKey))) return i;
    }
    return -1;
  }

  /**
   * Keys as they are: a caller's map may hold a key that is not a String despite its type, which the
   * encoder (the action) names in its error; a cast to String here would throw first, unexplained.
   */
  @SuppressWarnings("unchecked")
  private static <T> BiConsumer<@Nullable Object, @Nullable Object> untyped(BiConsumer<? super String, T> action) {
    return (BiConsumer<@Nullable Object, @Nullable Object>) (BiConsumer<?, ?>) action;
  }

  @SuppressWarnings("unchecked")
  private static Map<@Nullable Object, @Nullable Object> untyped(Map<String, ?> map) {
    return (Map<@Nullable Object, @Nullable Object>) (Map<?, ?>) map;
  }

  /** A walk under a larger {@code low}: looks low's keys up in {@code high}. */
  private final class Walk implements BiConsumer<@Nullable Object, @Nullable Object> {
    private final BiConsumer<@Nullable Object, @Nullable Object> action;
    final Shared shared = new Shared();
    boolean lowDone;

    Walk(BiConsumer<? super String, ? super @Nullable Object> action) {
      this.action = untyped(action);
    }

    @Override
    public void accept(@Nullable Object key, @Nullable Object value) {
      if (lowDone) {
        if (!shared.contains(key)) action.accept(key, value);
      } else if (high.containsKey(key)) {
        shared.add(key);
        action.accept(key, high.get(key));
      } else {
        action.accept(key, value);
      }
    }
  }

  /** The keys of {@code low} found in {@code high} so far. */
  private final class Shared {
    private @Nullable Object[] keys;
    int count;

    void add(@Nullable Object key) {
      count++;
      if (count > SCAN_SHARED_AT_MOST) return; // contains asks low from then on
      if (keys == null) keys = new Object[Math.min(SCAN_SHARED_AT_MOST, high.size())];
      else if (count > keys.length) keys = Arrays.copyOf(keys, SCAN_SHARED_AT_MOST);
      keys[count - 1] = key;
    }

    /** Whether a key of {@code high} is one of low's, once low has been walked. */
    boolean contains(@Nullable Object key) {
      if (count > SCAN_SHARED_AT_MOST) return low.containsKey(key);
      for (int i = 0; i < count; i++) if (Objects.equals(keys[i], key)) return true;
      return false;
    }
  }

  @Override
  public Set<Entry<String, @Nullable Object>> entrySet() {
    return new AbstractSet<Entry<String, @Nullable Object>>() {
      @Override
      public Iterator<Entry<String, @Nullable Object>> iterator() {
        return new Iterator<Entry<String, @Nullable Object>>() {
          private final Iterator<? extends Entry<String, ?>> lows = low.entrySet().iterator();
          private final Iterator<? extends Entry<String, ?>> highs = high.entrySet().iterator();
          private final Shared shared = new Shared();
          private @Nullable Entry<String, @Nullable Object> next = advance();

          private @Nullable Entry<String, @Nullable Object> advance() {
            if (lows.hasNext()) {
              Entry<String, ?> entry = lows.next();
              String key = entry.getKey();
              Object value = entry.getValue();
              if (high.containsKey(key)) {
                shared.add(key);
                value = high.get(key);
              }
              return new SimpleImmutableEntry<>(key, value);
            }
            while (highs.hasNext()) {
              Entry<String, ?> entry = highs.next();
              if (!shared.contains(entry.getKey())) return new SimpleImmutableEntry<>(entry.getKey(), entry.getValue());
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
