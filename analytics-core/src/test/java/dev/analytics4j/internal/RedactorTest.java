package dev.analytics4j.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonWriter;
import dev.analytics4j.Analytics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.RecordingTransport;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import okio.Buffer;
import org.junit.jupiter.api.Test;

class RedactorTest {
  /** Shaped like a Segment write key: 32 letters and digits. */
  private static final String KEY = "x7KpQ2mVn9RtL4sWb8YcE1fHj6UzA3dG";
  /** A key with every character that an escaping scheme changes. */
  private static final String NASTY = "k\"e\\y \n+/&<%41>\u00e9\u2028=t'";
  private static final String MARK = "[writeKey]";

  private final Redactor redactor = new Redactor(KEY);
  private final Redactor nasty = new Redactor(NASTY);

  @Test
  void redactsTheKeyWhereverItIs() {
    assertEquals("{\"error\":\"key [writeKey] rejected\"}", redactor.redact("{\"error\":\"key " + KEY + " rejected\"}"));
    assertEquals(MARK, redactor.redact(KEY));
    assertEquals(MARK + " " + MARK, redactor.redact(KEY + " " + KEY));
    // Glued to other characters, it takes the whole token with it: never half a word left over.
    assertEquals(MARK + " ok", redactor.redact("a" + KEY + "b ok"));
    assertEquals("key=" + MARK + "&x", redactor.redact("key=" + KEY + "&x"));
  }

  @Test
  void redactsTheKeyJsonEscapedAsMoshiWritesIt() throws IOException {
    String body = moshi(NASTY);
    assertFalse(body.contains(NASTY), "the escaped key differs from the key: " + body);
    assertEquals("{\"writeKey\":" + "\"" + MARK + "\"}", nasty.redact("{\"writeKey\":" + body + "}"));
  }

  @Test
  void redactsTheKeyJsonEscapedAsOtherLibrariesWriteIt() {
    // Jackson: upper-case hex; Go: <, >, & and U+2028 as \\u; Python: every non-ASCII char as \\u;
    // PHP: / as \\/; and JavaScript's \\' and \\x.
    String jackson = "k\\\"e\\\\y \\n+/&<%41>\u00e9\\u2028=t'";
    String go = "k\\\"e\\\\y \\n+/\\u0026\\u003c%41\\u003e\u00e9\\u2028=t'";
    String python = "k\\\"e\\\\y \\n+/&<%41>\\u00e9\\u2028=t'";
    String php = "k\\\"e\\\\y \\n+\\/&<%41>\\u00E9\\u2028=t'";
    String javascript = "k\\x22e\\\\y \\x0a+/&<%41>\\xe9\\u2028=t\\'";
    for (String escaped : new String[] {jackson, go, python, php, javascript}) {
      assertEquals("error: \"" + MARK + "\"", nasty.redact("error: \"" + escaped + "\""), escaped);
    }
  }

  @Test
  void redactsTheKeyEscapedTwiceByAJsonErrorThatQuotesTheRequestBody() throws IOException {
    String body = "{\"batch\":[],\"writeKey\":" + moshi(NASTY) + "}";
    String echo = "{\"error\":\"bad request\",\"request\":" + moshi(body) + "}";
    String redacted = nasty.redact(echo);
    assertEquals("{\"error\":\"bad request\",\"request\":\"{\\\"batch\\\":[],\\\"writeKey\\\":\\\"" + MARK + "\\\"}\"}",
        redacted);
  }

  @Test
  void redactsTheKeyUrlEncodedInEitherCaseWithPlusOrPercentForASpace() {
    String form = URLEncoder.encode(NASTY, UTF_8);
    assertTrue(form.contains("+") && form.contains("%22"), form);
    for (String encoded : new String[] {form, form.replace("+", "%20"), lowerCaseHex(form),
        URLEncoder.encode(form, UTF_8)}) {
      assertEquals("GET /v1/batch?writeKey=" + MARK + "&x=1", nasty.redact("GET /v1/batch?writeKey=" + encoded + "&x=1"),
          encoded);
    }
  }

  @Test
  void redactsTheKeyUrlEncodedThenQuotedInJson() throws IOException {
    // A collector quoting the query string of a request whose writeKey parameter held the JSON body's value.
    String echo = "{\"url\":" + moshi("https://collector.example/?k=" + URLEncoder.encode(moshi(NASTY), UTF_8)) + "}";
    assertEquals("{\"url\":\"https://collector.example/?k=%22" + MARK + "%22\"}", nasty.redact(echo));
  }

  @Test
  void redactsTheKeyInHtmlCharacterReferences() {
    String html = "k&quot;e\\y &#10;+/&amp;&lt;%41&gt;\u00e9&#8232;=t&#x27;";
    assertEquals("<p>Bad key: " + MARK + "</p>", nasty.redact("<p>Bad key: " + html + "</p>"));
  }

  @Test
  void redactsTheBasicTokenInEitherAlphabetWithOrWithoutPadding() {
    String token = Base64.getEncoder().encodeToString((NASTY + ":").getBytes(UTF_8));
    String urlSafe = Base64.getUrlEncoder().encodeToString((NASTY + ":").getBytes(UTF_8));
    assertFalse(token.equals(urlSafe), "the key makes the two alphabets differ");
    for (String spelling : new String[] {token, urlSafe, token.replace("=", ""), urlSafe.replace("=", ""),
        token.replace("/", "\\/"), URLEncoder.encode(token, UTF_8)}) {
      assertEquals("{\"auth\":\"Basic " + MARK + "\"}", nasty.redact("{\"auth\":\"Basic " + spelling + "\"}"), spelling);
    }
    assertEquals("Authorization: Basic " + MARK,
        new Redactor("abc123").redact("Authorization: Basic YWJjMTIzOg=="));
  }

  @Test
  void redactsTheKeyInsideAnyBase64Blob() {
    for (String before : new String[] {"", "a", "ab", "{\"writeKey\":\""}) {
      byte[] blob = (before + KEY + "\"}").getBytes(UTF_8);
      for (Base64.Encoder encoder : new Base64.Encoder[] {Base64.getEncoder(), Base64.getUrlEncoder()}) {
        String encoded = encoder.encodeToString(blob);
        String redacted = redactor.redact("body=" + encoded);
        assertTrue(redacted.contains(MARK), before + ": " + redacted);
        // What is left of the blob holds at most the bits around the key, not a readable part of it.
        String left = redacted.replace("body=", "").replace(MARK, "");
        assertTrue(left.length() <= 8 + (before.length() + 2) * 4 / 3 + 4, before + ": " + redacted);
      }
    }
  }

  @Test
  void redactsATailCutFromAnySpellingOnceItHoldsFourCharactersOfTheKey() {
    List<List<String>> spellings = new ArrayList<>();
    spellings.add(pieces(NASTY, String::valueOf));
    spellings.add(pieces(NASTY, RedactorTest::moshiChar));
    spellings.add(pieces(NASTY, c -> URLEncoder.encode(c, UTF_8)));
    spellings.add(pieces(NASTY, c -> URLEncoder.encode(c, UTF_8).replace("+", "%20")));
    spellings.add(pieces(NASTY, RedactorTest::html));
    for (List<String> pieces : spellings) {
      String spelling = String.join("", pieces);
      for (int cut = 1; cut < spelling.length(); cut++) {
        String text = "{\"error\":\"invalid key " + spelling.substring(0, cut);
        String redacted = nasty.redact(text);
        if (wholePieces(pieces, cut) >= Redactor.MIN_TAIL) {
          assertEquals("{\"error\":\"invalid key " + MARK, redacted, spelling + " cut at " + cut);
        }
      }
    }
  }

  @Test
  void redactsTheKeyCutAtTheTransportsReadLimit() {
    // The body the transport keeps is its first 1,024 bytes; here they end 10 characters into the key.
    String body = "{\"message\":\"" + "x".repeat(993) + "\",\"key\":\"" + KEY + "\"}";
    String kept = body.substring(0, 1024);
    assertEquals(1014, body.indexOf(KEY));
    assertEquals(kept.substring(0, 1014) + MARK, redactor.redact(kept));
    String token = Base64.getEncoder().encodeToString((KEY + ":").getBytes(UTF_8));
    assertEquals("Authorization: Basic " + MARK, redactor.redact("Authorization: Basic " + token.substring(0, 10)));
  }

  @Test
  void redactsATailCutInsideAnEscapeOrAMultiByteCharacter() {
    Redactor accented = new Redactor("abcd\u00e9fgh");
    assertEquals("x=" + MARK, accented.redact("x=abcd%C3"));
    assertEquals("x=" + MARK, accented.redact("x=abcd%c"));
    assertEquals("x=" + MARK, accented.redact("x=abcd\\u00"));
    assertEquals("x=" + MARK, accented.redact("x=abcd\\"));
    assertEquals("x=" + MARK, accented.redact("x=abcd&#x"));
    assertEquals("x=" + MARK, accented.redact("x=abcd\ufffd"));
    assertEquals("x=" + MARK, accented.redact("x=abcd%C3%A9f"));
  }

  @Test
  void leavesATailOfFewerThanFourCharactersOfTheKey() {
    String text = "{\"error\":\"invalid\"} " + KEY.substring(0, Redactor.MIN_TAIL - 1);
    assertEquals(text, redactor.redact(text));
  }

  @Test
  void redactsAShortenedKeyOfEightCharactersAnywhere() {
    // The dots go with the token.
    assertEquals("key " + MARK + " is invalid", redactor.redact("key " + KEY.substring(0, 8) + "... is invalid"));
    assertEquals("key \"" + MARK + "\" is invalid", redactor.redact("key \"" + KEY.substring(0, 8) + "\" is invalid"));
    String seven = "key " + KEY.substring(0, 7) + "... is invalid";
    assertEquals(seven, redactor.redact(seven));
  }

  @Test
  void leavesOrdinaryErrorBodiesAlone() {
    for (String body : new String[] {
        "", "OK", "{\"success\":false,\"message\":\"Invalid \\\"batch\\\" at index 3\\n\",\"code\":400}",
        "<html><body><h1>502 Bad Gateway</h1><p>nginx &amp; friends &#8212; try again</p></body></html>",
        "path=/v1/batch%3Fx%3D1&y=%E2%82%AC+100", "trailing backslash \\", "cut escape \\u00", "cut %4",
        "{\"auth\":\"Basic YWJjMTIzOg==\"}", "YWJj", KEY.substring(1), KEY.substring(0, 7) + "X" + KEY.substring(8)}) {
      assertEquals(body, redactor.redact(body));
    }
  }

  @Test
  void aShortKeyIsRedactedOnlyWhereItIsAWholeToken() {
    Redactor shortKey = new Redactor("key");
    assertEquals("a " + MARK + " b", shortKey.redact("a key b"));
    assertEquals("a ke", shortKey.redact("a ke"));
    assertEquals("monkey keys key_id key-id key.id", shortKey.redact("monkey keys key_id key-id key.id"));
    assertEquals("{\"writeKey\":\"" + MARK + "\"}", shortKey.redact("{\"writeKey\":\"key\"}"));
    assertEquals("Basic " + MARK, shortKey.redact("Basic a2V5Og=="));
  }

  @Test
  void aKeyOfOneToThreeCharactersNeverMangledOrdinaryWords() {
    String body = "{\"error\":\"invalid_write_key\",\"message\":\"Invalid key: ok, check the Segment "
        + "settings page at https://app.segment.com/abc/sources?tab=keys\"}";
    for (String key : new String[] {"k", "e", "ab", "ok", "abc", "key", "in", "s", "1"}) {
      Redactor shortKey = new Redactor(key);
      assertFalse(shortKey.canRedactSafely(), key);
      String redacted = shortKey.redact(body);
      // Whatever it replaced is a whole token that was the key: put back, the text is the original.
      assertEquals(body, redacted.replace(MARK, key), key + ": " + redacted);
      assertNoTokenCharNextToTheMark(redacted, key);
    }
    assertEquals(body.replace("Invalid key: ok,", "Invalid key: " + MARK + ","), new Redactor("ok").redact(body));
    assertEquals(body, new Redactor("k").redact(body));
  }

  @Test
  void onlyAKeyOfAtLeastFourCharactersCanBeRedactedSafely() {
    for (int length = 1; length < 4; length++) {
      assertFalse(new Redactor(KEY.substring(0, length)).canRedactSafely(), "length " + length);
    }
    for (int length = 4; length <= KEY.length(); length++) {
      assertTrue(new Redactor(KEY.substring(0, length)).canRedactSafely(), "length " + length);
    }
    assertEquals(4, Redactor.MIN_SAFE_KEY);
  }

  @Test
  void aKeyOfFourToSevenCharactersIsRedactedAsAWholeTokenOnly() {
    Redactor test = new Redactor("test");
    assertTrue(test.canRedactSafely());
    assertEquals("{\"error\":\"latest key " + MARK + " rejected\",\"testing\":true}",
        test.redact("{\"error\":\"latest key test rejected\",\"testing\":true}"));
    Redactor abc = new Redactor("abc123");
    assertEquals("Authorization: Basic " + MARK + ", key=" + MARK + ", abc1234, xabc123",
        abc.redact("Authorization: Basic YWJjMTIzOg==, key=abc123, abc1234, xabc123"));
    // Cut or shortened it is not looked for: four characters of it are too likely a word.
    assertEquals("key abc1", abc.redact("key abc1"));
  }

  @Test
  void redactsTheKeyInAUrlAndLeavesTheRestOfTheUrl() {
    assertEquals("https://collector.example/v1/batch?writeKey=" + MARK + "&x=1",
        redactor.redact("https://collector.example/v1/batch?writeKey=" + KEY + "&x=1"));
    assertEquals("https://" + MARK + ":@collector.example/v1/batch",
        redactor.redact("https://" + KEY + ":@collector.example/v1/batch"));
    assertEquals("https://collector.example/" + MARK + "/batch",
        redactor.redact("https://collector.example/" + KEY + "/batch"));
    assertEquals("Location: https://collector.example/?k=" + MARK,
        redactor.redact("Location: https://collector.example/?k=" + KEY.substring(0, 12)));
    // A short key that is also part of the host: only the query parameter that is the key goes.
    assertEquals("https://api.segment.io/v1/batch?key=" + MARK + "&x=1",
        new Redactor("api").redact("https://api.segment.io/v1/batch?key=api&x=1"));
  }

  @Test
  void aKeyThatIsPartOfOrdinaryWordsTakesWholeWordsOrNothing() {
    // A long key that is a word's substring: where it is found, the whole word goes, never a half.
    Redactor wordy = new Redactor("connection");
    assertEquals("Connection refused; " + MARK + " is " + MARK + " " + MARK,
        wordy.redact("Connection refused; connection is connections reconnection_id"));
    Random random = new Random(20261206);
    String[] words = {"invalid", "write", "key", "error", "token", "a", "_", "-", ".", "=", " ", "/", "\"", "%20", "&amp;"};
    for (int run = 0; run < 2000; run++) {
      String key = KEY.substring(random.nextInt(8), 24 + random.nextInt(8));
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        text.append(random.nextInt(6) == 0 ? key : words[random.nextInt(words.length)]);
      }
      String redacted = new Redactor(key).redact(text.toString());
      assertFalse(redacted.contains(key.substring(0, 8)), text + " gave " + redacted);
      assertNoTokenCharNextToTheMark(redacted, text.toString());
    }
  }

  private static void assertNoTokenCharNextToTheMark(String redacted, String context) {
    for (int at = redacted.indexOf(MARK); at >= 0; at = redacted.indexOf(MARK, at + 1)) {
      int after = at + MARK.length();
      assertTrue(at == 0 || !isToken(redacted.charAt(at - 1)), context + ": " + redacted);
      assertTrue(after == redacted.length() || !isToken(redacted.charAt(after)), context + ": " + redacted);
    }
  }

  private static boolean isToken(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  @Test
  void neverLeavesFourCharactersOfARandomKeyInAnyCutSpelling() throws IOException {
    Random random = new Random(20261129);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\"\\ \n\t+/%&<>=_-.~'\u00e9\u20ac";
    List<UnaryOperator<String>> encodings = List.of(
        s -> s,
        s -> unquote(moshiUnchecked(s)),
        s -> unquote(moshiUnchecked(unquote(moshiUnchecked(s)))),
        s -> URLEncoder.encode(s, UTF_8),
        s -> lowerCaseHex(URLEncoder.encode(s, UTF_8).replace("+", "%20")),
        s -> unquote(moshiUnchecked(URLEncoder.encode(s, UTF_8))),
        s -> html(s),
        s -> Base64.getEncoder().encodeToString((s + ":").getBytes(UTF_8)),
        s -> Base64.getUrlEncoder().withoutPadding().encodeToString((s + ":").getBytes(UTF_8)));
    for (int run = 0; run < 2000; run++) {
      StringBuilder key = new StringBuilder();
      int length = 8 + random.nextInt(40);
      for (int i = 0; i < length; i++) key.append(alphabet.charAt(random.nextInt(alphabet.length())));
      String writeKey = key.toString();
      if (writeKey.trim().isEmpty()) continue;
      Redactor redactor = new Redactor(writeKey);
      String spelling = encodings.get(random.nextInt(encodings.size())).apply(writeKey);
      String before = "{\"error\":\"rejected " + run + ": ";
      // Whole, or cut at any point that keeps at least 16 characters of the spelling (4 key chars
      // become at most 4 * 12 = 48 characters in the two-layer spellings; the rule is checked per key
      // char in redactsATailCutFromAnySpellingOnceItHoldsFourCharactersOfTheKey).
      int cut = random.nextBoolean() ? spelling.length() : Math.min(spelling.length(), 48 + random.nextInt(spelling.length()));
      String text = before + spelling.substring(0, cut) + (cut == spelling.length() ? "\"}" : "");
      String redacted = redactor.redact(text);
      assertTrue(redacted.startsWith(before + MARK), "key " + escape(writeKey) + " spelled " + escape(text)
          + " gave " + escape(redacted));
    }
  }

  @Test
  void failureReasonsCarryTheCollectorsAnswerWithoutTheKey() throws Exception {
    String answer = "{\"error\":\"bad key " + URLEncoder.encode(NASTY, UTF_8) + "\",\"echo\":" + moshi(NASTY).substring(0, 8);
    RecordingTransport transport = new RecordingTransport()
        .enqueue(request -> new Transport.Response(400, null, answer));
    RecordingCallback callback = new RecordingCallback();
    try (Analytics analytics = Analytics.builder(NASTY).transport(transport).callback(callback).shutdownHook(false).build()) {
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
    }
    assertEquals("HTTP 400 is not retryable: {\"error\":\"bad key " + MARK + "\",\"echo\":\"" + MARK,
        callback.lastFailure().reason());
  }

  @Test
  void aCollectorCannotForgeLogLinesOrLeakTheKeyThroughANetworkError() throws Exception {
    RecordingTransport transport = new RecordingTransport()
        .enqueue(request -> new Transport.Response(400, null, "bad\r\n[main] INFO forged line"))
        .enqueue(request -> {
          throw new java.io.IOException("Unexpected status line: HTTP/1.1 " + NASTY + "\n");
        });
    RecordingCallback callback = new RecordingCallback();
    try (Analytics analytics = Analytics.builder(NASTY).transport(transport).callback(callback)
        .maxRetries(0).flushAt(1).maxInFlightRequests(1).shutdownHook(false).build()) {
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1").messageId("m1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
      assertEquals("HTTP 400 is not retryable: bad\\u000d\\u000a[main] INFO forged line",
          callback.lastFailure().reason());
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1").messageId("m2"));
      analytics.flush().get(10, TimeUnit.SECONDS);
      assertEquals("network error: java.io.IOException: Unexpected status line: HTTP/1.1 " + MARK
          + "\\u000a; gave up after 0 retries", callback.lastFailure().reason());
    }
  }

  @Test
  void rejectsANullKeyOrText() {
    assertEquals("writeKey == null", assertThrows(NullPointerException.class, () -> new Redactor(null)).getMessage());
    assertEquals("text == null", assertThrows(NullPointerException.class, () -> redactor.redact(null)).getMessage());
  }

  @Test
  void toStringShowsNoSecret() {
    assertFalse(redactor.toString().contains(KEY.substring(0, 4)), redactor.toString());
  }

  /** The key spelled one character at a time, so a test knows which cuts hold how many whole characters. */
  private static List<String> pieces(String key, UnaryOperator<String> encodeChar) {
    List<String> pieces = new ArrayList<>();
    key.codePoints().forEach(c -> pieces.add(encodeChar.apply(new String(Character.toChars(c)))));
    return pieces;
  }

  private static int wholePieces(List<String> pieces, int cut) {
    int whole = 0;
    int end = 0;
    for (String piece : pieces) {
      end += piece.length();
      if (end > cut) break;
      whole++;
    }
    return whole;
  }

  private static String moshi(String value) throws IOException {
    Buffer buffer = new Buffer();
    JsonWriter.of(buffer).value(value).flush();
    return buffer.readUtf8();
  }

  private static String moshiUnchecked(String value) {
    try {
      return moshi(value);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String moshiChar(String c) {
    return unquote(moshiUnchecked(c));
  }

  private static String unquote(String json) {
    return json.substring(1, json.length() - 1);
  }

  private static String html(String value) {
    StringBuilder out = new StringBuilder();
    value.codePoints().forEach(c -> {
      if (c == '"') out.append("&quot;");
      else if (c == '&') out.append("&amp;");
      else if (c == '<') out.append("&lt;");
      else if (c == '>') out.append("&gt;");
      else if (c == '\'') out.append("&#39;");
      else if (c < 0x20 || c > 0x7e) out.append("&#x").append(Integer.toHexString(c)).append(';');
      else out.appendCodePoint(c);
    });
    return out.toString();
  }

  private static String lowerCaseHex(String encoded) {
    StringBuilder out = new StringBuilder(encoded);
    for (int i = 0; i < out.length(); i++) {
      if (out.charAt(i) == '%') {
        out.setCharAt(i + 1, Character.toLowerCase(out.charAt(i + 1)));
        out.setCharAt(i + 2, Character.toLowerCase(out.charAt(i + 2)));
      }
    }
    return out.toString();
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.toString();
  }
}
