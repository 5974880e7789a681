package dev.analytics4j.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Deep copies of the values a scope or a hook holds. A scope is shared by every message (and, once
 * wrapped, every thread) of its unit of work, and a hook may change any map it is given: neither may
 * reach a map the caller still holds. Containers nested deeper than the encoder accepts are kept as
 * they are (a cycle among them), so that the encoder names what is wrong with them.
 */
public final class Values {
  private Values() {}

  /** A copy of {@code map} and every map, collection and array in it; unmodifiable with {@code frozen}. */
  public static Map<String, @Nullable Object> copy(Map<String, ?> map, boolean frozen) {
    if (map.isEmpty()) return frozen ? Collections.emptyMap() : new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> copy = (Map<String, @Nullable Object>) copyValue(map, frozen, 0);
    return copy;
  }

  /** Replaces each value of {@code map}, a map the caller made for this use, by a deep copy. */
  public static void copyValuesInPlace(Map<String, @Nullable Object> map) {
    for (Map.Entry<String, @Nullable Object> entry : map.entrySet()) {
      Object value = entry.getValue();
      if (isContainer(value)) entry.setValue(copyValue(value, false, 1));
    }
  }

  /** A copy of {@code value} when it is a map, collection or array (at every depth); else the value itself. */
  public static @Nullable Object copyValue(@Nullable Object value) {
    return copyValue(value, false, 1);
  }

  private static boolean isContainer(@Nullable Object value) {
    return value instanceof Map || value instanceof Collection || value instanceof Object[];
  }

  private static @Nullable Object copyValue(@Nullable Object value, boolean frozen, int depth) {
    if (!isContainer(value) || depth > MessageEncoder.MAX_DEPTH + 2) return value;
    if (value instanceof Map) {
      Map<@Nullable Object, @Nullable Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        copy.put(entry.getKey(), copyValue(entry.getValue(), frozen, depth + 1));
      }
      return frozen ? Collections.unmodifiableMap(copy) : copy;
    }
    if (value instanceof Set) {
      Set<@Nullable Object> copy = new LinkedHashSet<>();
      for (Object element : (Set<?>) value) copy.add(copyValue(element, frozen, depth + 1));
      return frozen ? Collections.unmodifiableSet(copy) : copy;
    }
    if (value instanceof Collection) {
      List<@Nullable Object> copy = new ArrayList<>();
      for (Object element : (Collection<?>) value) copy.add(copyValue(element, frozen, depth + 1));
      return frozen ? Collections.unmodifiableList(copy) : copy;
    }
    Object[] copy = ((Object[]) value).clone();
    for (int i = 0; i < copy.length; i++) copy[i] = copyValue(copy[i], frozen, depth + 1);
    return copy;
  }

  /** True when every key of {@code map} is a String (null is not). */
  public static boolean stringKeyed(Map<?, ?> map) {
    for (Object key : map.keySet()) if (!(key instanceof String)) return false;
    return true;
  }
}
