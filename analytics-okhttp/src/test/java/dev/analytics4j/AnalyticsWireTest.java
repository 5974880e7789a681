package dev.analytics4j;

import static dev.analytics4j.testing.MessagePattern.alias;
import static dev.analytics4j.testing.MessagePattern.group;
import static dev.analytics4j.testing.MessagePattern.identify;
import static dev.analytics4j.testing.MessagePattern.page;
import static dev.analytics4j.testing.MessagePattern.screen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.okhttp.OkHttpTransport;
import dev.analytics4j.testing.FakeCollector;
import dev.analytics4j.testing.MessagePattern;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What reaches {@code /v1/batch} through the default OkHttp transport, against a real socket. */
class AnalyticsWireTest {
  private static final Pattern SENT_AT = Pattern.compile("\"sentAt\":\"([^\"]+)\"");
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop private final MockWebServer server = new MockWebServer();
  /** Where redirects point: nothing may ever reach it. */
  @StartStop private final MockWebServer elsewhere = new MockWebServer();
  private final RecordingCallback callback = new RecordingCallback();
  private Analytics analytics;

  @BeforeEach
  void answerOkWhenNothingIsScripted() {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(ok());
  }

  private Analytics.Builder builder() {
    return Analytics.builder("abc123")
        .endpoint(server.url("/").toString())
        .callback(callback)
        .retryBackoff(Duration.ofMillis(40), Duration.ofMillis(40))
        .flushInterval(Duration.ofHours(1))
        .shutdownHook(false);
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
  }

  private static MockResponse ok() {
    return new MockResponse.Builder().code(200).body("{\"success\":true}").build();
  }

  private static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).body("{\"error\":\"" + code + "\"}").build();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
    if (request == null) throw new AssertionError("no request within 10 s");
    return request;
  }

  @Test
  void sendsEveryMessageTypeExactlyAsTheContractShows() throws Exception {
    server.enqueue(ok());
    analytics = builder().build();
    Map<String, Object> traits = new LinkedHashMap<>();
    traits.put("email", "ada@example.org");
    traits.put("plan", "team");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("order_id", "ord_1029");
    properties.put("revenue", 42.5);
    properties.put("currency", "EUR");
    Map<String, Object> integrations = new LinkedHashMap<>();
    integrations.put("All", true);
    integrations.put("Salesforce", false);
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("ip", "203.0.113.7");

    analytics.enqueue(IdentifyMessage.builder().userId("usr_8f41c2").traits(traits).context(context)
        .messageId("6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10").timestamp(Instant.parse("2025-03-14T09:26:53.589Z")));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId("usr_8f41c2").properties(properties)
        .integrations(integrations)
        .messageId("a0d3b8e4-7f21-4c69-b1d5-3e9c2a8f6b02").timestamp(Instant.parse("2025-03-14T09:26:58.004Z")));
    analytics.enqueue(PageMessage.builder("Pricing").category("Marketing")
        .anonymousId("2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4").properties(map("path", "/pricing"))
        .messageId("c7e2f915-0a4b-4d8e-8c3f-5b1a9e6d2f47").timestamp(Instant.parse("2025-03-14T09:25:41.250Z")));
    analytics.enqueue(ScreenMessage.builder("Checkout").userId("usr_8f41c2").properties(map("variant", "b"))
        .messageId("e91b4c28-6d3a-4f70-a2e8-7c05d1b9f3a6").timestamp(Instant.parse("2025-03-14T09:26:10.733Z")));
    analytics.enqueue(GroupMessage.builder("acct_553").userId("usr_8f41c2")
        .traits(map("name", "Example Ltd", "employees", 120))
        .messageId("1f8a6d3c-9b2e-4a57-8d40-e6c3b7a1f925").timestamp(Instant.parse("2025-03-14T09:26:54.100Z")));
    analytics.enqueue(AliasMessage.builder("2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4").userId("usr_8f41c2")
        .messageId("5d2c7e90-4f1b-4b83-9e6a-0a7f3c8d1e54").timestamp(Instant.parse("2025-03-14T09:26:53.590Z")));
    Instant before = Instant.now().minusMillis(1);
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    Instant after = Instant.now().plusMillis(1);

    assertTrue(result.isSuccess(), result.toString());
    assertEquals(6, result.delivered());
    RecordedRequest request = take();
    assertEquals("POST", request.getMethod());
    assertEquals("/v1/batch", request.getTarget());
    assertEquals("application/json", request.getHeaders().get("Content-Type"));
    assertEquals("Basic YWJjMTIzOg==", request.getHeaders().get("Authorization"));
    assertEquals("analytics4j/" + Analytics.VERSION, request.getHeaders().get("User-Agent"));
    assertNull(request.getHeaders().get("X-Retry-Count"));
    assertNull(request.getHeaders().get("Content-Encoding"));

    String body = request.getBody().utf8();
    Instant sentAt = sentAt(body);
    assertFalse(sentAt.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), sentAt + " < " + before);
    assertFalse(sentAt.isAfter(after), sentAt + " > " + after);
    String library = "\"library\":{\"name\":\"analytics4j\",\"version\":\"" + Analytics.VERSION + "\"}";
    String expected = "{\"batch\":["
        + "{\"type\":\"identify\",\"messageId\":\"6f1c5d0e-3b7a-4c2e-9a51-0d8e2f4b7a10\",\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"usr_8f41c2\",\"traits\":{\"email\":\"ada@example.org\",\"plan\":\"team\"},\"context\":{\"ip\":\"203.0.113.7\"," + library + "}},"
        + "{\"type\":\"track\",\"messageId\":\"a0d3b8e4-7f21-4c69-b1d5-3e9c2a8f6b02\",\"timestamp\":\"2025-03-14T09:26:58.004Z\",\"userId\":\"usr_8f41c2\",\"event\":\"Order Completed\",\"properties\":{\"order_id\":\"ord_1029\",\"revenue\":42.5,\"currency\":\"EUR\"},\"context\":{" + library + "},\"integrations\":{\"All\":true,\"Salesforce\":false}},"
        + "{\"type\":\"page\",\"messageId\":\"c7e2f915-0a4b-4d8e-8c3f-5b1a9e6d2f47\",\"timestamp\":\"2025-03-14T09:25:41.250Z\",\"anonymousId\":\"2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4\",\"name\":\"Pricing\",\"category\":\"Marketing\",\"properties\":{\"path\":\"/pricing\"},\"context\":{" + library + "}},"
        + "{\"type\":\"screen\",\"messageId\":\"e91b4c28-6d3a-4f70-a2e8-7c05d1b9f3a6\",\"timestamp\":\"2025-03-14T09:26:10.733Z\",\"userId\":\"usr_8f41c2\",\"name\":\"Checkout\",\"properties\":{\"variant\":\"b\"},\"context\":{" + library + "}},"
        + "{\"type\":\"group\",\"messageId\":\"1f8a6d3c-9b2e-4a57-8d40-e6c3b7a1f925\",\"timestamp\":\"2025-03-14T09:26:54.100Z\",\"userId\":\"usr_8f41c2\",\"groupId\":\"acct_553\",\"traits\":{\"name\":\"Example Ltd\",\"employees\":120},\"context\":{" + library + "}},"
        + "{\"type\":\"alias\",\"messageId\":\"5d2c7e90-4f1b-4b83-9e6a-0a7f3c8d1e54\",\"timestamp\":\"2025-03-14T09:26:53.590Z\",\"userId\":\"usr_8f41c2\",\"previousId\":\"2b9d7e1a-5c34-4f8b-8e62-91a0c7d3f5e4\",\"context\":{" + library + "}}"
        + "],\"sentAt\":\"SENT_AT\",\"context\":{" + library + "},\"writeKey\":\"abc123\"}";
    assertEquals(expected, SENT_AT.matcher(body).replaceFirst("\"sentAt\":\"SENT_AT\""));
    assertEquals(6, callback.count("sent"));
  }

  @Test
  void cutsBatchesByCount() throws Exception {
    analytics = builder().flushAt(2).build();
    for (int i = 0; i < 5; i++) analytics.enqueue(track("m" + i));
    assertEquals(5, analytics.flush(Duration.ofSeconds(10)).delivered());
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 3; i++) sizes.add(messageIds(take().getBody().utf8()).size());
    sizes.sort(null); // up to four requests are in flight at once, so they may arrive in any order
    assertEquals(List.of(1, 2, 2), sizes);
  }

  /** The kit's strict collector refuses any request over 500,000 bytes or message over 32,000. */
  @Test
  void cutsBatchesBySize() throws Exception {
    try (FakeCollector collector = FakeCollector.start("abc123")) {
      analytics = builder().endpoint(collector.endpoint()).flushAt(2500).build();
      String big = "x".repeat(30_000);
      for (int i = 0; i < 20; i++) {
        analytics.enqueue(TrackMessage.builder("Big").userId("u").messageId("m" + i).properties(map("blob", big)));
      }
      assertEquals(20, analytics.flush(Duration.ofSeconds(10)).delivered());

      collector.assertNoRequestRejected().received().assertSentTimes(20, MessagePattern.track("Big"));
      assertEquals(2, collector.requestCount());
    }
  }

  /**
   * Every message type, through the OkHttp transport, passes each check of the kit's strict
   * collector: auth header and body key, content type, gzip, required fields, timestamp formats.
   */
  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void everyMessageTypePassesTheStrictCollector(boolean gzip) throws Exception {
    try (FakeCollector collector = FakeCollector.start("abc123")) {
      analytics = builder().endpoint(collector.endpoint()).gzip(gzip).build();
      analytics.enqueue(IdentifyMessage.builder().userId("u1").traits(map("plan", "team")));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(map("revenue", 42.5))
          .enableIntegration("Salesforce", false));
      analytics.enqueue(PageMessage.builder().anonymousId("a1"));
      analytics.enqueue(ScreenMessage.builder("Checkout").userId("u1"));
      analytics.enqueue(GroupMessage.builder("acct_553").userId("u1"));
      analytics.enqueue(AliasMessage.builder("a1").userId("u1"));

      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

      collector.assertNoRequestRejected().received()
          .assertSentOnce(identify().userId("u1").trait("plan", "team"))
          .assertSentOnce(MessagePattern.track("Order Completed").property("revenue", 42.5).integration("Salesforce", false))
          .assertSentOnce(page().anonymousId("a1"))
          .assertSentOnce(screen("Checkout"))
          .assertSentOnce(group("acct_553"))
          .assertSentOnce(alias("a1").userId("u1"));
      assertEquals(6, callback.count("sent"));
    }
  }

  @Test
  void sendsAPartialBatchWhenTheIntervalPasses() throws Exception {
    analytics = builder().flushAt(100).flushInterval(Duration.ofMillis(100)).build();
    analytics.enqueue(track("m0"));
    assertEquals(List.of("m0"), messageIds(take().getBody().utf8()));
  }

  @ParameterizedTest
  @ValueSource(ints = {410, 429, 460, 500, 502, 503, 504, 599})
  void retriesRetryableStatusesWithTheSameMessagesAndAFreshSentAt(int code) throws Exception {
    server.enqueue(status(code));
    server.enqueue(ok());
    analytics = builder().build();
    analytics.enqueue(track("m0"));
    analytics.enqueue(track("m1"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    RecordedRequest first = take();
    RecordedRequest second = take();
    assertNull(first.getHeaders().get("X-Retry-Count"));
    assertEquals("1", second.getHeaders().get("X-Retry-Count"));
    String firstBody = first.getBody().utf8();
    String secondBody = second.getBody().utf8();
    assertEquals(List.of("m0", "m1"), messageIds(firstBody));
    assertEquals(messageIds(firstBody), messageIds(secondBody));
    assertTrue(sentAt(secondBody).isAfter(sentAt(firstBody)), "sentAt is set again on each attempt");
    assertEquals(firstBody.replaceAll("\"sentAt\":\"[^\"]+\"", ""), secondBody.replaceAll("\"sentAt\":\"[^\"]+\"", ""));
    assertEquals(2, callback.count("sent"));
    assertEquals(1, analytics.metrics().retries());
  }

  /**
   * OkHttp makes no request of its own (it used to replay a 408 once): every request on the wire
   * is one the client's retry policy asked for, numbered by X-Retry-Count and counted in metrics.
   */
  @Test
  void retriesRequestTimeouts() throws Exception {
    server.enqueue(status(408));
    analytics = builder().build();
    analytics.enqueue(track("m0"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertNull(take().getHeaders().get("X-Retry-Count"));
    RecordedRequest retry = take();
    assertEquals("1", retry.getHeaders().get("X-Retry-Count"));
    assertEquals(List.of("m0"), messageIds(retry.getBody().utf8()));
    assertEquals(2, server.getRequestCount());
    assertEquals(2, analytics.metrics().requests());
  }

  @Test
  void persistentRequestTimeoutsMakeExactlyTheRequestsTheRetryPolicyAsksFor() throws Exception {
    for (int i = 0; i < 3; i++) server.enqueue(status(408));
    analytics = builder().maxRetries(2).build();
    analytics.enqueue(track("m0"));

    analytics.flush(Duration.ofSeconds(10));

    assertEquals("failed", callback.outcomes.get("m0"));
    List<String> retryCounts = new ArrayList<>();
    for (int i = 0; i < 3; i++) retryCounts.add(take().getHeaders().get("X-Retry-Count"));
    assertEquals(Arrays.asList(null, "1", "2"), retryCounts);
    assertEquals(3, server.getRequestCount());
    assertEquals(3, analytics.metrics().requests());
  }

  @Test
  void serviceUnavailableWithRetryAfterZeroIsRetriedByTheClientAlone() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0").build());
    analytics = builder().build();
    analytics.enqueue(track("m0"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertNull(take().getHeaders().get("X-Retry-Count"));
    assertEquals("1", take().getHeaders().get("X-Retry-Count"));
    assertEquals(2, server.getRequestCount());
    assertEquals(2, analytics.metrics().requests());
  }

  /** The README's recipe with OkHttp's defaults, which follow redirects. */
  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void redirectFailsTheBatchThroughACallersClientAndReachesNoOtherHost(int code) throws Exception {
    server.enqueue(new MockResponse.Builder()
        .code(code)
        .addHeader("Location", elsewhere.url("/v1/batch"))
        .build());
    OkHttpClient client = new OkHttpClient();
    try {
      analytics = builder().transport(OkHttpTransport.create(client)).build();
      analytics.enqueue(track("m0"));

      analytics.flush(Duration.ofSeconds(10));

      assertEquals("failed", callback.outcomes.get("m0"));
      assertEquals(code, callback.lastFailure().statusCode());
      assertEquals(1, server.getRequestCount());
      assertEquals(0, elsewhere.getRequestCount());
    } finally {
      analytics.close(Duration.ofSeconds(5));
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 413, 422, 501, 505, 511})
  void neverRetriesOtherClientErrorsAndPermanentServerErrors(int code) throws Exception {
    server.enqueue(status(code));
    analytics = builder().build();
    analytics.enqueue(track("m0"));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(1, result.notDelivered());
    assertEquals(1, server.getRequestCount());
    assertEquals("failed", callback.outcomes.get("m0"));
    Failure failure = callback.lastFailure();
    assertEquals(code, failure.statusCode());
    assertEquals(1, failure.attempts());
    assertEquals("HTTP " + code + " is not retryable: {\"error\":\"" + code + "\"}", failure.reason());
  }

  @Test
  void retriesNetworkErrors() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(ok());
    analytics = builder().build();
    analytics.enqueue(track("m0"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    take();
    assertEquals("1", take().getHeaders().get("X-Retry-Count"));
  }

  @Test
  void obeysRetryAfterSecondsWithoutUsingACountedRetry() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "1").build());
    server.enqueue(ok());
    analytics = builder().maxRetries(0).build();
    long start = System.nanoTime();
    analytics.enqueue(track("m0"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess(), "a Retry-After wait is not a counted retry");

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMillis >= 1000, "waited for Retry-After; took " + elapsedMillis + " ms");
    assertEquals(2, server.getRequestCount());
    assertNull(take().getHeaders().get("X-Retry-Count"));
    assertEquals("1", take().getHeaders().get("X-Retry-Count"));
    assertEquals(1, analytics.metrics().retries());
  }

  @Test
  void obeysRetryAfterBeforeSendingAnythingElse() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "1").build());
    analytics = builder().flushAt(1).maxInFlightRequests(4).maxRetries(0).build();
    long start = System.nanoTime();
    analytics.enqueue(track("m0"));
    take();
    analytics.enqueue(track("m1"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMillis >= 1000, "the pause held other uploads back; took " + elapsedMillis + " ms");
    assertEquals(3, server.getRequestCount());
  }

  @Test
  void obeysRetryAfterAsAnHttpDate() throws Exception {
    // An HTTP date has whole seconds: from the start of the next second but one, the date is at
    // least 1 s away whatever the fraction of the current second (plusSeconds(2) left 0.995 s once).
    String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).plusSeconds(3));
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", at).build());
    server.enqueue(ok());
    analytics = builder().maxRetries(0).build();
    long start = System.nanoTime();
    analytics.enqueue(track("m0"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMillis >= 1000, "waited for the date; took " + elapsedMillis + " ms");
    assertEquals(2, server.getRequestCount());
  }

  @Test
  void compressesBodiesWhenGzipIsOn() throws Exception {
    analytics = builder().gzip(true).build();
    analytics.enqueue(track("m0"));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    RecordedRequest request = take();
    assertEquals("gzip", request.getHeaders().get("Content-Encoding"));
    String body;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(request.getBody().toByteArray()))) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(List.of("m0"), messageIds(body));
    assertEquals("abc123", parse(body).get("writeKey"));
  }

  @Test
  void closeDuringAnOutageReturnsByItsDeadlineAndReportsEverything() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return status(503);
      }
    });
    analytics = builder().flushAt(10).build();
    for (int i = 0; i < 25; i++) analytics.enqueue(track("m" + i));
    take();

    SchedulerLag.assertClosesWithin(Duration.ofMillis(500), () -> analytics.close(Duration.ofMillis(500)));
    assertEquals(25, callback.outcomes.size());
    Metrics metrics = analytics.metrics();
    assertEquals(25, metrics.enqueued());
    assertEquals(25, metrics.failed() + metrics.dropped());
    assertNoClientThreads();
  }

  @Test
  void closeDrainsAndLeavesNoThreads() throws Exception {
    analytics = builder().flushAt(100).build();
    for (int i = 0; i < 10; i++) analytics.enqueue(track("m" + i));
    analytics.close();
    assertEquals(10, callback.count("sent"));
    assertEquals(10, messageIds(take().getBody().utf8()).size());
    assertNoClientThreads();
  }

  private static void assertNoClientThreads() {
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      assertFalse(thread.getName().startsWith("analytics4j-") && thread.isAlive(), thread.getName() + " alive");
    }
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Item Viewed").userId("u1").messageId(id);
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }

  private static Instant sentAt(String body) {
    Matcher matcher = SENT_AT.matcher(body);
    assertTrue(matcher.find(), body);
    String value = matcher.group(1);
    assertEquals(24, value.length(), "ISO-8601 with millis: " + value);
    return Instant.parse(value);
  }

  private static Map<String, Object> parse(String body) throws IOException {
    return JSON.fromJson(body);
  }

  @SuppressWarnings("unchecked")
  private static List<String> messageIds(String body) throws IOException {
    List<String> ids = new ArrayList<>();
    for (Object message : (List<Object>) parse(body).get("batch")) {
      ids.add((String) ((Map<String, Object>) message).get("messageId"));
    }
    return ids;
  }
}
