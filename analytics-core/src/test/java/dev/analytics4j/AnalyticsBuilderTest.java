package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.internal.Durations;
import dev.analytics4j.internal.MessageEncoder;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class AnalyticsBuilderTest {
  private final Analytics.Builder builder = Analytics.builder("key");

  @Test
  void rejectsAMissingOrBlankWriteKey() {
    assertThrowsExactly(NullPointerException.class, "writeKey == null", () -> Analytics.builder(null));
    assertThrowsExactly(IllegalArgumentException.class, "writeKey must not be blank", () -> Analytics.builder(" \t"));
  }

  @Test
  void rejectsOutOfRangeSettingsNamingTheValue() {
    assertThrowsExactly(IllegalArgumentException.class, "flushAt must be in 1..2500: 0", () -> builder.flushAt(0));
    assertThrowsExactly(IllegalArgumentException.class, "flushAt must be in 1..2500: 2501", () -> builder.flushAt(2501));
    assertThrowsExactly(IllegalArgumentException.class, "flushInterval must be positive: PT0S",
        () -> builder.flushInterval(Duration.ZERO));
    assertThrowsExactly(IllegalArgumentException.class, "maxQueueSize must be at least 1: 0", () -> builder.maxQueueSize(0));
    assertThrowsExactly(IllegalArgumentException.class, "maxQueueBytes must be at least 32000 (the largest message): -1",
        () -> builder.maxQueueBytes(-1));
    assertThrowsExactly(IllegalArgumentException.class, "maxInFlightRequests must be in 1..64: 65",
        () -> builder.maxInFlightRequests(65));
    assertThrowsExactly(IllegalArgumentException.class, "maxRetries must be in 0..1000: -1", () -> builder.maxRetries(-1));
    assertThrowsExactly(IllegalArgumentException.class,
        "max backoff must not be less than initial backoff: PT0.1S < PT1S",
        () -> builder.retryBackoff(Duration.ofSeconds(1), Duration.ofMillis(100)));
    assertThrowsExactly(IllegalArgumentException.class, "closeTimeout must not be negative: PT-1S",
        () -> builder.closeTimeout(Duration.ofSeconds(-1)));
    assertThrowsExactly(NullPointerException.class, "callback == null", () -> builder.callback(null));
    assertThrowsExactly(IllegalArgumentException.class, "userAgent must not be blank", () -> builder.userAgent(""));
  }

  @Test
  void rejectsEndpointsThatAreNotHttpHosts() {
    assertThrowsExactly(IllegalArgumentException.class, "endpoint must be an http or https URL: ftp://example.com",
        () -> builder.endpoint("ftp://example.com"));
    assertThrowsExactly(IllegalArgumentException.class, "endpoint has no host: https:///v2",
        () -> builder.endpoint("https:///v2"));
    assertThrowsExactly(IllegalArgumentException.class,
        "endpoint must be a host without /v1 (the client adds /v1/batch); use uploadUrl for a full URL: https://example.com/v1",
        () -> builder.endpoint("https://example.com/v1"));
    assertThrowsExactly(IllegalArgumentException.class, "uploadUrl is not a valid URL (Illegal character in authority): https://exa mple.com",
        () -> builder.uploadUrl("https://exa mple.com"));
    assertThrowsExactly(IllegalArgumentException.class, "uploadUrl must not contain credentials",
        () -> builder.uploadUrl("https://user:secret@example.com/batch"));
  }

  @Test
  void refusesAnEndpointWithAQueryOrAFragment() {
    assertThrowsExactly(IllegalArgumentException.class,
        "endpoint must not contain a query (the client appends /v1/batch); use uploadUrl for a full URL: "
            + "https://collector.example.com/?[hidden]",
        () -> builder.endpoint("https://collector.example.com/?tenant=acme"));
    assertThrowsExactly(IllegalArgumentException.class,
        "endpoint must not contain a query (the client appends /v1/batch); use uploadUrl for a full URL: "
            + "https://collector.example.com?[hidden]",
        () -> builder.endpoint("https://collector.example.com?"));
    assertThrowsExactly(IllegalArgumentException.class,
        "endpoint must not contain a fragment: https://collector.example.com/#[hidden]",
        () -> builder.endpoint("https://collector.example.com/#eu"));
    assertThrowsExactly(IllegalArgumentException.class,
        "uploadUrl must not contain a fragment: https://collector.example.com/sdk/batch?[hidden]",
        () -> builder.uploadUrl("https://collector.example.com/sdk/batch?tenant=acme#x"));
  }

  @Test
  void refusesAnEndpointEndingInV1BatchEvenWithTrailingSlashes() {
    for (String url : new String[] {"https://example.com/v1/batch/", "https://example.com/v1//", "https://example.com/proxy/v1/"}) {
      assertThrowsExactly(IllegalArgumentException.class, "endpoint must be a host without /v1 (the client adds "
          + "/v1/batch); use uploadUrl for a full URL: " + url, () -> builder.endpoint(url));
    }
  }

  @Test
  void appendsTheBatchPathWithoutAnEmptySegment() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Analytics analytics = client(transport).endpoint("https://collector.example.com/segment//").build()) {
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
    }
    assertEquals("https://collector.example.com/segment/v1/batch", transport.takeRequest().url());
  }

  @Test
  void keepsTheQueryOfAnUploadUrl() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Analytics analytics = client(transport).uploadUrl("https://collector.example.com/sdk/batch?tenant=acme").build()) {
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
    }
    assertEquals("https://collector.example.com/sdk/batch?tenant=acme", transport.takeRequest().url());
  }

  @Test
  void refusesAPortOutside1To65535() {
    for (String port : new String[] {"0", "65536", "99999", "9999999999", "-1", "80a"}) {
      String url = "http://collector.example.com:" + port;
      assertThrowsExactly(IllegalArgumentException.class, "endpoint port must be in 1..65535: " + url,
          () -> builder.endpoint(url));
    }
    assertThrowsExactly(IllegalArgumentException.class,
        "uploadUrl port must be in 1..65535: http://analytics_proxy:70000/batch",
        () -> builder.uploadUrl("http://analytics_proxy:70000/batch"));
    assertThrowsExactly(IllegalArgumentException.class, "endpoint port must be in 1..65535: http://[::1]:0",
        () -> builder.endpoint("http://[::1]:0"));
  }

  @Test
  void acceptsPortsAndHostsAnHttpClientSendsTo() {
    for (String url : new String[] {"http://collector.example.com:1", "http://collector.example.com:65535",
        "http://collector.example.com:", "http://[::1]:8080", "http://[2001:db8::7]", "http://10.0.0.7:3000",
        "https://collector.example.com./segment", "http://b\u00fccher.example", "HTTPS://Collector.Example.COM"}) {
      builder.endpoint(url);
      builder.uploadUrl(url + "/batch");
    }
  }

  @Test
  void refusesHostsNoHttpClientCanReach() {
    for (String url : new String[] {"http://foo..bar", "http://exa$mple.com", "http://.", "http://[fe80::1%25en0]",
        "http://a%41b.com"}) {
      assertThrowsExactly(IllegalArgumentException.class, "endpoint has an invalid host: " + url,
          () -> builder.endpoint(url));
    }
    assertThrowsExactly(IllegalArgumentException.class, "endpoint is not a valid URL (Expected closing bracket for IPv6 address): http://[::1",
        () -> builder.endpoint("http://[::1"));
    assertThrowsExactly(IllegalArgumentException.class, "endpoint has no host: http://:8080",
        () -> builder.endpoint("http://:8080"));
  }

  @Test
  void acceptsAHostWithAnUnderscoreAndSendsToIt() throws Exception {
    RecordingTransport transport = new RecordingTransport();
    try (Analytics analytics = client(transport).endpoint("http://analytics_proxy:8080").build()) {
      analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
      assertTrue(analytics.toString().contains("url=http://analytics_proxy:8080/v1/batch"), analytics.toString());
    }
    assertEquals("http://analytics_proxy:8080/v1/batch", transport.takeRequest().url());
  }

  @Test
  void refusesCredentialsWithoutEchoingThem() {
    for (String url : new String[] {"http://user:s3cret@analytics_proxy:8080", "https://user:s3cret@exa mple.com",
        "https://user:s3cret@example.com:99999", "https:user:s3cret@example.com", "https://:s3cret@example.com?q#f",
        "https://s3cret@[::1]/x"}) {
      assertThrowsExactly(IllegalArgumentException.class, "endpoint must not contain credentials",
          () -> builder.endpoint(url));
      assertThrowsExactly(IllegalArgumentException.class, "uploadUrl must not contain credentials",
          () -> builder.uploadUrl(url));
    }
    // An @ after the authority is part of the path or query, not credentials.
    builder.uploadUrl("https://example.com/users/@me/batch?by=a@b");
  }

  @Test
  void refusesAUserAgentWithControlOrNonAsciiCharactersShowingThemEscaped() {
    IllegalArgumentException crlf = assertThrows(IllegalArgumentException.class,
        () -> builder.userAgent("shop/1.0\r\nX-Injected: 1"));
    assertEquals("userAgent must be printable ASCII: U+000D at index 8 in \"shop/1.0\\u000D\\u000AX-Injected: 1\"",
        crlf.getMessage());
    assertFalse(crlf.getMessage().contains("\n") || crlf.getMessage().contains("\r"), crlf.getMessage());
    assertThrowsExactly(IllegalArgumentException.class,
        "userAgent must be printable ASCII: U+000A at index 7 in \"shop/1.\\u000A\"",
        () -> builder.userAgent("shop/1.\n"));
    assertThrowsExactly(IllegalArgumentException.class,
        "userAgent must be printable ASCII: U+00E9 at index 9 in \"shop (caf\\u00E9) C:\\\\x\"",
        () -> builder.userAgent("shop (caf\u00e9) C:\\x"));
    assertThrowsExactly(IllegalArgumentException.class,
        "userAgent must be printable ASCII: U+1F600 at index 5 in \"shop \\uD83D\\uDE00\"",
        () -> builder.userAgent("shop \uD83D\uDE00"));
    assertThrowsExactly(IllegalArgumentException.class,
        "userAgent must be printable ASCII: U+0009 at index 4 in \"shop\\u0009/1\"",
        () -> builder.userAgent("shop\t/1"));
    assertThrowsExactly(IllegalArgumentException.class,
        "userAgent must be printable ASCII: U+007F at index 4 in \"shop\\u007F\"",
        () -> builder.userAgent("shop\u007f"));
    builder.userAgent("shop/1.0 (+https://shop.example; ops@shop.example) ~!#$%&'*=^`|{}");
  }

  @Test
  void aMaxQueueSizeBelowTheDefaultFlushAtLowersItSoBatchesCanFill() {
    builder.transport(new RecordingTransport()).shutdownHook(false).maxQueueSize(100);
    try (Analytics analytics = builder.build()) {
      assertTrue(analytics.toString().contains(", flushAt=100, "), analytics.toString());
    }
  }

  @Test
  void anExplicitFlushAtAboveMaxQueueSizeIsKeptAsAsked() {
    // A recording client for tests holds messages until flush() this way; build() logs a WARN.
    builder.transport(new RecordingTransport()).shutdownHook(false).flushAt(2500).maxQueueSize(1);
    try (Analytics analytics = builder.build()) {
      assertTrue(analytics.toString().contains(", flushAt=2500, "), analytics.toString());
    }
  }

  @Test
  void refusesMaxQueueBytesBelowTheLargestMessage() {
    assertThrowsExactly(IllegalArgumentException.class, "maxQueueBytes must be at least 32000 (the largest message): 31999",
        () -> builder.maxQueueBytes(MessageEncoder.MAX_MESSAGE_BYTES - 1));
    assertThrowsExactly(IllegalArgumentException.class, "maxQueueBytes must be at least 32000 (the largest message): 0",
        () -> builder.maxQueueBytes(0));
    builder.maxQueueBytes(MessageEncoder.MAX_MESSAGE_BYTES);
  }

  @Test
  void takesForeverForEveryDurationWithoutOverflowing() throws Exception {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    RecordingTransport transport = new RecordingTransport();
    RecordingCallback callback = new RecordingCallback();
    Analytics analytics = client(transport)
        .callback(callback)
        .flushInterval(forever)
        .closeTimeout(forever)
        .retryBackoff(forever, forever)
        .maxRetryDuration(forever)
        .maxRetryAfter(forever, forever)
        .connectTimeout(forever)
        .readTimeout(forever)
        .build();
    analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
    FlushResult flushed = analytics.flush().get(10, TimeUnit.SECONDS);
    assertEquals(1, flushed.delivered());
    analytics.enqueue(TrackMessage.builder("Signed Up").userId("u2"));
    analytics.close();
    assertEquals(2, callback.count("sent"));
    assertEquals(2, transport.requestCount());
    assertTrue(analytics.toString().contains("flushInterval=PT" + Durations.MAX.toHours() + "H"), analytics.toString());
  }

  @Test
  void acceptsTimeoutsOfAnyLength() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    builder.connectTimeout(forever).readTimeout(forever);
    builder.connectTimeout(Duration.ofNanos(1)).readTimeout(Duration.ofNanos(999_999));
    builder.connectTimeout(Duration.ZERO).readTimeout(Duration.ZERO);
    assertThrowsExactly(IllegalArgumentException.class, "readTimeout must not be negative: PT-0.000000001S",
        () -> builder.readTimeout(Duration.ofNanos(-1)));
  }

  @Test
  void explainsHowToGetATransportWhenNoneIsOnTheClasspath() {
    assertThrowsExactly(IllegalStateException.class,
        "No Transport found: add dev.analytics4j:analytics-okhttp to the classpath, or pass one to transport(...)",
        () -> builder.shutdownHook(false).build());
  }

  private static Analytics.Builder client(RecordingTransport transport) {
    return Analytics.builder("key").transport(transport).shutdownHook(false);
  }

  private static void assertThrowsExactly(Class<? extends Throwable> type, String message, Executable executable) {
    Throwable thrown = assertThrows(type, executable);
    assertEquals(type, thrown.getClass());
    assertEquals(message, thrown.getMessage());
  }
}
