package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

final class FrozenMapTest {
  @Test
  void keepsTheOrderNullsAndEqualityOfTheMapItCopies() {
    for (int size : new int[] {1, 8, 9, 100}) {
      Map<String, Object> source = new LinkedHashMap<>();
      for (int i = size; i > 0; i--) source.put("k" + i, i % 3 == 0 ? null : i);
      source.put(null, "null key");
      Map<String, Object> copy = FrozenMap.copyOf(source);
      assertEquals(new ArrayList<>(source.keySet()), new ArrayList<>(copy.keySet()));
      assertEquals(new ArrayList<>(source.values()), new ArrayList<>(copy.values()));
      assertEquals(source, copy);
      assertEquals(copy, source);
      assertEquals(source.hashCode(), copy.hashCode());
      assertEquals(source.toString(), copy.toString());
      for (String key : source.keySet()) {
        assertTrue(copy.containsKey(key), key);
        assertEquals(source.get(key), copy.get(key), key);
      }
      assertFalse(copy.containsKey("absent"));
      assertNull(copy.get("absent"));
      List<String> walked = new ArrayList<>();
      copy.forEach((key, value) -> walked.add(key + "=" + value));
      List<String> expected = new ArrayList<>();
      source.forEach((key, value) -> expected.add(key + "=" + value));
      assertEquals(expected, walked);
    }
  }

  @Test
  void isACopyThatNothingChanges() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("a", 1);
    Map<String, Object> copy = FrozenMap.copyOf(source);
    source.put("b", 2);
    source.put("a", 3);
    assertEquals(Collections.singletonMap("a", 1), copy);
    assertThrows(UnsupportedOperationException.class, () -> copy.put("c", 3));
    assertThrows(UnsupportedOperationException.class, () -> copy.remove("a"));
    assertThrows(UnsupportedOperationException.class, copy::clear);
    Iterator<Map.Entry<String, Object>> entries = copy.entrySet().iterator();
    Map.Entry<String, Object> entry = entries.next();
    assertThrows(UnsupportedOperationException.class, () -> entry.setValue(9));
    assertThrows(UnsupportedOperationException.class, entries::remove);
    assertFalse(entries.hasNext());
    assertThrows(java.util.NoSuchElementException.class, entries::next);
  }

  @Test
  void copiesASortedMapInItsOrderAndReturnsFrozenOrEmptyMapsAsTheyAre() {
    Map<String, Integer> sorted = new TreeMap<>(Map.of("b", 2, "a", 1, "c", 3));
    Map<String, Integer> copy = FrozenMap.copyOf(sorted);
    assertEquals(List.of("a", "b", "c"), new ArrayList<>(copy.keySet()));
    assertSame(copy, FrozenMap.copyOf(copy));
    assertSame(Collections.emptyMap(), FrozenMap.copyOf(new LinkedHashMap<String, Object>()));
    assertSame(copy, FrozenMap.unmodifiable(copy));
    Map<String, Object> mutable = new LinkedHashMap<>();
    Map<String, Object> view = FrozenMap.unmodifiable(mutable);
    assertThrows(UnsupportedOperationException.class, () -> view.put("x", 1));
  }

  @Test
  void aLargeMapIsLookedUpThroughItsIndexFromManyThreads() throws Exception {
    Map<String, Integer> source = new LinkedHashMap<>();
    for (int i = 0; i < 1_000; i++) source.put("key" + i, i);
    Map<String, Integer> copy = FrozenMap.copyOf(source);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try {
          for (int i = 999; i >= 0; i--) {
            if (copy.get("key" + i) != i) throw new AssertionError("key" + i);
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) thread.join(30_000);
    assertEquals(List.of(), failures);
  }
}
