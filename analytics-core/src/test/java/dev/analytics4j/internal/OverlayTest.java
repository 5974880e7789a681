package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OverlayTest {
  @Test
  void readsAsTheMergedMapWouldInItsOrderWithoutCopying() {
    Map<String, Object> low = new LinkedHashMap<>();
    low.put("a", 1);
    low.put("b", 2);
    low.put("n", null);
    Map<String, Object> high = new LinkedHashMap<>();
    high.put("b", "high");
    high.put("c", 3);
    high.put("n", "set");
    Map<String, Object> merged = new LinkedHashMap<>(low);
    merged.putAll(high);

    Map<String, Object> overlay = Overlay.of(high, low);

    assertEquals(merged, overlay);
    assertEquals(new ArrayList<>(merged.entrySet()), new ArrayList<>(overlay.entrySet()));
    assertEquals(Arrays.asList("a", "b", "n", "c"), new ArrayList<>(overlay.keySet()));
    assertEquals(4, overlay.size());
    assertEquals("high", overlay.get("b"));
    assertEquals(null, overlay.get("missing"));
    assertThrows(UnsupportedOperationException.class, () -> overlay.put("d", 4));
    assertSame(low, Overlay.of(Collections.emptyMap(), low));
    assertSame(high, Overlay.of(high, Collections.emptyMap()));
    List<Object> values = new ArrayList<>(overlay.values());
    assertEquals(Arrays.asList(1, "high", "set", 3), values);
  }

  /**
   * Every way of reading the view gives what the merged LinkedHashMap the engine used to build gives,
   * in its order: small and large maps on either side (the walk without lookups below nine entries of
   * low, the one asking high above), many or no shared keys, null values, and the map kinds the
   * engine passes (a message's FrozenMap, a scope's, the user's LinkedHashMap).
   */
  @Test
  void readsAsTheMergedMapOnRandomInputs() {
    Random random = new Random(19);
    List<Function<Map<String, Object>, Map<String, Object>>> kinds = Arrays.asList(
        map -> map, FrozenMap::copyOf, Collections::unmodifiableMap, OverlayTest::smallMapOf);
    for (int round = 0; round < 10_000; round++) {
      int keySpace = 1 + random.nextInt(30);
      Map<String, Object> low = kinds.get(random.nextInt(4)).apply(randomMap(random, keySpace, "low"));
      Map<String, Object> high = kinds.get(random.nextInt(4)).apply(randomMap(random, keySpace, "high"));
      Map<String, Object> merged = new LinkedHashMap<>(low);
      merged.putAll(high);

      Map<String, Object> overlay = Overlay.of(high, low);

      String where = "round " + round + ": high " + high + " over low " + low;
      List<Object> walked = new ArrayList<>();
      overlay.forEach((key, value) -> {
        walked.add(key);
        walked.add(value);
      });
      List<Object> expected = new ArrayList<>();
      merged.forEach((key, value) -> {
        expected.add(key);
        expected.add(value);
      });
      assertEquals(expected, walked, where);
      // The view walks itself: a second walk, a walk inside a walk, and a walk after one whose action
      // threw midway must each see it whole (and a scope's SmallMap must come out unchanged).
      assertEquals(expected, walk(overlay), where + " (walked again)");
      if (!expected.isEmpty()) {
        List<Object> inner = new ArrayList<>();
        List<Object> outer = new ArrayList<>();
        overlay.forEach((key, value) -> {
          if (inner.isEmpty()) inner.addAll(walk(overlay));
          outer.add(key);
          outer.add(value);
        });
        assertEquals(expected, inner, where + " (walked inside a walk)");
        assertEquals(expected, outer, where + " (around that walk)");
        int throwAt = random.nextInt(expected.size() / 2);
        int[] calls = {0};
        assertThrows(IllegalStateException.class, () -> overlay.forEach((key, value) -> {
          if (calls[0]++ == throwAt) throw new IllegalStateException("deliberate");
        }));
        assertEquals(expected, walk(overlay), where + " (walked after a walk threw at " + throwAt + ")");
      }
      Map<String, Object> lowAgain = new LinkedHashMap<>(low);
      assertEquals(lowAgain, low, where);
      assertEquals(new ArrayList<>(merged.entrySet()), new ArrayList<>(overlay.entrySet()), where);
      assertEquals(merged.size(), overlay.size(), where);
      assertEquals(merged.isEmpty(), overlay.isEmpty(), where);
      for (int k = 0; k <= keySpace; k++) {
        String key = "k" + k;
        assertEquals(merged.get(key), overlay.get(key), where + " get " + key);
        assertEquals(merged.containsKey(key), overlay.containsKey(key), where + " containsKey " + key);
      }
      assertEquals(merged, overlay, where);
    }
  }

  private static List<Object> walk(Map<String, Object> map) {
    List<Object> walked = new ArrayList<>();
    map.forEach((key, value) -> {
      walked.add(key);
      walked.add(value);
    });
    return walked;
  }

  /** A scope's map, as the context builder makes it, when small enough for one. */
  private static Map<String, Object> smallMapOf(Map<String, Object> map) {
    if (map.size() > SmallMap.MAX_SIZE) return map;
    Object[] entries = new Object[map.size() * 2];
    int i = 0;
    for (Map.Entry<String, Object> entry : map.entrySet()) {
      entries[i++] = entry.getKey();
      entries[i++] = entry.getValue();
    }
    return SmallMap.ownerOf(entries);
  }

  /** Keys from a space shared by both sides, so that some are in both; a value null now and then. */
  private static Map<String, Object> randomMap(Random random, int keySpace, String side) {
    int size = random.nextInt(4) == 0 ? random.nextInt(keySpace + 1) : random.nextInt(Math.min(keySpace, 10) + 1);
    Map<String, Object> map = new LinkedHashMap<>();
    while (map.size() < size) {
      String key = "k" + random.nextInt(keySpace);
      map.put(key, random.nextInt(8) == 0 ? null : side + map.size());
    }
    return map;
  }

  /** A key that is not a String (a raw map) reaches the encoder as it is, which names it in its error. */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void passesKeysThatAreNotStringsToTheAction() {
    Map low = new LinkedHashMap();
    low.put(7, "seven");
    low.put("a", 1);
    Map<String, Object> high = Collections.singletonMap("b", 2);
    List<Object> keys = new ArrayList<>();
    ((Map<Object, Object>) (Map) Overlay.of(high, (Map<String, Object>) low)).forEach((key, value) -> keys.add(key));
    assertEquals(Arrays.asList(7, "a", "b"), keys);
  }
}
