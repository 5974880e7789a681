package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowIdsTest {
  private static String id(Object... nameValues) {
    RowIds ids = new RowIds().begin();
    for (int i = 0; i < nameValues.length; i += 2) ids.add((String) nameValues[i], nameValues[i + 1]);
    return ids.id();
  }

  @Test
  void theSameContentGivesTheSameVersion5Id() {
    String a = id("type", "track", "userId", "u1", "properties", Map.of("n", 1L));
    assertEquals(a, id("type", "track", "userId", "u1", "properties", Map.of("n", 1L)));
    assertEquals('5', a.charAt(14));
    assertEquals(36, a.length());
  }

  @Test
  void anyDifferenceGivesAnotherId() {
    Set<String> ids = new HashSet<>();
    ids.add(id("userId", "u1"));
    ids.add(id("userId", "u2"));
    ids.add(id("userId", null));
    ids.add(id("anonymousId", "u1"));
    ids.add(id("userId", 1L));
    ids.add(id("userId", 1.0));
    ids.add(id("userId", new BigDecimal("1.0")));
    ids.add(id("userId", "1"));
    ids.add(id("userId", Instant.ofEpochSecond(1)));
    ids.add(id("userId", List.of("1")));
    ids.add(id("userId", Map.of("1", "1")));
    // The lengths keep these apart: "a" + "bc" is not "ab" + "c".
    ids.add(id("x", "a", "y", "bc"));
    ids.add(id("x", "ab", "y", "c"));
    Map<String, Object> ordered = new LinkedHashMap<>();
    ordered.put("a", 1L);
    ordered.put("b", 2L);
    Map<String, Object> reversed = new LinkedHashMap<>();
    reversed.put("b", 2L);
    reversed.put("a", 1L);
    ids.add(id("p", ordered));
    ids.add(id("p", reversed));
    assertEquals(15, ids.size());
    assertNotEquals(id("userId", ""), id("userId", null));
  }

  @Test
  void countsIdsItsTaskHadAlreadySent() {
    RowIds ids = new RowIds();
    for (int i = 0; i < 100_000; i++) ids.note("id-" + (i % 60_000));
    assertEquals(40_000, ids.duplicates());
    assertFalse(ids.partial());
  }
}
