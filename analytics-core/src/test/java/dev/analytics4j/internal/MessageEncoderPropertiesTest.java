package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.squareup.moshi.JsonReader;
import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.RecordingTransport;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.chrono.HijrahDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import okio.Buffer;

/**
 * Fuzzes message values: random nested maps, lists and arrays of every supported type, with at
 * most one bad value (NaN, a cycle, a null or non-String key, an unpaired surrogate, an arbitrary
 * object, a time without a zone...) put somewhere in them. Each value is either refused with an
 * exception naming its exact path, or it reaches the wire as valid UTF-8 JSON that decodes back to
 * the same values, with the good messages around it intact.
 *
 * <p>The generator is driven by a seed jqwik draws, so a failing try is reproduced by its seed.
 */
class MessageEncoderPropertiesTest {
  private static final DateTimeFormatter MILLIS_UTC =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Object JSON_NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private final MessageEncoder encoder = new MessageEncoder("fuzz-key", "analytics4j", "0.0.0");

  /** A generated value: what should be on the wire, or where the error is. */
  static final class Case {
    final Object value;
    final Object expected;
    /** The exact path the error must start with, or null when the value is valid. */
    String errorPath;
    boolean huge;

    Case(Object value, Object expected) {
      this.value = value;
      this.expected = expected;
    }
  }

  /** A double or float: compared by value, as JSON has one number type. */
  static final class ExpectedNumber {
    final double value;
    final boolean isFloat;

    ExpectedNumber(double value, boolean isFloat) {
      this.value = value;
      this.isFloat = isFloat;
    }

    @Override
    public String toString() {
      return (isFloat ? "float " : "double ") + value;
    }
  }

  /** Builds random values with one optional bad value; records containers to inject into. */
  static final class Generator {
    final Random random;
    final List<Object> containers = new ArrayList<>();
    final List<String> containerPaths = new ArrayList<>();
    /** For each container, the indices of the containers enclosing it, outermost first. */
    final List<List<Integer>> containerAncestors = new ArrayList<>();
    private final List<Integer> open = new ArrayList<>();
    boolean huge;

    Generator(long seed) {
      this.random = new Random(seed);
    }

    String string(int maxLength) {
      int length = random.nextInt(maxLength + 1);
      StringBuilder s = new StringBuilder();
      while (s.length() < length) {
        switch (random.nextInt(7)) {
          case 0: s.append((char) random.nextInt(0x20)); break;            // control characters
          case 1: s.appendCodePoint(0x1F600 + random.nextInt(80)); break;   // emoji, a surrogate pair
          case 2: s.append("\"\\/\u2028\u2029\u007f".charAt(random.nextInt(6))); break;
          case 3: s.append((char) (0x4E00 + random.nextInt(500))); break;   // CJK
          case 4: s.append('\u00e9'); break;
          default: s.append((char) ('a' + random.nextInt(26)));
        }
      }
      return s.toString();
    }

    /** A valid value and its JSON model. */
    Object[] leaf() {
      switch (random.nextInt(24)) {
        case 0: return pair(null, JSON_NULL);
        case 1: { boolean b = random.nextBoolean(); return pair(b, b); }
        case 2: { String s = string(20); return pair(s, s); }
        case 3: {
          if (huge || random.nextInt(8) != 0) { String s = string(8); return pair(s, s); }
          huge = true;
          String s = random.nextBoolean() ? "x".repeat(20_000 + random.nextInt(20_000))
              : "\uD83D\uDE00".repeat(5_000 + random.nextInt(6_000));
          return pair(s, s);
        }
        case 4: { int n = random.nextBoolean() ? random.nextInt() : (random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE); return pair(n, BigDecimal.valueOf(n)); }
        case 5: { long n = random.nextBoolean() ? random.nextLong() : (random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE); return pair(n, BigDecimal.valueOf(n)); }
        case 6: { short n = (short) random.nextInt(); byte b = (byte) n; return random.nextBoolean() ? pair(n, BigDecimal.valueOf(n)) : pair(b, BigDecimal.valueOf(b)); }
        case 7: { AtomicLong n = new AtomicLong(random.nextLong()); return random.nextBoolean() ? pair(n, BigDecimal.valueOf(n.get())) : pair(new AtomicInteger((int) n.get()), BigDecimal.valueOf((int) n.get())); }
        case 8: {
          double[] specials = {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300, 0.1, 1e21,
              0.001, 0.0005, -0.001, 9_999_999.999, 1e7, 1e7 - 0.001, 0.30000000000000004, 42.5, -19.99, 1e-4};
          double d;
          switch (random.nextInt(3)) {
            case 0: d = specials[random.nextInt(specials.length)]; break;
            case 1: d = Double.longBitsToDouble(random.nextLong()); break;
            // Prices and the like: a few decimals, around the edges of the encoder's fast path.
            default: d = (random.nextLong() % (long) Math.pow(10, 1 + random.nextInt(17))) / Math.pow(10, random.nextInt(6));
          }
          if (!Double.isFinite(d)) d = 42.5;
          return pair(d, new ExpectedNumber(d, false));
        }
        case 9: { float f = random.nextBoolean() ? 0.1f : Float.intBitsToFloat(random.nextInt()); if (!Float.isFinite(f)) f = Float.MIN_VALUE; return pair(f, new ExpectedNumber(f, true)); }
        case 10: { BigInteger n = new BigInteger(1 + random.nextInt(300), random); if (random.nextBoolean()) n = n.negate(); return pair(n, new BigDecimal(n)); }
        case 11: { BigDecimal n = new BigDecimal(new BigInteger(1 + random.nextInt(120), random), random.nextInt(80) - 40); return pair(n, n); }
        case 12: { char c = (char) random.nextInt(0xD800); return pair(c, String.valueOf(c)); }
        case 13: { DayOfWeek d = DayOfWeek.values()[random.nextInt(7)]; return pair(d, d.name()); }
        case 14: { UUID u = new UUID(random.nextLong(), random.nextLong()); return pair(u, u.toString()); }
        case 15: { Instant i = instant(); return pair(i, MILLIS_UTC.format(i)); }
        case 16: { Instant i = instant(); return pair(Date.from(i), MILLIS_UTC.format(Instant.ofEpochMilli(i.toEpochMilli()))); }
        case 17: { Instant i = instant(); ZoneOffset o = ZoneOffset.ofTotalSeconds((random.nextInt(36) - 18) * 3600); return pair(OffsetDateTime.ofInstant(i, o), MILLIS_UTC.format(i)); }
        case 18: { Instant i = instant(); ZoneId z = ZoneId.of(random.nextBoolean() ? "Asia/Kathmandu" : "America/St_Johns"); return pair(ZonedDateTime.ofInstant(i, z), MILLIS_UTC.format(i)); }
        case 19: { LocalDate d = LocalDate.ofEpochDay(random.nextInt(3_000_000) - 700_000); return pair(d, d.toString()); }
        case 20: {
          int n = random.nextInt(6);
          int[] ints = new int[n];
          List<Object> model = new ArrayList<>();
          for (int i = 0; i < n; i++) { ints[i] = random.nextInt(); model.add(BigDecimal.valueOf(ints[i])); }
          return pair(ints, model);
        }
        case 21: {
          int n = random.nextInt(6);
          double[] ds = new double[n];
          List<Object> model = new ArrayList<>();
          for (int i = 0; i < n; i++) { ds[i] = random.nextGaussian() * 1e6; model.add(new ExpectedNumber(ds[i], false)); }
          return pair(ds, model);
        }
        case 22: {
          int n = random.nextInt(6);
          boolean[] bs = new boolean[n];
          long[] ls = new long[n];
          List<Object> boolModel = new ArrayList<>();
          List<Object> longModel = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            bs[i] = random.nextBoolean(); boolModel.add(bs[i]);
            ls[i] = random.nextLong(); longModel.add(BigDecimal.valueOf(ls[i]));
          }
          return random.nextBoolean() ? pair(bs, boolModel) : pair(ls, longModel);
        }
        default: {
          int n = random.nextInt(4);
          short[] ss = new short[n];
          float[] fs = new float[n];
          List<Object> shortModel = new ArrayList<>();
          List<Object> floatModel = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            ss[i] = (short) random.nextInt(); shortModel.add(BigDecimal.valueOf(ss[i]));
            fs[i] = random.nextFloat() * 1000; floatModel.add(new ExpectedNumber(fs[i], true));
          }
          return random.nextBoolean() ? pair(ss, shortModel) : pair(fs, floatModel);
        }
      }
    }

    private Instant instant() {
      // Years 1 to 9999: the fixed-width range every ISO-8601 reader accepts.
      return Instant.ofEpochSecond(-62_135_596_800L + (long) (random.nextDouble() * 315_537_897_599L),
          random.nextInt(1_000_000_000));
    }

    /** A valid value, nested at most {@code depth} more levels. */
    Object[] value(int depth, String path) {
      int kind = depth <= 0 ? 3 : random.nextInt(6);
      if (kind == 0) {
        Map<Object, Object> map = new LinkedHashMap<>();
        Map<String, Object> model = new LinkedHashMap<>();
        register(map, path);
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          String key = string(6);
          if (map.containsKey(key)) continue;
          Object[] child = value(depth - 1, path + "." + key);
          map.put(key, child[0]);
          model.put(key, child[1]);
        }
        close();
        return pair(map, model);
      }
      if (kind == 1) {
        List<Object> list = new ArrayList<>();
        List<Object> model = new ArrayList<>();
        register(list, path);
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          Object[] child = value(depth - 1, path + "[" + i + "]");
          list.add(child[0]);
          model.add(child[1]);
        }
        close();
        return pair(list, model);
      }
      if (kind == 2) {
        int n = random.nextInt(3);
        Object[] array = new Object[n];
        List<Object> model = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          Object[] child = value(depth - 1, path + "[" + i + "]");
          array[i] = child[0];
          model.add(child[1]);
        }
        return pair(array, model);
      }
      return leaf();
    }

    /** Records a container whose children are generated next; call {@link #close()} after them. */
    void register(Object container, String path) {
      containerAncestors.add(new ArrayList<>(open));
      open.add(containers.size());
      containers.add(container);
      containerPaths.add(path);
    }

    void close() {
      open.remove(open.size() - 1);
    }

    /** Puts one bad value into a random container; returns the path the error must name. */
    @SuppressWarnings("unchecked")
    String injectBadValue() {
      int at = random.nextInt(containers.size());
      Object container = containers.get(at);
      String path = containerPaths.get(at);
      Object bad;
      String where;
      switch (random.nextInt(8)) {
        case 0: {
          // A key problem is reported at the map that holds the key.
          Map<Object, Object> map = containerAsMap(container);
          if (map == null) return injectAsElement(container, path, Double.NaN);
          int which = random.nextInt(3);
          if (which == 0) map.put(null, "x");
          else if (which == 1) map.put(random.nextInt(100), "x");
          else map.put("k\uDC00", "x");
          return path;
        }
        case 1: {
          // The container itself or one enclosing it, but not the top-level map: the builder
          // copies that one, so the copy would hold the original and the cycle would show deeper.
          List<Integer> candidates = new ArrayList<>(containerAncestors.get(at));
          candidates.add(at);
          candidates.remove(Integer.valueOf(0));
          bad = candidates.isEmpty() ? Double.NaN : containers.get(candidates.get(random.nextInt(candidates.size())));
          break;
        }
        case 2: bad = random.nextBoolean() ? Double.NaN : (random.nextBoolean() ? Float.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY); break;
        case 3: bad = random.nextBoolean() ? "ok\uD83D" : String.valueOf((char) (0xD800 + random.nextInt(0x800))); break;
        case 4: {
          Object[] others = {new Object(), new StringBuilder("sb"), new AtomicBoolean(), new LongAdder(), Optional.empty(),
              Duration.ofSeconds(5), Period.ofDays(2), ZoneId.of("Europe/Paris"), ZoneOffset.UTC, new byte[] {1}, new char[] {'p'},
              new BigDecimal("1") {}, Thread.currentThread().getThreadGroup()};
          bad = others[random.nextInt(others.length)];
          break;
        }
        case 5: {
          Object[] times = {LocalDateTime.of(2025, 3, 14, 9, 26), LocalTime.NOON, OffsetTime.of(LocalTime.NOON, ZoneOffset.UTC),
              Year.of(2025), YearMonth.of(2025, 3), MonthDay.of(3, 14), HijrahDate.now()};
          bad = times[random.nextInt(times.length)];
          break;
        }
        case 6: {
          double[] ds = {1.0, 2.0, Double.NaN};
          return injectAsElement(container, path, ds) + "[2]";
        }
        default: bad = new Object[] {"fine", Float.NaN};
          return injectAsElement(container, path, bad) + "[1]";
      }
      where = injectAsElement(container, path, bad);
      return where;
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> containerAsMap(Object container) {
      return container instanceof Map ? (Map<Object, Object>) container : null;
    }

    @SuppressWarnings("unchecked")
    private String injectAsElement(Object container, String path, Object bad) {
      if (container instanceof Map) {
        String key = "bad" + random.nextInt(1000);
        Map<Object, Object> map = (Map<Object, Object>) container;
        map.remove(key);
        map.put(key, bad);
        return path + "." + key;
      }
      List<Object> list = (List<Object>) container;
      list.add(bad);
      return path + "[" + (list.size() - 1) + "]";
    }

    private static Object[] pair(Object value, Object model) {
      return new Object[] {value, model};
    }
  }

  static Case generate(long seed, String field) {
    Generator g = new Generator(seed);
    Object[] root = g.value(0, field + ".v");
    Map<Object, Object> top = new LinkedHashMap<>();
    Map<String, Object> topModel = new LinkedHashMap<>();
    g.register(top, field);
    int n = 1 + g.random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String key = "f" + i;
      Object[] child = g.value(3, field + "." + key);
      top.put(key, child[0]);
      topModel.put(key, child[1]);
    }
    if (root[0] != null || g.random.nextBoolean()) {
      top.put("v", root[0]);
      topModel.put("v", root[1]);
    }
    g.close();
    Case c = new Case(top, topModel);
    if (g.random.nextInt(3) == 0) c.errorPath = g.injectBadValue();
    c.huge = g.huge;
    return c;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> asStringMap(Object map) {
    return (Map<String, ?>) map;
  }

  @Property(tries = 1000)
  void everyValueIsRefusedAtItsPathOrDecodesBackToItself(@ForAll long seed) throws IOException {
    checkOneValue(seed);
    // Each kind of outcome must really occur, or the generator has gone blind.
    Statistics.coverage(coverage -> {
      coverage.check("decoded back").percentage(p -> p > 30);
      coverage.check("refused at its path").percentage(p -> p > 15);
      coverage.check("refused as too big").count(n -> n > 0);
    });
  }

  private void checkOneValue(long seed) throws IOException {
    boolean inContext = (seed & 1) == 0;
    String field = inContext ? "context" : "properties";
    Case c = generate(seed, field);
    TrackMessage.Builder builder = TrackMessage.builder("Fuzzed").userId("u1");
    if (inContext) builder.context(asStringMap(c.value)); else builder.properties(asStringMap(c.value));
    EncodedMessage encoded;
    try {
      encoded = encoder.encode(builder.build());
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      if (c.errorPath == null) {
        assertTrue(c.huge && message.matches("message is \\d+ bytes, over the 32000-byte limit of the API \\(track messageId=.*\\)"),
            "refused a valid value: " + message);
        Statistics.collect("refused as too big");
        return;
      }
      assertTrue(message.startsWith(c.errorPath + ":") || message.startsWith(c.errorPath + " must be a finite number: "),
          "expected an error at " + c.errorPath + " but got: " + message);
      Statistics.collect("refused at its path");
      return;
    }
    if (c.errorPath != null) fail("accepted a value with a bad value at " + c.errorPath);
    assertTrue(encoded.size() <= MessageEncoder.MAX_MESSAGE_BYTES);

    EncodedMessage before = encoder.encode(TrackMessage.builder("Before").userId("u1").messageId("before").build());
    EncodedMessage after = encoder.encode(TrackMessage.builder("After").userId("u1").messageId("after").build());
    byte[] body = encoder.batchBody(List.of(before, encoded, after), Instant.now());
    Map<String, Object> decoded = asObject(decode(body));
    List<Object> batch = asList(decoded.get("batch"));
    assertEquals(3, batch.size());
    assertEquals("before", asObject(batch.get(0)).get("messageId"));
    assertEquals("after", asObject(batch.get(2)).get("messageId"));
    assertEquals("fuzz-key", decoded.get("writeKey"));
    Map<String, Object> sent = asObject(asObject(batch.get(1)).get(field));
    if (inContext) {
      assertEquals(Map.of("name", "analytics4j", "version", "0.0.0"), sent.remove("library"));
    }
    assertSameJson(c.expected, sent, field);
    Statistics.collect("decoded back");
  }

  /** Parses strict UTF-8 JSON; numbers become BigDecimal, so nothing is lost in the comparison. */
  static Object decode(byte[] body) throws IOException {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
    } catch (CharacterCodingException e) {
      throw new AssertionError("not valid UTF-8", e);
    }
    JsonReader reader = JsonReader.of(new Buffer().write(body));
    Object value = read(reader);
    assertEquals(JsonReader.Token.END_DOCUMENT, reader.peek());
    return value;
  }

  private static Object read(JsonReader reader) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT: {
        Map<String, Object> map = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (map.put(name, read(reader)) != null) throw new AssertionError("duplicate key " + name);
        }
        reader.endObject();
        return map;
      }
      case BEGIN_ARRAY: {
        List<Object> list = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) list.add(read(reader));
        reader.endArray();
        return list;
      }
      case STRING: return reader.nextString();
      case NUMBER: return new BigDecimal(reader.nextString());
      case BOOLEAN: return reader.nextBoolean();
      case NULL: reader.nextNull(); return JSON_NULL;
      default: throw new AssertionError("unexpected " + reader.peek());
    }
  }

  private static void assertSameJson(Object expected, Object actual, String path) {
    if (expected instanceof ExpectedNumber) {
      ExpectedNumber number = (ExpectedNumber) expected;
      assertTrue(actual instanceof BigDecimal, path + ": expected a number but was " + actual);
      BigDecimal decimal = (BigDecimal) actual;
      boolean same = number.isFloat ? decimal.floatValue() == (float) number.value : decimal.doubleValue() == number.value;
      assertTrue(same, path + ": expected " + number + " but was " + decimal);
    } else if (expected instanceof BigDecimal) {
      assertTrue(actual instanceof BigDecimal && ((BigDecimal) expected).compareTo((BigDecimal) actual) == 0,
          path + ": expected " + expected + " but was " + actual);
    } else if (expected instanceof Map) {
      Map<?, ?> e = (Map<?, ?>) expected;
      assertTrue(actual instanceof Map, path + ": expected an object but was " + actual);
      Map<?, ?> a = (Map<?, ?>) actual;
      assertEquals(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), path + " keys");
      for (Object key : e.keySet()) assertSameJson(e.get(key), a.get(key), path + "." + key);
    } else if (expected instanceof List) {
      List<?> e = (List<?>) expected;
      assertTrue(actual instanceof List, path + ": expected an array but was " + actual);
      List<?> a = (List<?>) actual;
      assertEquals(e.size(), a.size(), path + " size");
      for (int i = 0; i < e.size(); i++) assertSameJson(e.get(i), a.get(i), path + "[" + i + "]");
    } else {
      assertEquals(expected, actual, path);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asObject(Object value) {
    assertTrue(value instanceof Map, "expected an object: " + value);
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object value) {
    assertTrue(value instanceof List, "expected an array: " + value);
    return (List<Object>) value;
  }

  /**
   * Through the whole client: good messages around a fuzzed one all reach the transport in batches
   * that parse, the flusher survives, and the books balance.
   */
  @Property(tries = 25)
  void badValuesNeverCorruptABatchOrCostTheGoodMessagesAroundThem(@ForAll long seed) throws Exception {
    RecordingTransport transport = new RecordingTransport();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = Analytics.builder("fuzz-key").transport(transport).callback(callback)
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();
    try {
      List<String> good = new ArrayList<>();
      Map<String, Integer> accepted = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        String id = "good-" + i;
        analytics.enqueue(TrackMessage.builder("Good").userId("u1").messageId(id));
        good.add(id);
        Case c = generate(seed * 31 + i, "properties");
        try {
          analytics.enqueue(TrackMessage.builder("Fuzzed").userId("u1").messageId("fuzz-" + i)
              .properties(asStringMap(c.value)));
          accepted.put("fuzz-" + i, i);
        } catch (IllegalArgumentException expected) {
          assertTrue(c.errorPath != null || c.huge, expected.getMessage());
        }
      }
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      assertTrue(result.isSuccess(), result.toString());
      List<String> arrived = new ArrayList<>();
      for (Transport.Request request : transport.requests()) {
        for (Object message : asList(asObject(decode(request.body())).get("batch"))) {
          arrived.add((String) asObject(message).get("messageId"));
        }
      }
      List<String> expected = new ArrayList<>(good);
      expected.addAll(accepted.keySet());
      expected.sort(null);
      arrived.sort(null);
      assertEquals(expected, arrived);
      assertEquals(expected.size(), callback.count("sent"));
      Metrics metrics = analytics.metrics();
      assertEquals(expected.size(), metrics.enqueued());
      assertEquals(metrics.enqueued(), metrics.sent());
    } finally {
      analytics.close();
    }
  }
}
