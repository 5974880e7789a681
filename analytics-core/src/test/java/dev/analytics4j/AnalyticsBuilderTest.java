package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
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
    assertThrowsExactly(IllegalArgumentException.class, "maxQueueBytes must be at least 1: -1", () -> builder.maxQueueBytes(-1));
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
    assertThrowsExactly(IllegalArgumentException.class, "uploadUrl is not a valid URL: https://exa mple.com",
        () -> builder.uploadUrl("https://exa mple.com"));
    assertThrowsExactly(IllegalArgumentException.class, "uploadUrl must not contain credentials",
        () -> builder.uploadUrl("https://user:secret@example.com/batch"));
  }

  @Test
  void explainsHowToGetATransportWhenNoneIsOnTheClasspath() {
    assertThrowsExactly(IllegalStateException.class,
        "No Transport found: add dev.analytics4j:analytics-okhttp to the classpath, or pass one to transport(...)",
        () -> builder.shutdownHook(false).build());
  }

  private static void assertThrowsExactly(Class<? extends Throwable> type, String message, Executable executable) {
    Throwable thrown = assertThrows(type, executable);
    assertEquals(type, thrown.getClass());
    assertEquals(message, thrown.getMessage());
  }
}
