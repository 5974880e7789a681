package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class EntriesTest {
  @Test
  void takesAMapsEntriesInItsOrderAboveWhatItHolds() {
    Entries entries = new Entries(2, 100);
    Map<String, Object> outer = new LinkedHashMap<>();
    outer.put("a", 1);
    outer.put("b", null);
    outer.forEach(entries);
    int base = entries.size;
    Map<Object, Object> inner = new LinkedHashMap<>();
    inner.put(null, "x");
    inner.put("c", 2);
    inner.forEach(entries);
    assertArrayEquals(new Object[] {"a", 1, "b", null, null, "x", "c", 2}, Arrays.copyOf(entries.array, entries.size));
    entries.truncate(base);
    assertEquals(4, entries.size);
    assertTrue(Arrays.stream(entries.array, 4, entries.array.length).allMatch(e -> e == null), "nothing kept past the top");
  }

  @Test
  void stopsAtItsBoundWithoutGrowingPastIt() {
    Entries entries = new Entries(2, 10); // five entries
    Map<String, Integer> six = new HashMap<>();
    for (int i = 0; i < 6; i++) six.put("k" + i, i);
    assertThrows(MessageWriter.Stopped.class, () -> six.forEach(entries));
    assertEquals(10, entries.size);
    assertEquals(10, entries.array.length);
  }
}
