package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bytes on the wire, pinned: a corpus of messages (every type, unicode, escapes, control
 * characters, surrogates, numbers of every kind, nested maps and lists, timestamps from year 0000 to
 * 9999, dates inside properties, integrations, context, scopes, hooks and a default context) sent
 * through real clients, each message's bytes cut out of the request body the transport received and
 * compared byte for byte with {@code wire-corpus.txt}; refusals are compared by exception and message.
 *
 * <p>The expected file was recorded from the encoder as it was before the caller-cost work (issue 22),
 * so any change to the encoder that changes a byte fails here. To record it again after a deliberate
 * change of the wire format: {@code mvn -pl analytics-core verify -Dtest=WireCorpusTest
 * -Dwire.corpus.record=src/test/resources/dev/analytics4j/internal/wire-corpus.txt}, and review the diff.
 *
 * <p>Through the public API and {@link Wire} only, so that it keeps pinning the bytes whatever
 * package the encoder lives in.
 */
final class WireCorpusTest {
  private static final String RESOURCE = "wire-corpus.txt";
  /** The library version in each message's context, so that a release does not change the corpus. */
  private static final String VERSION_MARK = "@VERSION@";
  private static final byte[] BATCH_HEAD = "{\"batch\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SENT_AT = "],\"sentAt\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2025-03-14T09:26:53.589Z");

  private final ConcurrentLinkedQueue<byte[]> bodies = new ConcurrentLinkedQueue<>();
  private final Transport transport = request -> {
    bodies.add(request.body().clone());
    return new Transport.Response(200, null, "{\"success\":true}");
  };
  private final List<Analytics> clients = new ArrayList<>();

  /** Name, then the message bytes or {@code !ExceptionClass: message}; in corpus order. */
  private final Map<String, String> actual = new LinkedHashMap<>();

  @AfterEach
  void closeClients() {
    for (Analytics client : clients) client.close();
  }

  @Test
  void everyMessageOfTheCorpusIsEncodedToTheRecordedBytes() throws IOException {
    buildCorpus();
    String recordTo = System.getProperty("wire.corpus.record");
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> entry : actual.entrySet()) {
      text.append(entry.getKey()).append('\t').append(entry.getValue()).append('\n');
    }
    byte[] actualBytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (recordTo != null && !recordTo.isEmpty()) {
      Files.write(Paths.get(recordTo), actualBytes);
    }

    Map<String, byte[]> expected = readExpected();
    assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), "corpus entries");
    int compared = 0;
    for (Map.Entry<String, String> entry : actual.entrySet()) {
      byte[] want = expected.get(entry.getKey());
      byte[] got = entry.getValue().getBytes(StandardCharsets.UTF_8);
      if (!Arrays.equals(want, got)) {
        fail(entry.getKey() + ": bytes differ at index " + Arrays.mismatch(want, got)
            + "\nexpected: " + new String(want, StandardCharsets.UTF_8)
            + "\nactual:   " + entry.getValue());
      }
      compared++;
    }
    assertTrue(compared >= 100, "the corpus shrank to " + compared + " entries");
  }

  private Map<String, byte[]> readExpected() throws IOException {
    byte[] all;
    try (InputStream in = WireCorpusTest.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new AssertionError(RESOURCE + " is missing");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      all = out.toByteArray();
    }
    // Split on raw bytes: JSON strings escape every control character, so a line is one entry.
    Map<String, byte[]> expected = new LinkedHashMap<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] != '\n') continue;
      int tab = start;
      while (all[tab] != '\t') tab++;
      String name = new String(all, start, tab - start, StandardCharsets.UTF_8);
      if (expected.put(name, Arrays.copyOfRange(all, tab + 1, i)) != null) {
        throw new AssertionError("duplicate corpus entry " + name);
      }
      start = i + 1;
    }
    assertEquals(all.length, start, "the corpus file ends with a newline");
    return expected;
  }

  // ---------------------------------------------------------------------------------------------

  private Analytics client(Consumer<Analytics.Builder> configure) {
    Analytics.Builder builder = Analytics.builder("corpus-write-key")
        .transport(transport)
        .gzip(false)
        .flushAt(1000)
        .flushInterval(Duration.ofHours(1))
        .shutdownHook(false);
    configure.accept(builder);
    Analytics client = builder.build();
    clients.add(client);
    return client;
  }

  /** Enqueues {@code message} alone and records the bytes it took in the request body, or its refusal. */
  private void record(String name, Analytics client, Message.Builder<?, ?> message) {
    if (actual.containsKey(name)) throw new AssertionError("duplicate corpus entry " + name);
    bodies.clear();
    try {
      client.enqueue(message);
    } catch (RuntimeException e) {
      actual.put(name, "!" + e.getClass().getSimpleName() + ": " + e.getMessage());
      return;
    }
    FlushResult result = client.flush(Duration.ofSeconds(30));
    assertEquals(1, result.delivered(), name + ": " + result);
    assertEquals(1, bodies.size(), name);
    actual.put(name, messageOf(bodies.poll()));
  }

  /** Records the refusal of a message the builder itself refuses, before any client sees it. */
  private void refused(String name, Runnable build) {
    try {
      build.run();
    } catch (RuntimeException e) {
      actual.put(name, "!" + e.getClass().getSimpleName() + ": " + e.getMessage());
      return;
    }
    throw new AssertionError(name + " was not refused");
  }

  /** The one message of a request body {@code {"batch":[M],"sentAt":"...",...}}. */
  private static String messageOf(byte[] body) {
    for (int i = 0; i < BATCH_HEAD.length; i++) assertEquals(BATCH_HEAD[i], body[i]);
    // The envelope's tail (library and write key) cannot hold the pattern, so the last one is it.
    int end = -1;
    for (int i = body.length - SENT_AT.length; i >= 0 && end < 0; i--) {
      if (Arrays.equals(body, i, i + SENT_AT.length, SENT_AT, 0, SENT_AT.length)) end = i;
    }
    String json = new String(body, BATCH_HEAD.length, end - BATCH_HEAD.length, StandardCharsets.UTF_8);
    // Decoding and re-encoding is exact only for well-formed UTF-8: check it is.
    byte[] raw = Arrays.copyOfRange(body, BATCH_HEAD.length, end);
    assertTrue(Arrays.equals(raw, json.getBytes(StandardCharsets.UTF_8)), "well-formed UTF-8: " + json);
    return json.replace("\"version\":\"" + Analytics.VERSION + "\"", "\"version\":\"" + VERSION_MARK + "\"");
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Order Completed").userId("usr_1").messageId(id).timestamp(T);
  }

  private static TrackMessage.Builder track(String id, Map<String, ?> properties) {
    return track(id).properties(properties);
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }

  enum Plan { FREE, TEAM_PLUS }

  private void buildCorpus() {
    Analytics plain = client(b -> {});
    typesAndFields(plain);
    strings(plain);
    numbers(plain);
    containers(plain);
    timestamps(plain);
    contextAndIntegrations(plain);
    refusals(plain);

    Analytics withDefaults = client(b -> b.defaultContext(() -> map("ip", "203.0.113.9", "locale", "de-DE",
        "library", map("name", "ignored"))));
    record("defaultContext/under-message-context", withDefaults,
        track("dc-1").context(map("locale", "fr-FR", "page", map("path", "/checkout"))));
    record("defaultContext/empty-message-context", withDefaults, track("dc-2"));
    record("defaultContext/identify", withDefaults,
        IdentifyMessage.builder().userId("u").messageId("dc-3").timestamp(T).traits(map("a", 1)));

    Analytics hooked = client(b -> b.beforeSend(m -> {
      m.context().put("region", "eu-west-1");
      m.properties().put("hooked", true);
    }).defaultContext(() -> map("ip", "198.51.100.7")));
    record("hook/adds-context-and-property", hooked, track("h-1", map("a", "b")));
    record("hook/identify-traits", hooked,
        IdentifyMessage.builder().userId("u").messageId("h-2").timestamp(T).traits(map("t", 1)));
    record("hook/alias", hooked, AliasMessage.builder("old").userId("new").messageId("h-3").timestamp(T));

    try (AnalyticsContext.Scope scope = plain.context().userId("scoped_user").property("tenant", "acme")
        .property("a", "from-scope").context("request", map("id", "req-1")).open()) {
      record("scope/track-overlay", plain, TrackMessage.builder("Scoped").messageId("s-1").timestamp(T)
          .properties(map("a", "own", "b", 2)));
      record("scope/track-own-user", plain, track("s-2"));
      record("scope/identify", plain, IdentifyMessage.builder().messageId("s-3").timestamp(T)
          .traits(map("email", "x@example.org")));
      record("scope/page", plain, PageMessage.builder("Home").messageId("s-4").timestamp(T));
      record("scope/context-merge", plain, track("s-5").context(map("request", map("id", "own"), "ip", "10.0.0.1")));
    }

    Analytics importer = client(Wire::keepMessageLibrary);
    record("keepLibrary/own-library", importer,
        track("k-1").context(map("ip", "1.2.3.4", "library", map("name", "analytics-ruby", "version", "2.0"))));
    record("keepLibrary/no-library", importer, track("k-2").context(map("ip", "1.2.3.4")));
    record("keepLibrary/library-not-a-map", importer, track("k-3").context(map("library", "text")));
  }

  private void typesAndFields(Analytics c) {
    record("type/track-minimal", c, track("t-1"));
    record("type/track-anonymous", c,
        TrackMessage.builder("Signed Up").anonymousId("anon-42").messageId("t-2").timestamp(T));
    record("type/track-both-ids", c,
        TrackMessage.builder("Signed Up").userId("u").anonymousId("a").messageId("t-3").timestamp(T));
    record("type/identify", c, IdentifyMessage.builder().userId("u-9").messageId("t-4").timestamp(T)
        .traits(map("email", "ada@example.org", "name", "Ada Lovelace", "logins", 42, "verified", true)));
    record("type/identify-no-traits", c, IdentifyMessage.builder().anonymousId("a").messageId("t-5").timestamp(T));
    record("type/page-name-category", c, PageMessage.builder("Pricing").category("Docs").userId("u")
        .messageId("t-6").timestamp(T).properties(map("url", "https://example.org/pricing?a=1&b=2")));
    record("type/page-no-name", c, PageMessage.builder().userId("u").messageId("t-7").timestamp(T));
    record("type/screen", c, ScreenMessage.builder("Home").userId("u").messageId("t-8").timestamp(T)
        .properties(map("variation", "blue")));
    record("type/screen-no-name", c, ScreenMessage.builder().userId("u").messageId("t-9").timestamp(T));
    record("type/group", c, GroupMessage.builder("grp_1").userId("u").messageId("t-10").timestamp(T)
        .traits(map("name", "Initech", "employees", 329)));
    record("type/alias", c, AliasMessage.builder("anon-42").userId("u").messageId("t-11").timestamp(T));
    record("type/messageId-escaped", c, track("id \"quoted\" \\ / \u00e9\u4e2d"));
    record("type/userId-unicode", c,
        TrackMessage.builder("Ev\u00e9nement \u2603").userId("\u7528\u6237\ud83d\ude00").messageId("t-12").timestamp(T));
  }

  private void strings(Analytics c) {
    StringBuilder controls = new StringBuilder();
    for (char ch = 0; ch < 0x20; ch++) controls.append(ch);
    controls.append('\u007f');
    record("string/control-chars", c, track("s-1", map("c", controls.toString())));
    record("string/escapes", c, track("s-2", map("q", "\"quote\" \\back\\slash /slash/ \b\f\n\r\t")));
    record("string/html-chars", c, track("s-3", map("h", "<script>alert('x')</script> & =")));
    record("string/line-separators", c, track("s-4", map("ls", "a\u2028b\u2029c\u0085d")));
    record("string/latin-cjk-emoji", c,
        track("s-5", map("l", "caf\u00e9 na\u00efve \u00fc\u00df", "cjk", "\u6f22\u5b57\u304b\u306a", "e",
            "\ud83d\ude00\ud83c\udf89\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67")));
    record("string/paired-surrogates-key", c, track("s-6", map("\ud834\udd1e clef", "\ud834\udd1e")));
    record("string/max-bmp", c, track("s-7", map("bmp", "\uffff\ufffe\ufeff\u0800\u07ff\u0080")));
    record("string/nul-only", c, track("s-8", map("z", "\u0000")));
    record("string/empty", c, track("s-9", map("", "")));
    record("string/key-escapes", c, track("s-10", map("k\"e\\y\n", "v")));
    record("string/long", c, track("s-11", map("long", "0123456789abcdef".repeat(512))));
    record("string/character", c, track("s-12", map("ch", 'x', "quote", '"', "nul", '\u0000')));
    record("string/enum", c, track("s-13", map("plan", Plan.TEAM_PLUS)));
    record("string/uuid", c, track("s-14", map("id", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"))));
    record("string/lone-high-surrogate", c, track("s-15", map("bad", "ab\ud800cd")));
    record("string/lone-low-surrogate", c, track("s-16", map("bad", "\udc00")));
    record("string/high-at-end", c, track("s-17", map("bad", "x\ud83d")));
    record("string/reversed-pair", c, track("s-18", map("bad", "\ude00\ud83d")));
    record("string/lone-surrogate-key", c, track("s-19", map("k\ud800", 1)));
    record("string/lone-surrogate-nested", c,
        track("s-20", map("list", List.of(map("deep", List.of("ok", "\udfff"))))));
    record("string/lone-surrogate-event", c, TrackMessage.builder("ev\ud800").userId("u").messageId("s-21").timestamp(T));
    record("string/lone-surrogate-userId", c, track("s-22").userId("u\udc01"));
    record("string/lone-surrogate-character", c, track("s-23", map("ch", '\ud800')));
  }

  private void numbers(Analytics c) {
    record("number/integers", c, track("n-1", map("i", 42, "neg", -7, "zero", 0, "max", Integer.MAX_VALUE,
        "min", Integer.MIN_VALUE)));
    record("number/longs", c, track("n-2", map("max", Long.MAX_VALUE, "min", Long.MIN_VALUE, "l", 1L << 53)));
    record("number/short-byte", c, track("n-3", map("s", (short) -32768, "b", (byte) 127)));
    record("number/atomics", c, track("n-4", map("ai", new AtomicInteger(-5), "al", new AtomicLong(1L << 40))));
    record("number/doubles", c, track("n-5", map("d", 67.49, "zero", 0.0, "negzero", -0.0, "one", 1.0,
        "tiny", Double.MIN_VALUE, "max", Double.MAX_VALUE, "e", 1e21, "small", 1e-7, "third", 1.0 / 3,
        "big", 123456789012.5, "neg", -2.5e-300)));
    record("number/floats", c, track("n-6", map("f", 0.1f, "max", Float.MAX_VALUE, "min", Float.MIN_VALUE,
        "negzero", -0.0f, "whole", 3f, "e", 1.5e10f)));
    record("number/bigdecimal", c, track("n-7", map("a", new BigDecimal("123.4500"), "b", new BigDecimal("1E+3"),
        "c", new BigDecimal("-0.000000001"), "d", new BigDecimal("12345678901234567890.123456789"),
        "e", BigDecimal.ZERO)));
    record("number/biginteger", c, track("n-8", map("a", new BigInteger("123456789012345678901234567890"),
        "b", BigInteger.valueOf(-1))));
    record("number/booleans-nulls", c, track("n-9", map("t", true, "f", false, "n", null)));
    record("number/nan", c, track("n-10", map("bad", Double.NaN)));
    record("number/positive-infinity", c, track("n-11", map("bad", Double.POSITIVE_INFINITY)));
    record("number/float-nan", c, track("n-12", map("bad", Float.NaN)));
    record("number/float-neg-infinity", c, track("n-13", map("bad", Float.NEGATIVE_INFINITY)));
    record("number/nan-in-double-array", c, track("n-14", map("xs", new double[] {1, Double.NaN})));
    record("number/infinity-in-float-array", c, track("n-15", map("xs", new float[] {1f, Float.POSITIVE_INFINITY})));
    record("number/bigdecimal-subclass", c, track("n-16", map("bad", new BigDecimal("1") {
      @Override
      public String toString() {
        return "not a number";
      }
    })));
    record("number/custom-number", c, track("n-17", map("bad", new Number() {
      @Override public int intValue() { return 0; }
      @Override public long longValue() { return 0; }
      @Override public float floatValue() { return 0; }
      @Override public double doubleValue() { return 0; }
    })));
    record("number/primitive-arrays", c, track("n-18", map("ints", new int[] {1, -2, Integer.MAX_VALUE},
        "longs", new long[] {Long.MIN_VALUE}, "doubles", new double[] {0.5, -0.0, 1e100},
        "floats", new float[] {0.1f, 2f}, "bools", new boolean[] {true, false}, "shorts", new short[] {-1, 7},
        "empty", new int[0])));
    record("number/byte-array", c, track("n-19", map("bad", new byte[] {1})));
    record("number/char-array", c, track("n-20", map("bad", new char[] {'p'})));
  }

  private void containers(Analytics c) {
    Map<String, Object> deep = map("leaf", "x");
    for (int i = 0; i < 10; i++) deep = map("l" + i, deep, "i", i);
    record("container/nested-maps", c, track("c-1", deep));
    record("container/lists", c, track("c-2", map("empty", List.of(), "mixed", Arrays.asList(1, "two", 3.0, null,
        true, List.of(List.of()), map()), "products", List.of(map("sku", "a", "price", 1.5), map("sku", "b")))));
    record("container/empty-map", c, track("c-3", map("m", map(), "m2", Collections.emptyMap())));
    Set<Object> set = new LinkedHashSet<>(Arrays.asList("b", "a", 3));
    record("container/set-and-enumset", c, track("c-4", map("set", set, "enums", EnumSet.allOf(Plan.class))));
    record("container/object-array", c, track("c-5", map("arr", new Object[] {"x", 1, null, new String[] {"y"}})));
    record("container/treemap-order", c, track("c-6", map("t", new TreeMap<>(map("b", 2, "a", 1, "c", 3)))));
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("me", self);
    record("container/cycle", c, track("c-7", map("self", self)));
    Object nested = "bottom";
    for (int i = 0; i < 70; i++) nested = List.of(nested);
    record("container/too-deep", c, track("c-8", map("deep", nested)));
    Object ok = "bottom";
    for (int i = 0; i < 62; i++) ok = List.of(ok);
    record("container/deep-allowed", c, track("c-9", map("deep", ok)));
    Map<Object, Object> intKeys = new LinkedHashMap<>();
    intKeys.put(7, "seven");
    record("container/non-string-key", c, track("c-10", map("m", intKeys)));
    Map<Object, Object> nullKey = new LinkedHashMap<>();
    nullKey.put(null, "v");
    record("container/null-key", c, track("c-11", map("m", nullKey)));
    List<Object> shared = List.of("s", 1);
    record("container/shared-list-twice", c, track("c-12", map("a", shared, "b", shared, "c", List.of(shared, shared))));
    record("container/unsupported-type", c, track("c-13", map("x", new Object())));
    record("container/optional", c, track("c-14", map("x", java.util.Optional.of(1))));
    record("container/local-date-time", c, track("c-15", map("x", java.time.LocalDateTime.of(2025, 1, 1, 0, 0))));
    record("container/duration", c, track("c-16", map("x", Duration.ofSeconds(5))));
    record("container/too-large", c, track("c-17", map("big", "x".repeat(32_000))));
    // 213 bytes of message around the value: exactly at the limit, and one byte over.
    record("container/exactly-at-limit", c, track("c-18", map("big", "y".repeat(31_787))));
    record("container/one-byte-over-limit", c, track("c-21", map("big", "y".repeat(31_787 - 1) + "\u00e9")));
    List<Object> expanding = new ArrayList<>();
    expanding.add("z".repeat(1000));
    for (int i = 0; i < 20; i++) expanding = new ArrayList<>(List.of(expanding, expanding));
    record("container/expanding", c, track("c-19", map("e", expanding)));
    record("container/properties-with-library-key", c, track("c-20", map("library", "not special here")));
  }

  private void timestamps(Analytics c) {
    String[] instants = {"1970-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.000999Z", "1600-03-01T00:00:00.5Z", "0001-12-31T23:59:59Z",
        "1900-02-28T23:59:59.123456Z", "2038-01-19T03:14:08Z", "2262-04-11T23:47:16.854775807Z"};
    for (String instant : instants) {
      record("timestamp/" + instant, c,
          TrackMessage.builder("At").userId("u").messageId("ts-" + instant).timestamp(Instant.parse(instant)));
    }
    refused("timestamp/before-year-0", () -> track("ts-b").timestamp(Instant.parse("-0001-12-31T23:59:59Z")));
    refused("timestamp/after-9999", () -> track("ts-a").timestamp(Instant.parse("+10000-01-01T00:00:00Z")));
    record("timestamp/default-millis", c, TrackMessage.builder("At").userId("u").messageId("ts-ms")
        .timestamp(Instant.ofEpochSecond(1_700_000_000L, 123_999_999)));

    record("date/instant-in-properties", c, track("d-1", map("at", Instant.parse("2024-06-01T10:00:00.123456Z"),
        "zero", Instant.parse("0000-01-01T00:00:00Z"), "max", Instant.parse("9999-12-31T23:59:59.999Z"))));
    record("date/util-date", c, track("d-2", map("d", new Date(1_700_000_000_123L), "neg", new Date(-1L))));
    record("date/sql-date", c, track("d-3", map("d", new java.sql.Date(86_400_000L * 365),
        "t", new java.sql.Time(3_600_000L), "ts", new java.sql.Timestamp(1_000L))));
    record("date/offset-date-time", c, track("d-4", map("o", OffsetDateTime.of(2025, 3, 14, 10, 26, 53, 589_000_000,
        ZoneOffset.ofHours(1)), "far", OffsetDateTime.of(9999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(1)))));
    record("date/offset-past-9999-in-utc", c, track("d-12", map("far", OffsetDateTime.of(9999, 12, 31, 23, 0, 0, 0,
        ZoneOffset.ofHours(-1)))));
    record("date/zoned-date-time", c, track("d-5", map("z", ZonedDateTime.of(2025, 10, 26, 2, 30, 0, 0,
        ZoneId.of("Europe/Paris")))));
    record("date/local-date", c, track("d-6", map("d", LocalDate.of(2025, 1, 31), "y0", LocalDate.of(0, 1, 1),
        "y9999", LocalDate.of(9999, 12, 31))));
    record("date/local-date-year-10000", c, track("d-7", map("d", LocalDate.of(10_000, 1, 1))));
    record("date/local-date-negative", c, track("d-8", map("d", LocalDate.of(-1, 1, 1))));
    record("date/instant-after-9999", c, track("d-9", map("d", Instant.parse("+10000-01-01T00:00:00Z"))));
    record("date/offset-before-year-0", c, track("d-10", map("d", OffsetDateTime.of(0, 1, 1, 0, 30, 0, 0,
        ZoneOffset.ofHours(1)))));
    record("date/util-date-far", c, track("d-11", map("d", new Date(Long.MAX_VALUE))));
  }

  private void contextAndIntegrations(Analytics c) {
    record("context/full", c, track("x-1").context(map("ip", "203.0.113.9", "locale", "en-US",
        "userAgent", "Mozilla/5.0 (X11; Linux x86_64)", "page", map("path", "/a", "referrer", ""),
        "traits", map("email", "a@b.c"), "n", 1.5)));
    record("context/library-replaced", c, track("x-2").context(map("a", 1, "library",
        map("name", "other", "version", "9"), "z", 2)));
    record("context/only-library", c, track("x-3").context(map("library", "x")));
    record("context/bad-value", c, track("x-4").context(map("ip", new Object())));
    record("integrations/flags", c, track("i-1").integrations(map("All", false, "Mixpanel", true)));
    record("integrations/options", c, track("i-2").integrations(map("Amplitude", map("session_id", 1234567890L))));
    record("integrations/enable", c, track("i-3").enableIntegration("Salesforce", true)
        .enableIntegration("All", false));
    record("integrations/empty", c, track("i-4").integrations(map()));
    record("integrations/bad-option", c, track("i-5").integrations(map("X", map("bad", Double.NaN))));
    record("integrations/with-context", c, track("i-6").context(map("ip", "1.1.1.1"))
        .integrations(map("Intercom", map("user_hash", "\u00e9"))));
  }

  private void refusals(Analytics c) {
    record("refusal/page-properties-nan", c, PageMessage.builder("P").userId("u").messageId("r-1").timestamp(T)
        .properties(map("p", List.of(1, map("q", Float.NaN)))));
    record("refusal/group-traits-unsupported", c, GroupMessage.builder("g").userId("u").messageId("r-2").timestamp(T)
        .traits(map("t", Thread.currentThread())));
    record("refusal/identify-too-large", c, IdentifyMessage.builder().userId("u").messageId("r-3").timestamp(T)
        .traits(map("blob", "\u00e9".repeat(16_000))));
    record("refusal/escapes-push-over-limit", c, track("r-4", map("ctl", "\u0001".repeat(5_400))));
    record("refusal/screen-nested-cycle", c, ScreenMessage.builder("S").userId("u").messageId("r-5").timestamp(T)
        .properties(map("l", cyclicList())));
  }

  private static List<Object> cyclicList() {
    List<Object> list = new ArrayList<>();
    list.add(1);
    list.add(list);
    return list;
  }
}
