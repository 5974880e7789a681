package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.analytics4j.internal.FrozenMap;
import dev.analytics4j.internal.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A hook's map copies the message's only when first changed (or when a nested value is read): every
 * sequence of reads and changes must give what the deep LinkedHashMap copy it replaces gave, leave
 * the message's map (and its nested maps) as they were, and hand back the message's own map when
 * nothing was copied.
 */
class HookMapTest {
  @Test
  void randomReadsAndChangesGiveWhatADeepLinkedHashMapCopyGives() {
    Random random = new Random(19);
    int untouched = 0;
    for (int round = 0; round < 20_000; round++) {
      Map<String, Object> original = randomMap(random, random.nextInt(4) == 0 ? 12 : 6);
      String snapshot = original.toString();
      boolean owned = random.nextInt(3) == 0;
      // An owned map is the engine's own merged LinkedHashMap: its top level may be reused.
      Map<String, Object> source = owned ? Values.copy(original, false)
          : random.nextBoolean() ? original : FrozenMap.copyOf(original);
      Map<String, Object> expected = Values.copy(original, false);
      HookMap<Object> map = new HookMap<>(source, owned);
      List<String> log = new ArrayList<>();
      int ops = random.nextInt(8);
      for (int op = 0; op < ops; op++) {
        String where = "round " + round + " " + log;
        String key = "k" + random.nextInt(14);
        switch (random.nextInt(14)) {
          case 0:
            log.add("get " + key);
            assertEquals(expected.get(key), map.get(key), where);
            break;
          case 1:
            log.add("containsKey/size " + key);
            assertEquals(expected.containsKey(key), map.containsKey(key), where);
            assertEquals(expected.size(), map.size(), where);
            assertEquals(expected.isEmpty(), map.isEmpty(), where);
            break;
          case 2:
          case 3: {
            Object value = random.nextInt(5) == 0 ? null : "v" + op;
            log.add("put " + key + "=" + value);
            assertEquals(expected.put(key, value), map.put(key, value), where);
            break;
          }
          case 4:
            log.add("remove " + key);
            assertEquals(expected.remove(key), map.remove(key), where);
            break;
          case 5: {
            log.add("iterator remove every other");
            Iterator<Map.Entry<String, Object>> a = expected.entrySet().iterator();
            Iterator<Map.Entry<String, Object>> b = map.entrySet().iterator();
            boolean drop = random.nextBoolean();
            while (a.hasNext()) {
              assertEquals(a.next(), b.next(), where);
              if (drop) {
                a.remove();
                b.remove();
              }
              drop = !drop;
            }
            assertEquals(false, b.hasNext(), where);
            break;
          }
          case 6:
            log.add("setValue");
            for (Map.Entry<String, Object> entry : expected.entrySet()) entry.setValue(entry.getKey() + "!");
            for (Map.Entry<String, Object> entry : map.entrySet()) entry.setValue(entry.getKey() + "!");
            break;
          case 7: {
            // A nested map read from the hook's map is the hook's to change, never the message's.
            log.add("change nested " + key);
            Object a = expected.get(key);
            Object b = map.get(key);
            if (a instanceof Map) {
              @SuppressWarnings("unchecked")
              Map<String, Object> nested = (Map<String, Object>) b;
              nested.put("added", 1);
              @SuppressWarnings("unchecked")
              Map<String, Object> nestedExpected = (Map<String, Object>) a;
              nestedExpected.put("added", 1);
            }
            if (a instanceof List) {
              @SuppressWarnings("unchecked")
              List<Object> nested = (List<Object>) b;
              nested.add("added");
              @SuppressWarnings("unchecked")
              List<Object> nestedExpected = (List<Object>) a;
              nestedExpected.add("added");
            }
            break;
          }
          case 8:
            log.add("keySet remove " + key);
            assertEquals(expected.keySet().remove(key), map.keySet().remove(key), where);
            break;
          case 9:
            log.add("putAll");
            Map<String, Object> more = randomMap(random, 10);
            // Each its own copy: what a hook puts is its own, and a nested value put is not copied again.
            expected.putAll(Values.copy(more, false));
            map.putAll(Values.copy(more, false));
            break;
          case 10:
            log.add("clear");
            expected.clear();
            map.clear();
            break;
          case 11:
            log.add("equals/hashCode/toString");
            assertEquals(expected, map, where);
            assertEquals(expected.hashCode(), map.hashCode(), where);
            assertEquals(expected.toString(), map.toString(), where);
            break;
          case 12:
            log.add("values remove");
            assertEquals(expected.values().remove("v0"), map.values().remove("v0"), where);
            break;
          default:
            log.add("forEach");
            assertEquals(walk(expected), walk(map), where);
        }
      }
      String where = "round " + round + " " + log;
      // Before the checks below, which iterate (and so copy).
      if (HookMap.sent(map) == source) untouched++;
      assertEquals(walk(expected), walk(HookMap.sent(map)), where);
      assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(map.entrySet()), where);
      if (!owned) assertEquals(snapshot, source.toString(), where + ": the message's map changed");
      assertEquals(snapshot, original.toString(), where + ": the caller's map changed");
    }
    // Both ways out were taken many times: untouched (the message's own map) and copied.
    assertEquals(true, untouched > 2_000 && untouched < 18_000, "untouched " + untouched);
  }

  @Test
  void readingScalarsCopiesNothingAndReadingANestedMapCopiesIt() {
    Map<String, Object> nested = new LinkedHashMap<>(Map.of("path", "/a"));
    Map<String, Object> source = FrozenMap.copyOf(Map.of("ip", "192.0.2.1", "page", nested));
    HookMap<Object> map = new HookMap<>(source, false);
    assertEquals("192.0.2.1", map.get("ip"));
    assertEquals(true, map.containsKey("page"));
    assertEquals(2, map.size());
    assertSame(source, HookMap.sent(map));
    @SuppressWarnings("unchecked")
    Map<String, Object> page = (Map<String, Object>) map.get("page");
    assertNotSame(nested, page);
    page.put("path", "/b");
    assertEquals(Map.of("path", "/a"), nested);
    assertSame(map, HookMap.sent(map));
    assertEquals(Map.of("ip", "192.0.2.1", "page", Map.of("path", "/b")), map);
  }

  /**
   * A hook that kept its map and changes it while the encoder walks it (from another thread, or a
   * value's own code): the walk throws, in the array copy as in the LinkedHashMap one, and that
   * message fails alone (BeforeSendHooksTest); the map is never read half-changed.
   */
  @Test
  void aChangeDuringAWalkThrowsForSmallAndLargeCopies() {
    for (int size : new int[] {0, 3, HookMap.SMALL, HookMap.SMALL + 1, 20}) {
      Map<String, Object> source = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) source.put("k" + i, i);
      HookMap<Object> map = new HookMap<>(source, false);
      map.put("first", 1);
      // Once: a LinkedHashMap checks at the end of its walk, and would walk what is added forever.
      assertThrows(ConcurrentModificationException.class,
          () -> map.forEach((key, value) -> map.putIfAbsent("late", 1)), "size " + size);
      HookMap<Object> removing = new HookMap<>(source, false);
      removing.put("first", 1);
      assertThrows(ConcurrentModificationException.class,
          () -> removing.forEach((key, value) -> removing.remove("first")), "size " + size);
    }
  }

  /** A raw map's key that is not a String reaches the encoder as it is, which names it. */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void keysThatAreNotStringsStayAsTheyAre() {
    Map raw = new LinkedHashMap();
    raw.put(7, "seven");
    raw.put("a", 1);
    HookMap<Object> map = new HookMap<>((Map<String, Object>) raw, false);
    map.put("b", 2);
    List<Object> keys = new ArrayList<>();
    ((Map<Object, Object>) (Map) map).forEach((key, value) -> keys.add(key));
    assertEquals(Arrays.asList(7, "a", "b"), keys);
    List<Object> iterated = new ArrayList<>();
    for (Map.Entry<?, ?> entry : ((Map<?, ?>) map).entrySet()) iterated.add(entry.getKey());
    assertEquals(Arrays.asList(7, "a", "b"), iterated);
  }

  private static List<@Nullable Object> walk(Map<String, Object> map) {
    List<@Nullable Object> walked = new ArrayList<>();
    map.forEach((key, value) -> {
      walked.add(key);
      walked.add(value);
    });
    return walked;
  }

  /** Scalars, nulls, nested maps and lists; sometimes more entries than the array copy holds. */
  private static Map<String, Object> randomMap(Random random, int maxSize) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = random.nextInt(maxSize + 1); i > 0; i--) {
      String key = "k" + random.nextInt(14);
      switch (random.nextInt(5)) {
        case 0: map.put(key, null); break;
        case 1: map.put(key, new LinkedHashMap<>(Map.of("x", random.nextInt(3)))); break;
        case 2: map.put(key, new ArrayList<>(List.of("a", "b"))); break;
        case 3: map.put(key, Collections.singletonMap("y", List.of(1))); break;
        default: map.put(key, random.nextInt(100));
      }
    }
    return map;
  }
}
