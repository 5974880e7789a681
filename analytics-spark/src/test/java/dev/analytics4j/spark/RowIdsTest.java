package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
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

  /**
   * Ids of rows without a MAP, pinned as the writer derived them before MAP entries were sorted
   * (worked out independently: UUIDv5 of the namespace and the canonical text): they must not move.
   */
  @Test
  void idsOfRowsWithoutAMapAreUnchanged() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("d", LocalDate.of(2026, 12, 6));
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("total", 12.5);
    properties.put("n", 3L);
    properties.put("ok", true);
    properties.put("tags", List.of("a", "b"));
    properties.put("nested", nested);
    properties.put("price", new BigDecimal("9.99"));
    assertEquals("4cd697d6-bf3b-550f-a8cf-9bc9ed2fd284", id("type", "track", "userId", "u1", "anonymousId", null,
        "timestamp", Instant.ofEpochSecond(1_700_000_000L, 123_000_000), "context", null, "integrations", null,
        "event", "Order Completed", "properties", properties));
    Map<String, Object> traits = new LinkedHashMap<>();
    traits.put("email", "a@b.c");
    traits.put("age", null);
    assertEquals("dd66a51b-e2df-51dd-85b4-240cef2ceed1", id("type", "identify", "userId", "u2", "traits", traits));
    assertEquals("ffcc88e0-deaa-5c6e-be33-588cc17cee2b", id("order_id", 42L, "line", 1));
  }

  /** A Spark MAP with these entries, in this order. */
  private static SparkMap<Object, Object> sparkMap(Object... keyValues) {
    SparkMap<Object, Object> map = new SparkMap<>(keyValues.length / 2);
    for (int i = 0; i < keyValues.length; i += 2) map.put(keyValues[i], keyValues[i + 1]);
    return map;
  }

  /** The same entries in the reverse order. */
  private static SparkMap<Object, Object> reversed(Map<?, ?> map) {
    List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
    Collections.reverse(entries);
    SparkMap<Object, Object> copy = new SparkMap<>(entries.size());
    for (Map.Entry<?, ?> e : entries) copy.put(e.getKey(), e.getValue());
    return copy;
  }

  /** A struct (a plain map, in schema order) holding {@code value} under "m" between two other fields. */
  private static Map<String, Object> struct(Object value) {
    Map<String, Object> struct = new LinkedHashMap<>();
    struct.put("before", "x");
    struct.put("m", value);
    struct.put("after", List.of(1L));
    return struct;
  }

  @Test
  void aMapsEntriesGiveOneIdInWhateverOrderTheyArrive() {
    SparkMap<Object, Object> strings = sparkMap("b", 2L, "a", 1L, "ab", null, "c", "x", "", true);
    assertEquals(id("p", strings), id("p", reversed(strings)));
    SparkMap<Object, Object> shuffled = sparkMap("ab", null, "", true, "c", "x", "b", 2L, "a", 1L);
    assertEquals(id("p", strings), id("p", shuffled));
    // Maps nested in a struct, in a list, and in a map's values.
    assertEquals(id("p", struct(strings)), id("p", struct(shuffled)));
    assertEquals(id("p", List.of(strings, strings)), id("p", List.of(shuffled, reversed(shuffled))));
    SparkMap<Object, Object> outer = sparkMap("k1", strings, "k2", List.of(struct(strings)), "k3", null);
    SparkMap<Object, Object> outerShuffled =
        sparkMap("k3", null, "k2", List.of(struct(shuffled)), "k1", reversed(strings));
    assertEquals(id("p", outer), id("p", outerShuffled));
    assertEquals(id("p", outer), id("p", reversed(outerShuffled)));
    // Keys that are not strings, of one type and of several.
    SparkMap<Object, Object> longs = sparkMap(3L, "c", 1L, "a", 20L, "b", -5L, "d");
    assertEquals(id("p", longs), id("p", reversed(longs)));
    SparkMap<Object, Object> mixed = sparkMap(1L, "long", "1", "string", 1.0, "double",
        Instant.ofEpochSecond(1), "instant", List.of(1L), "list", true, "boolean");
    assertEquals(id("p", mixed), id("p", reversed(mixed)));
    // The empty and the null map.
    assertEquals(id("p", sparkMap()), id("p", sparkMap()));
    assertEquals(id("p", struct(null)), id("p", struct(null)));
    // A map that arrived sorted hashes as the plain map did before the entries were sorted.
    Map<String, Object> plain = new LinkedHashMap<>();
    plain.put("a", 1L);
    plain.put("b", 2L);
    assertEquals(id("p", plain), id("p", sparkMap("b", 2L, "a", 1L)));
  }

  @Test
  void mapsDifferingInAKeyOrAValueGetOtherIds() {
    Set<String> ids = new HashSet<>();
    ids.add(id("p", sparkMap("a", 1L, "b", 2L)));
    ids.add(id("p", sparkMap("a", 1L, "b", 3L)));
    ids.add(id("p", sparkMap("a", 1L, "c", 2L)));
    ids.add(id("p", sparkMap("a", 1L, "b", "2")));
    ids.add(id("p", sparkMap("a", 1L, "b", null)));
    ids.add(id("p", sparkMap("a", 1L)));
    ids.add(id("p", sparkMap("b", 1L, "a", 2L)));
    // The lengths keep keys and values apart: {"a": "bc"} is not {"ab": "c"}.
    ids.add(id("p", sparkMap("a", "bc")));
    ids.add(id("p", sparkMap("ab", "c")));
    ids.add(id("p", sparkMap("a", "b", "c", "d")));
    ids.add(id("p", sparkMap("a", "bc", "d", "")));
    // Keys of other types: 1, "1", 1.0 and true are four keys.
    ids.add(id("p", sparkMap(1L, "x")));
    ids.add(id("p", sparkMap("1", "x")));
    ids.add(id("p", sparkMap(1.0, "x")));
    ids.add(id("p", sparkMap(true, "x")));
    ids.add(id("p", sparkMap(1L, "x", "1", "y")));
    ids.add(id("p", sparkMap(1L, "y", "1", "x")));
    // Empty, null, and an empty list are three values.
    ids.add(id("p", sparkMap()));
    ids.add(id("p", null));
    ids.add(id("p", List.of()));
    // A difference deep inside a nested map.
    ids.add(id("p", struct(sparkMap("k", sparkMap("a", 1L, "b", 2L)))));
    ids.add(id("p", struct(sparkMap("k", sparkMap("a", 1L, "b", 20L)))));
    assertEquals(22, ids.size());
  }

  @Test
  void countsIdsItsTaskHadAlreadySent() {
    RowIds ids = new RowIds();
    for (int i = 0; i < 100_000; i++) ids.note("id-" + (i % 60_000));
    assertEquals(40_000, ids.duplicates());
    assertFalse(ids.partial());
  }
}
