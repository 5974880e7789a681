package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class SmallMapTest {
  @Test
  void readsAsALinkedHashMapOfTheSameEntriesInTheirOrder() {
    for (int size = 0; size <= SmallMap.MAX_SIZE; size++) {
      Object[] entries = new Object[size * 2];
      Map<String, Object> expected = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        String key = "k" + (size - i); // not sorted, so that order is the array's
        Object value = i % 3 == 0 ? null : i;
        entries[2 * i] = key;
        entries[2 * i + 1] = value;
        expected.put(key, value);
      }
      Map<String, Object> map = SmallMap.ownerOf(entries);

      assertEquals(expected, map);
      assertEquals(expected.hashCode(), map.hashCode());
      assertEquals(expected.toString(), map.toString());
      assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(map.entrySet()));
      List<Object> walked = new ArrayList<>();
      map.forEach((key, value) -> {
        walked.add(key);
        walked.add(value);
      });
      assertEquals(Arrays.asList(entries), walked);
      assertEquals(size, map.size());
      assertEquals(size == 0, map.isEmpty());
      for (String key : expected.keySet()) {
        assertTrue(map.containsKey(key));
        assertEquals(expected.get(key), map.get(key));
      }
      assertFalse(map.containsKey("missing"));
      assertFalse(map.containsKey(null));
      assertNull(map.get("missing"));
    }
  }

  @Test
  void cannotBeChangedThroughAnyView() {
    Map<String, Object> map = SmallMap.ownerOf(new Object[] {"a", 1, "b", 2});
    assertThrows(UnsupportedOperationException.class, () -> map.put("c", 3));
    assertThrows(UnsupportedOperationException.class, () -> map.remove("a"));
    assertThrows(UnsupportedOperationException.class, () -> map.remove("absent"));
    assertThrows(UnsupportedOperationException.class, () -> map.putAll(Map.of()));
    assertThrows(UnsupportedOperationException.class, map::clear);
    assertThrows(UnsupportedOperationException.class, () -> map.keySet().remove("a"));
    assertThrows(UnsupportedOperationException.class, () -> map.values().clear());
    assertThrows(UnsupportedOperationException.class, () -> map.entrySet().iterator().next().setValue(9));
    Iterator<Map.Entry<String, Object>> iterator = map.entrySet().iterator();
    iterator.next();
    assertThrows(UnsupportedOperationException.class, iterator::remove);
    iterator.next();
    assertThrows(NoSuchElementException.class, iterator::next);
    assertEquals(Map.of("a", 1, "b", 2), map);
  }

  @Test
  void refusesAnArrayThatIsNotPairsOrIsTooLong() {
    IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
        () -> SmallMap.ownerOf(new Object[] {"a", 1, "b"}));
    assertEquals("entries.length must be even and at most 16: 3", odd.getMessage());
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> SmallMap.ownerOf(new Object[18]));
    assertEquals("entries.length must be even and at most 16: 18", tooLong.getMessage());
  }
}
