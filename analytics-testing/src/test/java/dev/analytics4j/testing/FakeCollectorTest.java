package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.track;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fake collector's answers to hand-made requests: one that breaks each rule, and the scripts. */
class FakeCollectorTest {
  static final String KEY = "test-key";
  static final String TRACK = "{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\","
      + "\"userId\":\"u1\",\"event\":\"Order Completed\",\"properties\":{\"revenue\":42.5},"
      + "\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}}}";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final FakeCollector collector = start();

  private static FakeCollector start() {
    try {
      return FakeCollector.start(KEY);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void close() {
    collector.close();
  }

  /** A request as a test writes it: starts valid, each method breaks one thing. */
  static final class Req {
    String method = "POST";
    String path = "/v1/batch";
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] body;

    Req(String body) {
      this(body.getBytes(UTF_8));
    }

    Req(byte[] body) {
      headers.put("Authorization", basic(KEY + ":"));
      headers.put("Content-Type", "application/json");
      this.body = body;
    }

    static Req valid() {
      return batch(TRACK);
    }

    static Req batch(String... messages) {
      return new Req("{\"batch\":[" + String.join(",", messages) + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\","
          + "\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}},\"writeKey\":\"" + KEY + "\"}");
    }

    static Req message(String message) {
      return batch(message);
    }

    static Req body(String body) {
      return new Req(body);
    }

    Req header(String name, String value) {
      if (value == null) {
        headers.remove(name);
      } else {
        headers.put(name, value);
      }
      return this;
    }

    Req gzip() {
      headers.put("Content-Encoding", "gzip");
      body = FakeCollectorTest.gzip(body);
      return this;
    }

    Req to(String method, String path) {
      this.method = method;
      this.path = path;
      return this;
    }

    HttpResponse<String> send(FakeCollector collector) throws IOException, InterruptedException {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(collector.endpoint() + path))
          .timeout(Duration.ofSeconds(10))
          .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      headers.forEach(request::header);
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(UTF_8));
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** {@code message} (a JSON object) padded with a property so it is exactly {@code size} bytes. */
  static String messageOf(int size) {
    String head = "{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\","
        + "\"userId\":\"u1\",\"event\":\"E\",\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}},"
        + "\"properties\":{\"pad\":\"";
    String tail = "\"}}";
    return head + "p".repeat(size - head.length() - tail.length()) + tail;
  }

  /** A body of exactly {@code size} bytes: one valid message and spaces before the closing brace. */
  static String bodyOf(int size) {
    String body = new String(Req.valid().body, UTF_8);
    String open = body.substring(0, body.length() - 1);
    return open + " ".repeat(size - body.length()) + "}";
  }

  static Stream<Arguments> brokenRules() {
    String track = TRACK;
    List<Arguments> cases = new ArrayList<>();
    cases.add(arguments("another path", Req.valid().to("POST", "/v1/track"), 404,
        "no route /v1/track; batches go to /v1/batch"));
    cases.add(arguments("another method", Req.valid().to("GET", "/v1/batch"), 405,
        "GET /v1/batch is not allowed; use POST"));
    cases.add(arguments("no Authorization", Req.valid().header("Authorization", null), 401,
        "no Authorization header; send Basic base64(writeKey + \":\")"));
    cases.add(arguments("not Basic", Req.valid().header("Authorization", "Bearer " + KEY), 401,
        "Authorization is not Basic; send Basic base64(writeKey + \":\")"));
    cases.add(arguments("not base64", Req.valid().header("Authorization", "Basic !!"), 401,
        "Authorization is not valid base64"));
    cases.add(arguments("no colon", Req.valid().header("Authorization", basic(KEY)), 401,
        "Authorization must encode writeKey + \":\" (the colon is missing)"));
    cases.add(arguments("empty key", Req.valid().header("Authorization", basic(":")), 400,
        "the write key in Authorization is empty"));
    cases.add(arguments("another key", Req.valid().header("Authorization", basic("other:")), 401,
        "Authorization carries another write key than the expected one (the real API would answer 200 and drop the events)"));
    cases.add(arguments("no Content-Type", Req.valid().header("Content-Type", null), 400,
        "Content-Type must be application/json but was null"));
    cases.add(arguments("another Content-Type", Req.valid().header("Content-Type", "text/plain"), 400,
        "Content-Type must be application/json but was text/plain"));
    cases.add(arguments("another Content-Encoding", Req.valid().header("Content-Encoding", "br"), 400,
        "unsupported Content-Encoding br; use gzip or none"));
    cases.add(arguments("gzip header on a plain body", Req.valid().header("Content-Encoding", "gzip"), 400,
        "body is not valid gzip: Not in GZIP format"));
    cases.add(arguments("body over 500,000 bytes", Req.body(bodyOf(500_001)), 400,
        "request body of 500001 bytes is over the 500000-byte limit"));
    cases.add(arguments("gzip body over 500,000 bytes uncompressed", Req.body(bodyOf(500_001)).gzip(), 400,
        "request body is over the 500000-byte limit uncompressed"));
    cases.add(arguments("not JSON", Req.body("{\"batch\":["), 400,
        "body is not valid JSON: it ends where a value should be at $.batch[0] (character 10)"));
    cases.add(arguments("more after the JSON", Req.body("{\"batch\":[],\"sentAt\":\"2025-03-14T09:27:03.112Z\",\"writeKey\":\"test-key\"} {}"), 400,
        "body is not valid JSON: more after the value at $ (character 71)"));
    cases.add(arguments("malformed JSON", Req.body("{\"batch\":[{\"type\":'track'}]}"), 400,
        "body is not valid JSON: unexpected ''' at $.batch[0].type (character 18)"));
    cases.add(arguments("not an object", Req.body("[" + track + "]"), 400,
        "body must be a JSON object but was an array"));
    cases.add(arguments("no batch", Req.body("{\"sentAt\":\"2025-03-14T09:27:03.112Z\",\"writeKey\":\"test-key\"}"), 400,
        "body has no batch array"));
    cases.add(arguments("batch not an array", Req.body("{\"batch\":" + track + "}"), 400,
        "batch must be an array but was an object"));
    cases.add(arguments("context not an object", Req.body("{\"batch\":[],\"context\":[]}"), 400,
        "context must be an object but was an array"));
    cases.add(arguments("no writeKey in the body", Req.body("{\"batch\":[" + track + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\"}"), 400,
        "body has no writeKey (the contract sends it in the body as well as in Authorization)"));
    cases.add(arguments("another writeKey in the body", Req.body("{\"batch\":[" + track + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\",\"writeKey\":\"other\"}"), 401,
        "the body's writeKey is another than the expected one (the real API would answer 200 and drop the events)"));
    cases.add(arguments("no sentAt", Req.body("{\"batch\":[" + track + "],\"writeKey\":\"test-key\"}"), 400,
        "body has no sentAt"));
    cases.add(arguments("sentAt without milliseconds", Req.body("{\"batch\":[" + track + "],\"sentAt\":\"2025-03-14T09:27:03Z\",\"writeKey\":\"test-key\"}"), 400,
        "sentAt must be ISO-8601 UTC with milliseconds, like 2025-03-14T09:26:53.589Z, but was 2025-03-14T09:27:03Z"));
    cases.add(arguments("sentAt not a string", Req.body("{\"batch\":[" + track + "],\"sentAt\":1,\"writeKey\":\"test-key\"}"), 400,
        "sentAt must be a string but was a number"));
    cases.add(arguments("message over 32,000 bytes", Req.message(messageOf(32_001)), 400,
        "batch[0] is 32001 bytes, over the 32000-byte limit of one message"));
    cases.add(arguments("message not an object", Req.message("\"track\""), 400,
        "batch[0] must be an object"));
    cases.add(arguments("unknown type", Req.message(track.replace("\"track\"", "\"click\"")), 400,
        "batch[0] has type \"click\"; expected identify, track, page, screen, group or alias"));
    cases.add(arguments("no type", Req.message(track.replace("\"type\":\"track\",", "")), 400,
        "batch[0] has type null; expected identify, track, page, screen, group or alias"));
    cases.add(arguments("no messageId", Req.message(track.replace("\"messageId\":\"m1\",", "")), 400,
        "batch[0] (track) has no messageId"));
    cases.add(arguments("messageId over 100 characters", Req.message(track.replace("\"m1\"", "\"" + "m".repeat(101) + "\"")), 400,
        "batch[0] (track) messageId is 101 characters, over the limit of 100"));
    cases.add(arguments("no timestamp", Req.message(track.replace("\"timestamp\":\"2025-03-14T09:26:58.004Z\",", "")), 400,
        "batch[0] (track) has no timestamp"));
    cases.add(arguments("timestamp with an offset", Req.message(track.replace("09:26:58.004Z", "10:26:58.004+01:00")), 400,
        "batch[0] (track) timestamp must be ISO-8601 UTC with milliseconds, like 2025-03-14T09:26:53.589Z, but was 2025-03-14T10:26:58.004+01:00"));
    cases.add(arguments("timestamp on no such day", Req.message(track.replace("2025-03-14", "2025-02-30")), 400,
        "batch[0] (track) timestamp must be ISO-8601 UTC with milliseconds, like 2025-03-14T09:26:53.589Z, but was 2025-02-30T09:26:58.004Z"));
    cases.add(arguments("no user id", Req.message(track.replace("\"userId\":\"u1\",", "")), 400,
        "batch[0] (track) has neither userId nor anonymousId"));
    cases.add(arguments("blank user id", Req.message(track.replace("\"userId\":\"u1\"", "\"userId\":\" \",\"anonymousId\":\"\"")), 400,
        "batch[0] (track) has neither userId nor anonymousId"));
    cases.add(arguments("user id not a string", Req.message(track.replace("\"u1\"", "1")), 400,
        "batch[0] (track) userId must be a string"));
    cases.add(arguments("track without event", Req.message(track.replace("\"event\":\"Order Completed\",", "")), 400,
        "batch[0] (track) has no event"));
    cases.add(arguments("group without groupId", Req.message("{\"type\":\"group\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"u1\"}"), 400,
        "batch[0] (group) has no groupId"));
    cases.add(arguments("alias without previousId", Req.message("{\"type\":\"alias\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"u1\"}"), 400,
        "batch[0] (alias) has no previousId"));
    cases.add(arguments("alias without userId", Req.message("{\"type\":\"alias\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"anonymousId\":\"a1\",\"previousId\":\"a1\"}"), 400,
        "batch[0] (alias) has no userId"));
    cases.add(arguments("page name not a string", Req.message("{\"type\":\"page\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"u1\",\"name\":{}}"), 400,
        "batch[0] (page) name must be a string"));
    cases.add(arguments("properties not an object", Req.message(track.replace("{\"revenue\":42.5}", "[42.5]")), 400,
        "batch[0] (track) properties must be an object"));
    cases.add(arguments("integration neither boolean nor object", Req.message(track.replace("{\"revenue\":42.5}", "{\"revenue\":42.5},\"integrations\":{\"Salesforce\":\"no\"}")), 400,
        "batch[0] (track) integrations.Salesforce must be a boolean or an object"));
    cases.add(arguments("second message broken", Req.batch(track, "{\"type\":\"identify\",\"messageId\":\"m2\",\"timestamp\":\"2025-03-14T09:26:58.004Z\"}"), 400,
        "batch[1] (identify) has neither userId nor anonymousId"));
    // What the wire contract rules out that a lenient collector accepts.
    for (String serverSet : new String[] {"receivedAt", "originalTimestamp", "version", "channel"}) {
      cases.add(arguments("a message with " + serverSet,
          Req.message(track.replace("\"type\"", "\"" + serverSet + "\":\"2025-03-14T09:26:58.004Z\",\"type\"")), 400,
          "batch[0] (track) has " + serverSet + ", which the API sets; a client never sends it"));
    }
    String library = ",\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}}";
    cases.add(arguments("a message without context.library", Req.message(track.replace(library, "")), 400,
        "batch[0] (track) has no context.library (the client names itself in each message and in the body)"));
    cases.add(arguments("a message whose context has no library", Req.message(track.replace(library, ",\"context\":{\"ip\":\"203.0.113.7\"}")), 400,
        "batch[0] (track) has no context.library (the client names itself in each message and in the body)"));
    cases.add(arguments("a library without its version", Req.message(track.replace(",\"version\":\"0.1.0\"", "")), 400,
        "batch[0] (track) context.library has no version"));
    cases.add(arguments("a body without context.library", Req.body("{\"batch\":[" + track + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\",\"writeKey\":\"test-key\"}"), 400,
        "body has no context.library (the client names itself in each message and in the body)"));
    cases.add(arguments("the number 1e400", Req.message(track.replace("42.5", "1e400")), 400,
        "body is not valid JSON: the number 1e400 is beyond what a double holds (a collector would read Infinity) at $.batch[0].properties.revenue (character 151)"));
    cases.add(arguments("an integer of 400 digits", Req.message(track.replace("42.5", "-1" + "0".repeat(399))), 400,
        "body is not valid JSON: the number -1" + "0".repeat(38) + "... is beyond what a double holds (a collector would read Infinity) at $.batch[0].properties.revenue (character 547)"));
    cases.add(arguments("a duplicate key in a message", Req.message(track.replace("\"userId\":\"u1\"", "\"userId\":\"u1\",\"userId\":\"u2\"")), 400,
        "body is not valid JSON: duplicate key \"userId\" (a collector would keep one of the two values) at $.batch[0] (character 104)"));
    cases.add(arguments("a duplicate key in properties", Req.message(track.replace("{\"revenue\":42.5}", "{\"revenue\":42.5,\"revenue\":1}")), 400,
        "body is not valid JSON: duplicate key \"revenue\" (a collector would keep one of the two values) at $.batch[0].properties (character 160)"));
    cases.add(arguments("a duplicate key in the body", Req.body("{\"batch\":[" + track + "],\"writeKey\":\"test-key\",\"writeKey\":\"test-key\"}"), 400,
        "body is not valid JSON: duplicate key \"writeKey\" (a collector would keep one of the two values) at $ (character 249)"));
    cases.add(arguments("bytes that are not UTF-8", new Req(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}), 400,
        "body is not valid JSON: it is not UTF-8"));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenRules")
  void refusesARequestThatBreaksARuleAsTheApiWould(String rule, Req request, int status, String error)
      throws Exception {
    HttpResponse<String> response = request.send(collector);

    assertEquals(status, response.statusCode(), response.body());
    assertEquals(WireContract.errorBody(error), response.body());
    assertEquals(List.of("request 1: " + status + " " + error), collector.rejections());
    assertEquals(0, collector.received().size(), "nothing of a refused request is recorded");
  }

  @Test
  void acceptsAValidRequestAndRecordsItsMessages() throws Exception {
    HttpResponse<String> response = Req.valid().send(collector);

    assertEquals(200, response.statusCode());
    assertEquals("{\"success\":true}", response.body());
    SentMessage message = collector.received().single(track("Order Completed").user("u1").property("revenue", 42.5));
    assertEquals("m1", message.messageId());
    assertSame(collector, collector.assertNoRequestRejected());
    assertEquals(1, collector.requestCount());
  }

  @Test
  void acceptsUnknownKeysAsTheRealApiDoes() throws Exception {
    String message = TRACK.replace("\"type\"", "\"somethingNew\":[1,2],\"type\"");
    Req request = Req.body("{\"batch\":[" + message + "],\"sentAt\":\"2025-03-14T09:27:03.112Z\","
        + "\"context\":{\"library\":{\"name\":\"analytics4j\",\"version\":\"0.1.0\"}},"
        + "\"writeKey\":\"test-key\",\"extra\":{\"a\":1}}");

    assertEquals(200, request.send(collector).statusCode());
    assertEquals(List.of(1L, 2L), collector.received().single(track()).fields().get("somethingNew"));
  }

  @Test
  void acceptsGzipBodiesAndJsonWithACharset() throws Exception {
    assertEquals(200, Req.valid().gzip().send(collector).statusCode());
    assertEquals(200, Req.valid().header("Content-Type", "application/json; charset=utf-8").send(collector).statusCode());
    collector.assertNoRequestRejected().received().assertSentTimes(2, track("Order Completed"));
  }

  @Test
  void acceptsAMessageOfExactly32000BytesAndABodyOfExactly500000() throws Exception {
    assertEquals(200, Req.message(messageOf(32_000)).send(collector).statusCode());
    assertEquals(200, Req.body(bodyOf(500_000)).send(collector).statusCode());
    assertEquals(2, collector.assertNoRequestRejected().received().size());
  }

  @Test
  void judgesAPrettyPrintedBodyAsItJudgesACompactOne() throws Exception {
    // Another client's JSON writer may put a space after each colon, as Python's json.dumps does.
    String pretty = new String(Req.valid().body, UTF_8).replace("\"batch\":[", "\"batch\": [");

    assertEquals(200, Req.body(pretty).send(collector).statusCode());
    collector.assertNoRequestRejected().received().assertSentOnce(track("Order Completed").user("u1"));

    String tooLarge = new String(Req.message(messageOf(32_001)).body, UTF_8).replace("\"batch\":[", "\"batch\":\n  [");
    HttpResponse<String> refused = Req.body(tooLarge).send(collector);
    assertEquals(400, refused.statusCode(), refused.body());
    assertEquals(List.of("request 2: 400 batch[0] is 32001 bytes, over the 32000-byte limit of one message"),
        collector.rejections());
  }

  @Test
  void acceptsNumbersWhoseExponentIsBeyondAnIntButWhichADoubleHolds() throws Exception {
    // Valid JSON, and finite as a double (0): the API reads them, so the fake must not choke on them.
    HttpResponse<String> response = Req.message(TRACK.replace("42.5", "1e-9999999999,\"zero\":0e9999999999"))
        .send(collector);

    assertEquals(200, response.statusCode(), response.body());
    collector.assertNoRequestRejected().received()
        .assertSentOnce(track("Order Completed").property("revenue", 0).property("zero", 0));
  }

  @Test
  void answers200ButDropsABatchOfMoreThan2500Messages() throws Exception {
    String[] messages = new String[2501];
    // Without properties, so that 2,501 of them stay under the 500,000-byte request limit.
    String small = TRACK.replace("\"properties\":{\"revenue\":42.5},", "");
    for (int i = 0; i < messages.length; i++) messages[i] = small.replace("\"m1\"", "\"m" + i + "\"");

    HttpResponse<String> response = Req.batch(messages).send(collector);

    assertEquals(200, response.statusCode());
    assertEquals("{\"success\":true}", response.body());
    assertEquals(0, collector.received().size());
    assertEquals(List.of("request 1: 200 batch of 2501 messages is over the 2500-message limit; the API "
        + "answers 200 and drops them all"), collector.rejections());
    assertEquals(200, Req.batch(java.util.Arrays.copyOf(messages, 2500)).send(collector).statusCode());
    assertEquals(2500, collector.received().size());
  }

  @Test
  void assertNoRequestRejectedListsEachRejection() throws Exception {
    Req.valid().header("Authorization", null).send(collector);
    Req.message(TRACK.replace("\"event\":\"Order Completed\",", "")).send(collector);

    AssertionError e = assertThrows(AssertionError.class, collector::assertNoRequestRejected);

    assertEquals("Expected every request to follow the wire contract, but 2 were rejected:"
        + "\n  request 1: 401 no Authorization header; send Basic base64(writeKey + \":\")"
        + "\n  request 2: 400 batch[0] (track) has no event", e.getMessage());
  }

  @Test
  void assertNoRequestRejectedNamesASingleRejection() throws Exception {
    Req.valid().header("Content-Type", "text/plain").send(collector);
    AssertionError e = assertThrows(AssertionError.class, collector::assertNoRequestRejected);
    assertEquals("Expected every request to follow the wire contract, but 1 was rejected:"
        + "\n  request 1: 400 Content-Type must be application/json but was text/plain", e.getMessage());
  }

  @Test
  void aScriptedStatusAnswersTheNextRequestWhateverItHolds() throws Exception {
    collector.answerNext(503).answerNext(400);

    HttpResponse<String> first = Req.valid().header("Authorization", null).send(collector);
    HttpResponse<String> second = Req.valid().send(collector);
    HttpResponse<String> third = Req.valid().send(collector);

    assertEquals(503, first.statusCode());
    assertEquals("{\"success\":false,\"error\":\"HTTP 503 (scripted)\"}", first.body());
    assertEquals(400, second.statusCode());
    assertEquals(200, third.statusCode());
    assertEquals(1, collector.received().size(), "scripted answers record nothing");
    assertEquals(List.of(), collector.rejections(), "scripted answers are no rejections");
    assertEquals(3, collector.requestCount());
  }

  @Test
  void aScriptedRateLimitCarriesRetryAfter() throws Exception {
    collector.answerNext(429, "7").answerNext(503, "Fri, 14 Mar 2025 09:27:03 GMT");

    HttpResponse<String> limited = Req.valid().send(collector);
    HttpResponse<String> unavailable = Req.valid().send(collector);

    assertEquals(429, limited.statusCode());
    assertEquals("7", limited.headers().firstValue("Retry-After").orElseThrow());
    assertEquals(503, unavailable.statusCode());
    assertEquals("Fri, 14 Mar 2025 09:27:03 GMT", unavailable.headers().firstValue("Retry-After").orElseThrow());
  }

  @Test
  void scriptsOnlyErrorStatuses() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> collector.answerNext(200));
    assertEquals("status must be in 400..599 (valid requests get 200 by themselves): 200", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> collector.answerNext(302));
    assertThrows(IllegalArgumentException.class, () -> collector.answerNext(600, "1"));
  }

  @Test
  void disconnectNextClosesTheConnectionWithoutAnAnswer() throws Exception {
    collector.disconnectNext();

    assertThrows(IOException.class, () -> Req.valid().send(collector));
    assertEquals(200, Req.valid().send(collector).statusCode());
    assertEquals(1, collector.received().size());
  }

  @Test
  void anOutageLastsUntilTheCollectorComesBackUp() throws Exception {
    collector.goDown();
    assertThrows(IOException.class, () -> Req.valid().send(collector));
    assertThrows(IOException.class, () -> Req.valid().send(collector));
    collector.comeBackUp();

    assertEquals(200, Req.valid().send(collector).statusCode());
    assertEquals(1, collector.received().size());
    assertEquals(3, collector.requestCount());
  }

  @Test
  void awaitReceivedReturnsOnceEnoughArrived() throws Exception {
    Req.valid().send(collector);
    assertEquals(1, collector.awaitReceived(1, Duration.ofSeconds(10)).size());
  }

  @Test
  void awaitReceivedFailsSayingWhatArrived() throws Exception {
    AssertionError none = assertThrows(AssertionError.class, () -> collector.awaitReceived(2, Duration.ofMillis(20)));
    assertEquals("Expected 2 messages within 20 ms, but nothing arrived", none.getMessage());

    Req.valid().send(collector);
    AssertionError one = assertThrows(AssertionError.class, () -> collector.awaitReceived(2, Duration.ofMillis(20)));
    assertEquals("Expected 2 messages within 20 ms, but 1 arrived:"
        + "\n  1. track \"Order Completed\" userId=u1 properties={revenue=42.5}", one.getMessage());
  }

  @Test
  void listensOnTheLoopbackAddressOnly() {
    assertTrue(collector.endpoint().startsWith("http://127.0.0.1:"), collector.endpoint());
  }

  @Test
  void startRefusesABlankKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FakeCollector.start(" "));
    assertEquals("writeKey must not be blank", e.getMessage());
  }
}
