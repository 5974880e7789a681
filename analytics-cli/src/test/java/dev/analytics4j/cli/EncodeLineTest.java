package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.NameUuids;
import dev.analytics4j.internal.Wire;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.jspecify.annotations.Nullable;

/**
 * The core's streaming encoder ({@link Wire#encodeLine}) against the parser's path ({@link LineParser},
 * then {@link Wire#encode}) on a large varied corpus: every line it encodes is byte for byte what the
 * parser's path sends, with the same messageId and counts; every line the parser's path refuses, it
 * leaves to that path (so the rejects file says the same). And it does take the lines real exports have.
 */
class EncodeLineTest {
  private final Analytics client = Wire.keepMessageLibrary(Analytics.builder("k").shutdownHook(false)
      .flushInterval(Duration.ofHours(1)).transport(request -> new Transport.Response(200, null, "{}"))).build();
  private final LineParser parser = new LineParser();

  @AfterEach
  void close() {
    client.close();
  }

  /** What the parser's path makes of a line: the message's bytes, or the reason it is refused. */
  private static final class Outcome {
    @Nullable String json;
    @Nullable String rejection;
    @Nullable String ownId;
    int numericIds;
  }

  private Outcome parserPath(String line) {
    Outcome o = new Outcome();
    LineParser.Parsed parsed;
    try {
      parsed = parser.parse(line);
    } catch (LineRejectedException e) {
      o.rejection = e.getMessage();
      return o;
    }
    o.ownId = parsed.messageId;
    o.numericIds = parsed.numericIds;
    if (parsed.messageId == null) parsed.builder.messageId(derived(line));
    try {
      o.json = Wire.encode(client, parsed.builder.build()).json();
    } catch (IllegalArgumentException e) {
      o.rejection = e.getMessage();
    }
    return o;
  }

  private static String derived(String line) {
    return NameUuids.fromSha1(MessageIds.textDigest(line.getBytes(StandardCharsets.UTF_8)));
  }

  /** Compares one line; true when the streaming encoder took it. */
  private boolean compare(String line) {
    return compare(line, parserPath(line));
  }

  private boolean compare(String line, Outcome expected) {
    AtomicInteger derivations = new AtomicInteger();
    Wire.EncodedLine streamed = Wire.encodeLine(client, line.getBytes(StandardCharsets.UTF_8), () -> {
      derivations.incrementAndGet();
      return derived(line);
    });
    if (streamed == null) return false;
    if (expected.json == null) fail("streamed a line the parser's path refuses (" + expected.rejection + "): " + line);
    EncodedMessage message = streamed.message();
    assertEquals(expected.json, message.json(), line);
    assertEquals(expected.ownId, streamed.ownMessageId(), line);
    assertEquals(expected.numericIds, streamed.numericIds(), line);
    assertEquals(expected.ownId == null ? 1 : 0, derivations.get(), line);
    assertEquals(expected.ownId != null ? expected.ownId : derived(line), message.messageId(), line);
    return true;
  }

  @Test
  void linesShapedLikeAnExportAreAllStreamed() {
    for (int i = 0; i < 3_000; i++) {
      String line = exportLine(i);
      assertTrue(compare(line), "not streamed: " + line);
    }
  }

  @Test
  void everyLineIsStreamedAsTheParserWouldSendItOrLeftToTheParser() {
    Random random = new Random(20);
    Corpus corpus = new Corpus(random);
    int streamed = 0;
    int refusedByParser = 0;
    TreeMap<String, Integer> reasons = new TreeMap<>();
    int lines = 40_000;
    for (int i = 0; i < lines; i++) {
      String line = corpus.line();
      Outcome o = parserPath(line);
      if (compare(line, o)) {
        streamed++;
      } else {
        if (o.rejection != null) {
          refusedByParser++;
          String reason = o.rejection.replaceAll("[0-9\"].*", "");
          reasons.merge(reason, 1, Integer::sum);
        }
      }
    }
    // The corpus must exercise both sides: many lines streamed, many refused, for many reasons.
    System.out.printf("%,d lines: %,d streamed, %,d refused by the parser for %d reasons%n", lines, streamed,
        refusedByParser, reasons.size());
    assertTrue(streamed > lines / 4, "streamed " + streamed);
    assertTrue(refusedByParser > lines / 10, "refused " + refusedByParser);
    assertTrue(reasons.size() > 25, reasons.toString());
  }

  @Test
  void theImportersLinesComeOutTheSameWithAndWithoutStreamingRepeatsAndRejectionsIncluded(@TempDir Path dir)
      throws Exception {
    // 20,000 lines, one in five a repeat of an earlier one (its own id, encoded again), through the
    // pool as the feeder drives it: ids in order, a repeat encoded again, a rejection as the feeder
    // reports it.
    Corpus corpus = new Corpus(new Random(21));
    List<String> lines = new ArrayList<>();
    Random random = new Random(22);
    for (int i = 0; i < 20_000; i++) {
      lines.add(i > 0 && random.nextInt(5) == 0 ? lines.get(random.nextInt(i)) : corpus.line().replace('\n', ' '));
    }
    byte[] input = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    List<List<String>> runs = new ArrayList<>();
    int[] streamedLines = new int[2];
    for (boolean streaming : new boolean[] {false, true}) {
      List<String> out = new ArrayList<>();
      try (MessageIds ids = new MessageIds(dir); EncodePool pool = new EncodePool(client, 2, streaming)) {
        pool.read(new LineReader(new java.io.ByteArrayInputStream(input), StandardCharsets.UTF_8,
            LineReader.DEFAULT_MAX_LINE_BYTES, LineReader.DEFAULT_MAX_SKIP_BYTES));
        for (EncodePool.Prepared p; (p = pool.next()) != null; ) {
          if (p.line.rejection != null || p.line.text.isBlank()) {
            out.add(p.line.number + " skipped");
            continue;
          }
          if (p.streamed) streamedLines[streaming ? 1 : 0]++;
          if (p.parsed == null && !p.streamed) {
            out.add(p.line.number + " rejected: " + p.rejection);
            continue;
          }
          if (p.ownMessageId == null) {
            String id = ids.idFor(p.line.utf8, p.digest);
            if (p.encoded == null || !p.encoded.messageId().equals(id)) pool.encodeAgain(p, id);
          }
          out.add(p.line.number + (p.encoded == null ? " rejected: " + p.rejection : " " + p.encoded.json())
              + " numericIds=" + p.numericIds);
        }
      }
      runs.add(out);
    }
    assertEquals(0, streamedLines[0]);
    assertTrue(streamedLines[1] > 5_000, "streamed " + streamedLines[1]);
    assertEquals(runs.get(0), runs.get(1));
  }

  @Test
  void refusedLinesOfEachKindAreLeftToTheParser() {
    String base = "\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2025-03-14T09:26:53.589Z\"";
    String[] refused = {
        "", "   ", "[1]", "{" + base + "}x", "{" + base + ",\"properties\":{\"a\":1,\"a\":2}}",
        "{" + base + ",\"properties\":{\"a\":1,\"\\u0061\":2}}", "{" + base + ",\"userId\":\"v\"}",
        "{" + base + ",\"properties\":{\"a\":\"\\ud800\"}}", "{" + base + ",\"properties\":{\"a\":01}}",
        "{" + base + ",\"properties\":{\"a\":1e400}}", "{" + base + ",\"properties\":{\"a\":1e99999}}",
        "{" + base + ",\"properties\":{\"a\":\"x\ty\"}}", "{" + base + ",\"properties\":[1]}",
        "{" + base + ",\"integrations\":{\"A\":1}}", "{" + base + ",\"context\":\"c\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\" \",\"timestamp\":\"2025-03-14T09:26:53.589Z\"}",
        "{\"type\":\"track\",\"userId\":\"\u3000\",\"event\":\"E\",\"timestamp\":\"2025-03-14T09:26:53.589Z\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2025-02-30T09:26:53.589Z\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2025-03-14T24:00:00.000Z\"}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}", "{\"type\":\"Track\",\"userId\":\"u\",\"event\":\"E\"}",
        "{\"type\":\"alias\",\"anonymousId\":\"a\",\"previousId\":\"p\",\"timestamp\":\"2025-03-14T09:26:53.589Z\"}",
        "{" + base + ",\"messageId\":\"" + "m".repeat(101) + "\"}", "{" + base + ",\"userId\":1.5}",
        "{" + base + ",\"properties\":{\"big\":\"" + "x".repeat(33_000) + "\"}}", nested(65), "\uFEFF{" + base + "}",
    };
    for (String line : refused) {
      Outcome o = parserPath(line);
      assertNotNull(o.rejection, "the parser's path refuses " + line);
      assertNull(Wire.encodeLine(client, line.getBytes(StandardCharsets.UTF_8), () -> derived(line)), line);
    }
    assertTrue(compare(nested(63)), "63 levels are streamed");
  }

  private static String nested(int depth) {
    StringBuilder s = new StringBuilder("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
        + "\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"properties\":");
    for (int i = 2; i < depth; i++) s.append("{\"a\":");
    s.append("{}");
    for (int i = 2; i < depth; i++) s.append('}');
    return s.append('}').toString();
  }

  /** A line as make-events.py writes them: every type, the fields a Segment export has. */
  static String exportLine(int i) {
    String[] types = {"identify", "track", "page", "screen", "group", "alias"};
    String type = types[i % 6];
    String ts = String.format(Locale.ROOT, "2025-%02d-%02dT%02d:%02d:%02d.%03dZ", i % 12 + 1, i % 28 + 1, i % 24,
        i % 60, i * 7 % 60, i % 1000);
    StringBuilder m = new StringBuilder("{\"type\":\"" + type + "\",\"userId\":\"usr_" + i % 5000
        + "\",\"timestamp\":\"" + ts + "\",\"receivedAt\":\"" + ts + "\"");
    if (i % 3 == 0) {
      m.append(",\"context\":{\"ip\":\"203.0.113.").append(i % 250)
          .append("\",\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"}}");
    }
    switch (type) {
      case "identify": m.append(",\"traits\":{\"email\":\"user").append(i).append("@example.org\",\"plan\":\"team\"}"); break;
      case "track": m.append(",\"event\":\"Order Completed\",\"properties\":{\"revenue\":").append(i % 100).append('.')
          .append(i % 89 + 10).append(",\"currency\":\"EUR\",\"items\":").append(i % 7).append('}'); break;
      case "page": m.append(",\"name\":\"Pricing\",\"category\":\"Marketing\",\"properties\":{\"path\":\"/pricing\",\"n\":")
          .append(i).append('}'); break;
      case "screen": m.append(",\"name\":\"Checkout\",\"properties\":{\"variant\":\"b\",\"n\":").append(i).append('}'); break;
      case "group": m.append(",\"groupId\":\"acct_").append(i % 700).append("\",\"traits\":{\"name\":\"Example ")
          .append(i).append("\",\"employees\":").append(i % 500).append('}'); break;
      default: m.append(",\"previousId\":\"anon_").append(i).append('"');
    }
    return m.append('}').toString();
  }

  /** Random lines, valid and not, built to reach every rule of the parser and every form of the encoder. */
  static final class Corpus {
    private static final String[] TYPES = {"identify", "track", "page", "screen", "group", "alias"};
    private static final String[] FIELDS = {"type", "messageId", "timestamp", "userId", "anonymousId", "context",
        "integrations", "event", "properties", "traits", "name", "category", "groupId", "previousId",
        "receivedAt", "sentAt", "version", "channel", "x"};
    private static final String[] TIMESTAMPS = {"2025-03-14T09:26:53.589Z", "2024-02-29T23:59:59.999Z",
        "2023-02-29T00:00:00.000Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2025-03-14T09:26:53Z",
        "2025-03-14T09:26:53.5891234Z", "2025-03-14t09:26:53.589z", "2025-03-14T09:26:53.589+02:00",
        "2025-03-14T09:26:53.589-23:59", "2025-13-01T00:00:00.000Z", "2025-04-31T00:00:00.000Z",
        "2025-03-14T24:00:00.000Z", "2025-03-14T23:60:00.000Z", "2025-03-14T23:59:60.000Z", "2025-03-14 09:26:53Z",
        "2025-03-14", "1741944413", "9999-12-31T23:59:59.999-01:00", "0000-01-01T00:00:00.000+01:00",
        "2025-03-14T09:26:53.589\\u005a", "\\u0032025-03-14T09:26:53.589Z", "2025-00-10T00:00:00.000Z",
        "2025-03-00T00:00:00.000Z", "1900-02-29T00:00:00.000Z", "2000-02-29T00:00:00.000Z", ""};
    private static final String[] STRINGS = {"", " ", "a", "Order Completed", "caf\u00e9", "\u65e5\u672c",
        "\ud83d\ude00", "\\ud83d\\ude00", "\\ud83d", "\\ude00", "\\ud83dx", "\\u00e9", "\\u00E9", "\\u0000", "\\u001f",
        "\\u007f", "\u007f", "\\u2028", "\u2028", "\u2029", "\\u2029x", "\\\"", "\\\\", "\\/", "/", "\\b\\f\\n\\r\\t",
        "\\u0008\\u000c", "\\x", "\\u12", "\\u12g4", "tab\there", "\u3000", "\\u3000", "\u00a0", "\u0085", "\u1680",
        "\u2007", "\u200b", " a ", "\\u0020", "\\u0041", "<script>", "'", "\u00e9\\u00e9", "\\uD83D\\uDE00",
        "\\uDBFF\\uDFFF", "\\uFFFF", "\ufeff", "\\ufeff", "\u0800", "\uffff", "\\u0061"};
    private static final String[] NUMBERS = {"0", "-0", "1", "-1", "42", "1.5", "-1.5", "0.5", "-0.5", "0.05",
        "0.000001", "0.0000001", "-0.0000001", "0.0", "-0.0", "0.000000000", "10.50", "1e2", "1E2", "1e+2", "1e-2",
        "-1E-7", "1.5e10", "0e0", "123456789012345678", "1234567890123456789", "-9223372036854775808",
        "9223372036854775808", "99999999999999999999999999", "1e308", "1e309", "1e-324", "1e-325", "1e99999",
        "01", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1" + "0".repeat(99),
        "1" + "0".repeat(100), "4.9e-324", "1.7976931348623157e308", "2.5E-5", "100e-2", "7E0", "-0e5"};

    private static final String[] CLEAN_TIMESTAMPS = java.util.Arrays.copyOf(TIMESTAMPS, 10);
    private static final String[] CLEAN_STRINGS = {"a", "Order Completed", "caf\u00e9", "\u65e5\u672c", "\ud83d\ude00",
        "\\ud83d\\ude00", "\\u00e9", "\\u00E9", "\\u0000", "\\u001f", "\\u007f", "\u007f", "\\u2028", "\u2028x",
        "x\u2029", "\\u2029x", "\\\"", "\\\\", "\\/", "/", "\\b\\f\\n\\r\\t", "\\u0008\\u000c", " a ",
        "\\u0041", "<script>", "'", "\u00e9\\u00e9", "\\uD83D\\uDE00", "\\uDBFF\\uDFFF", "\\uFFFF", "\\ufeff",
        "\u0800", "\uffff", "\\u0061", "\u00a0x", "\u3000y", "\u1680z"};
    private static final String[] CLEAN_NUMBERS = {"0", "-0", "1", "-1", "42", "1.5", "-1.5", "0.5", "-0.5", "0.05",
        "0.000001", "0.0000001", "-0.0000001", "0.0", "-0.0", "0.000000000", "10.50", "1e2", "1E2", "1e+2", "1e-2",
        "-1E-7", "1.5e10", "0e0", "123456789012345678", "1234567890123456789", "-9223372036854775808",
        "9223372036854775808", "99999999999999999999999999", "1e308", "1e-324", "4.9e-324", "1.7976931348623157e308",
        "2.5E-5", "100e-2", "7E0", "-0e5", "1" + "0".repeat(99)};
    private static final String[] CLEAN_IDS = {"1", "42", "-7", "0", "-0", "1234567890123456789", "99999999999999999999999999"};

    private final Random random;
    /** Whether the line being made is one the parser accepts (most of the time), for the encoder's forms. */
    private boolean clean;

    Corpus(Random random) {
      this.random = random;
    }

    private <T> T pick(T[] values) {
      return values[random.nextInt(values.length)];
    }

    private boolean chance(int percent) {
      return random.nextInt(100) < percent;
    }

    /** True {@code percent} of the time, never in a clean line: where a line goes wrong. */
    private boolean bad(int percent) {
      return !clean && chance(percent);
    }

    String line() {
      clean = chance(50);
      StringBuilder s = new StringBuilder();
      ws(s);
      if (bad(1)) return pick(new String[] {"", " ", "[]", "null", "\"x\"", "{", "{}", "\ufeff{}", "{\"type\":"});
      s.append('{');
      List<String> members = new ArrayList<>();
      String type = !bad(3) ? pick(TYPES) : pick(new String[] {"Track", "other", ""});
      if (!bad(2)) members.add(member("type", !bad(2) ? str(type) : value(2)));
      if (!bad(5)) members.add(member("timestamp", !bad(5) ? str(pick(clean ? CLEAN_TIMESTAMPS : TIMESTAMPS)) : value(2)));
      if (clean || chance(85)) members.add(member("userId", id()));
      if (chance(30)) members.add(member("anonymousId", id()));
      if (chance(30)) members.add(member("messageId", !bad(10) ? str(messageId()) : value(2)));
      if (chance(60)) members.add(member("context", !bad(5) ? context() : value(2)));
      if (chance(25)) members.add(member("integrations", !bad(5) ? integrations() : value(2)));
      if (clean || chance(70)) members.add(member("event", !bad(10) ? str(chance(80) ? "Clicked" : string()) : value(2)));
      if (chance(60)) members.add(member("properties", !bad(5) ? object(2) : value(2)));
      if (chance(40)) members.add(member("traits", !bad(5) ? object(2) : value(2)));
      if (chance(30)) members.add(member("name", !bad(10) ? str(string()) : value(2)));
      if (chance(20)) members.add(member("category", !bad(10) ? str(string()) : value(2)));
      if (clean || chance(50)) members.add(member("groupId", id()));
      if (clean || chance(50)) members.add(member("previousId", id()));
      if (chance(40)) members.add(member(clean ? pick(new String[] {"receivedAt", "sentAt", "x", "\\u0078y"}) : pick(FIELDS), value(2)));
      if (bad(3)) members.add(member(pick(FIELDS), value(2))); // often a duplicate
      if (bad(2)) members.add(member(pick(new String[] {"\\u0074ype", "typ\\u0065", "us\\u0065rId"}), str("u")));
      java.util.Collections.shuffle(members, random);
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          ws(s);
          s.append(',');
        }
        ws(s);
        s.append(members.get(i));
      }
      ws(s);
      if (!bad(1)) s.append('}');
      ws(s);
      if (bad(1)) s.append(pick(new String[] {"x", "}", ",", "{}", "\u0000"}));
      return s.toString();
    }

    private void ws(StringBuilder s) {
      if (chance(10)) s.append(pick(new String[] {" ", "  ", "\t", "\r", " \t "}));
    }

    private String member(String key, String value) {
      StringBuilder s = new StringBuilder();
      s.append('"').append(key).append('"');
      ws(s);
      s.append(':');
      ws(s);
      return s.append(value).toString();
    }

    private String str(String content) {
      return "\"" + content + "\"";
    }

    private String id() {
      int kind = random.nextInt(100);
      if (kind < 70) return str("usr_" + random.nextInt(1000));
      if (kind < 85) return pick(clean ? CLEAN_IDS : NUMBERS);
      if (kind < 95 || clean) return str(string());
      return value(2);
    }

    private String messageId() {
      int kind = random.nextInt(10);
      if (kind < 6) return "m-" + random.nextInt(1_000_000);
      if (kind < 7) return "m".repeat(99 + random.nextInt(3));
      if (kind < 8) return "\u00e9".repeat(99 + random.nextInt(3));
      return string();
    }

    private String string() {
      return pick(clean ? CLEAN_STRINGS : STRINGS);
    }

    private String context() {
      StringBuilder s = new StringBuilder("{");
      int n = random.nextInt(4);
      List<String> members = new ArrayList<>();
      for (int i = 0; i < n; i++) members.add(member(pick(new String[] {"ip", "locale", "page", "x"}), value(3)));
      if (chance(40)) members.add(member(chance(90) ? "library" : "librar\\u0079", !bad(10)
          ? "{\"name\":\"analytics.js\",\"version\":\"4.1.0\"}" : value(3)));
      java.util.Collections.shuffle(members, random);
      s.append(String.join(",", members));
      return s.append('}').toString();
    }

    private String integrations() {
      StringBuilder s = new StringBuilder("{");
      int n = random.nextInt(3);
      for (int i = 0; i < n; i++) {
        if (i > 0) s.append(',');
        String v = !bad(15) ? pick(new String[] {"true", "false", "{\"a\":1}", "{}"}) : value(3);
        s.append(member(pick(new String[] {"All", "Salesforce", "Mixpanel", "x" + i}), v));
      }
      return s.append('}').toString();
    }

    private String object(int depth) {
      StringBuilder s = new StringBuilder("{");
      int n = random.nextInt(5);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          ws(s);
          s.append(',');
        }
        ws(s);
        String key = chance(80) ? "k" + i : string();
        s.append(member(key, value(depth + 1)));
      }
      ws(s);
      return s.append('}').toString();
    }

    private String value(int depth) {
      int kind = random.nextInt(100);
      if (depth > 6 && kind >= 60) kind = random.nextInt(60);
      if (kind < 25) return str(string());
      if (kind < 45) return pick(clean ? CLEAN_NUMBERS : NUMBERS);
      if (kind < 52) return pick(clean ? new String[] {"true", "false", "null"} : new String[] {"true", "false", "null", "tru", "nul", "True"});
      if (kind < 60) return str("plain text " + random.nextInt(100));
      if (kind < 80) return object(depth);
      StringBuilder s = new StringBuilder("[");
      int n = random.nextInt(4);
      for (int i = 0; i < n; i++) {
        if (i > 0) s.append(',');
        ws(s);
        s.append(value(depth + 1));
      }
      if (bad(2)) s.append(',');
      return s.append(']').toString();
    }
  }
}
