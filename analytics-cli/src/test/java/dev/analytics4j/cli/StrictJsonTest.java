package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line reader against Moshi on random documents, and on random damage to them. */
class StrictJsonTest {
  private static final JsonAdapter<Object> MOSHI = new Moshi.Builder().build().adapter(Object.class);
  private static final JsonAdapter<Map<String, Object>> MAP = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @Test
  void readsWhatAJsonWriterWritesExactly() throws Exception {
    Random random = new Random(10);
    for (int i = 0; i < 1_000; i++) {
      Map<String, Object> document = object(random, 0);
      String json = MAP.toJson(document);
      assertEquals(normalise(MOSHI.fromJson(json)), normalise(StrictJson.parseObject(json)), json);
    }
  }

  @Test
  void damagedLinesAreRejectedNeverThrownOrHung() {
    Random random = new Random(11);
    String alphabet = "{}[]\",:\\u0123456789eE+-.tfn \t\u00e9\ud83d\ude00";
    int rejected = 0;
    for (int i = 0; i < 10_000; i++) {
      StringBuilder line = new StringBuilder(MAP.toJson(object(random, 0)));
      for (int edits = 1 + random.nextInt(3); edits > 0 && line.length() > 0; edits--) {
        int at = random.nextInt(line.length());
        switch (random.nextInt(3)) {
          case 0: line.deleteCharAt(at); break;
          case 1: line.insert(at, alphabet.charAt(random.nextInt(alphabet.length()))); break;
          default: line.setLength(at); break;
        }
      }
      try {
        StrictJson.parseObject(line.toString());
      } catch (LineRejectedException e) {
        rejected++;
        assertTrue(e.getMessage().startsWith("not "), e.getMessage());
      }
    }
    assertTrue(rejected > 5_000, "rejected " + rejected);
  }

  private static Map<String, Object> object(Random random, int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = random.nextInt(depth == 0 ? 6 : 4); i > 0; i--) map.put("k" + random.nextInt(1000) + "\u00e9\"", value(random, depth + 1));
    return map;
  }

  private static Object value(Random random, int depth) {
    switch (random.nextInt(depth > 4 ? 5 : 7)) {
      case 0: return "s\n\u2028\ud83d\ude00" + random.nextInt();
      case 1: return random.nextLong();
      case 2: return random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
      case 3: return random.nextBoolean();
      case 4: return "";
      case 5: return object(random, depth);
      default:
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) list.add(value(random, depth + 1));
        return list;
    }
  }

  /** Numbers compared by value: Moshi reads every number as a double. */
  private static Object normalise(Object value) {
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> out.put((String) k, normalise(v)));
      return out;
    }
    if (value instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object v : (List<?>) value) out.add(normalise(v));
      return out;
    }
    if (value instanceof Number) return new BigDecimal(value.toString()).doubleValue();
    return value;
  }
}
