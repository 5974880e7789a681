package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.Message;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineParserTest {
  private static final String T = "\"timestamp\":\"2020-01-01T00:00:00Z\"";
  private final LineParser parser = new LineParser();

  private String reject(String line) {
    return assertThrows(LineRejectedException.class, () -> parser.parse(line)).getMessage();
  }

  @Test
  void namesTheProblemOfABadLine() {
    assertEquals("missing required field: timestamp", reject("{\"type\":\"identify\",\"userId\":\"u1\"}"));
    assertEquals("missing required field: groupId", reject("{\"type\":\"group\",\"userId\":\"u1\"," + T + "}"));
    assertEquals("properties must be an object but was an array",
        reject("{\"type\":\"page\",\"userId\":\"u1\"," + T + ",\"properties\":[]}"));
    assertEquals("not a JSON object: the line starts with '['; each line must be one message, {...}", reject("[1]"));
    assertEquals("not valid JSON at character 4: more text after the end of the JSON object: '{'", reject("{} {}"));
  }

  @Test
  void quotesValuesFromTheLineOnOneShortLine() {
    assertEquals("timestamp is not ISO-8601 with an offset (e.g. 2025-03-14T09:26:53.589Z): \"x\\u000ay\\\"\"",
        reject("{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"x\\ny\\\"\"}"));
    assertEquals("unknown type: \"" + "t".repeat(80) + "...\" (expected identify, track, page, screen, group or alias)",
        reject("{\"type\":\"" + "t".repeat(5000) + "\"}"));
  }

  @Test
  void aFieldOfOnlyNonAsciiWhitespaceIsARejectedLineNotAFailedRun() {
    // trim() keeps U+3000; the builders refuse it as blank, which once escaped the parser and stopped the run.
    assertEquals("invalid message: name must not be blank",
        reject("{\"type\":\"page\",\"userId\":\"u\",\"name\":\"\u3000\"," + T + "}"));
    assertEquals("invalid message: event must not be blank",
        reject("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"\u2003\"," + T + "}"));
    assertEquals("invalid message: groupId must not be blank",
        reject("{\"type\":\"group\",\"userId\":\"u\",\"groupId\":\"\u3000\"," + T + "}"));
  }

  @Test
  void rejectsDuplicateKeysAtAnyDepth() {
    assertEquals("not valid JSON at character 34: duplicate key userId; a key may appear only once in an object",
        reject("{\"type\":\"identify\",\"userId\":\"u1\",\"userId\":\"u2\"," + T + "}"));
    assertEquals("not valid JSON at character 63: duplicate key properties.a; a key may appear only once in an object",
        reject("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\",\"properties\":{\"a\":1,\"a\":2}," + T + "}"));
  }

  @Test
  void saysWhatIsWrongInItsOwnWordsNeverTheParsers() {
    Map<String, String> expected = Map.of(
        "{\"type\":\"track\",", "not valid JSON at character 17: expected a key in double quotes but found the end of the line (is the line cut off?)",
        "{\"type\":\"track\"", "not valid JSON at character 16: expected ',' or '}' after the value of type but found the end of the line (is the line cut off?)",
        "{'type':'track'}", "not valid JSON at character 2: expected a key in double quotes but found '''",
        "{\"a\":NaN}", "not valid JSON at character 6: expected a value but found 'N'",
        "{\"a\":01}", "not valid JSON at character 7: a number must not start with 0 unless it is 0 (found 01)",
        "{\"a\":\"x\ty\"}", "not valid JSON at character 8: control character U+0009 inside a string; JSON needs it escaped (\\n, \\t, \\u00XX)",
        "{\"a\":\"\\ud800\"}", "not valid JSON at character 7: unpaired UTF-16 surrogate \\uD800 in a string; it cannot be sent as text",
        "\uFEFF{}", "not a JSON object: the line starts with a byte order mark (U+FEFF); each line must be one message, {...}",
        "{\"a\":\"b}", "not valid JSON at character 6: a string is not closed: the line ends inside it (is the line cut off?)");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String message = reject(e.getKey());
      assertEquals(e.getValue(), message, e.getKey());
      for (String internal : List.of("JsonReader", "setLenient", "$.", "Exception", "BEGIN_")) {
        assertFalse(message.contains(internal), message);
      }
    }
  }

  @Test
  void aHugeNumberRejectsItsLineInLinearTime() {
    assertEquals("not valid JSON at character 61: the number at properties.n is out of range: 1e9999999999",
        reject("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\",\"properties\":{\"n\":1e9999999999}," + T + "}"));
    assertEquals("not valid JSON at character 61: the number at properties.n is out of range: 1e400",
        reject("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\",\"properties\":{\"n\":1e400}," + T + "}"));
    // 250,000 zeros in a fraction took 25 s with the old parser; linear, this is milliseconds.
    String zeros = "0." + "0".repeat(250_000) + "1";
    String message = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reject(
        "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\",\"properties\":{\"n\":" + zeros + "}," + T + "}"));
    assertEquals("not valid JSON at character 61: the number at properties.n has 250,003 characters; at most 100 are accepted", message);
  }

  @Test
  void keepsNumbersAsWritten() throws Exception {
    Message m = build(parser.parse("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\"," + T
        + ",\"properties\":{\"a\":42.50,\"b\":3,\"c\":12345678901234567890,\"d\":-0.5e-3}}"));
    Map<String, Object> p = ((dev.analytics4j.messages.TrackMessage) m).properties();
    assertEquals(new BigDecimal("42.50"), p.get("a"));
    assertEquals(3L, p.get("b"));
    assertEquals(new BigDecimal("12345678901234567890"), p.get("c"));
    assertEquals(new BigDecimal("-0.5e-3"), p.get("d"));
  }

  @Test
  void refusesNestingDeeperThanTheClientAccepts() {
    String deep = "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u1\"," + T + ",\"properties\":"
        + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + "}";
    String message = reject(deep);
    assertTrue(message.startsWith("not valid JSON at character ") && message.contains(": nested deeper than 64 levels at properties.a.a."),
        message);
  }

  @Test
  void sendsWholeNumberIdsAsTheirDecimalTextAndCountsThem() throws Exception {
    LineParser.Parsed parsed = parser.parse("{\"type\":\"group\",\"userId\":123,\"anonymousId\":\"a\",\"groupId\":98765432109876543210," + T + "}");
    Message m = build(parsed);
    assertEquals("123", m.userId());
    assertEquals("98765432109876543210", ((dev.analytics4j.messages.GroupMessage) m).groupId());
    assertEquals(2, parsed.numericIds);
    assertEquals("userId must be a string (or a whole number written in digits) but was a number 1.5",
        reject("{\"type\":\"identify\",\"userId\":1.5," + T + "}"));
    assertEquals("userId must be a string (or a whole number written in digits) but was a boolean",
        reject("{\"type\":\"identify\",\"userId\":true," + T + "}"));
  }

  @Test
  void keepsTheSourcesLibraryInItsPlaceForTheClientToKeep() throws Exception {
    // The importer's client keeps a message's own library (Wire.keepMessageLibrary); no renaming here.
    Message m = build(parser.parse("{\"type\":\"identify\",\"userId\":\"u\"," + T
        + ",\"context\":{\"ip\":\"1.2.3.4\",\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"locale\":\"fr\"}}"));
    assertEquals(List.of("ip", "library", "locale"), List.copyOf(m.context().keySet()));
    assertEquals(Map.of("name", "analytics.js", "version", "4.1.0"), m.context().get("library"));
  }

  private static Message build(LineParser.Parsed parsed) {
    if (parsed.messageId == null) parsed.builder.messageId("id");
    return parsed.builder.build();
  }
}
