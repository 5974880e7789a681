package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(500),
      Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(300), Duration.ofMinutes(10));

  @Test
  void retriesExactlyTheStatusesOfTheContract() {
    Set<Integer> retryable = new HashSet<>(Arrays.asList(408, 410, 429, 460));
    for (int code = 500; code <= 599; code++) {
      if (code != 501 && code != 505 && code != 511) retryable.add(code);
    }
    for (int code = 100; code <= 599; code++) {
      assertEquals(retryable.contains(code), RetryPolicy.isRetryable(code), "status " + code);
    }
  }

  @Test
  void neverRetriesClientErrorsOrTheThreePermanentServerErrors() {
    for (int code : new int[] {400, 401, 403, 404, 413, 422, 501, 505, 511}) {
      assertFalse(RetryPolicy.isRetryable(code), "status " + code);
    }
  }

  @Test
  void backoffDoublesFromTheInitialDelayWithJitterAndIsCapped() {
    for (int i = 0; i < 1000; i++) {
      assertBetween(250, 500, policy.backoffNanos(1) / 1_000_000);
      assertBetween(500, 1000, policy.backoffNanos(2) / 1_000_000);
      assertBetween(1000, 2000, policy.backoffNanos(3) / 1_000_000);
      assertBetween(30_000, 60_000, policy.backoffNanos(8) / 1_000_000);
      assertBetween(30_000, 60_000, policy.backoffNanos(1000) / 1_000_000);
    }
  }

  @Test
  void backoffIsJittered() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) seen.add(policy.backoffNanos(5));
    assertTrue(seen.size() > 50, "distinct delays: " + seen.size());
  }

  @Test
  void parsesRetryAfterInSeconds() {
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(Duration.ofSeconds(7).toNanos(), policy.retryAfterNanos("7", now));
    assertEquals(Duration.ofSeconds(7).toNanos(), policy.retryAfterNanos(" 7 ", now));
  }

  @Test
  void parsesRetryAfterAsAnHttpDate() {
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(Duration.ofSeconds(12).toNanos(),
        policy.retryAfterNanos("Fri, 14 Mar 2025 09:27:05 GMT", now));
  }

  @Test
  void capsRetryAfterAtTheMaximum() {
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(Duration.ofSeconds(300).toNanos(), policy.retryAfterNanos("86400", now));
    assertEquals(Duration.ofSeconds(300).toNanos(), policy.retryAfterNanos("99999999999999999999", now));
    assertEquals(Duration.ofSeconds(300).toNanos(),
        policy.retryAfterNanos("Sat, 15 Mar 2025 09:26:53 GMT", now));
  }

  @Test
  void ignoresMalformedPastOrZeroRetryAfter() {
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(-1, policy.retryAfterNanos("soon", now));
    assertEquals(-1, policy.retryAfterNanos("", now));
    assertEquals(-1, policy.retryAfterNanos("-5", now));
    assertEquals(-1, policy.retryAfterNanos("0", now));
    assertEquals(-1, policy.retryAfterNanos("Thu, 13 Mar 2025 09:26:53 GMT", now));
  }

  @Test
  void saturatesRetryAfterDatesAndNumbersTooFarAheadThenCapsThem() {
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(Durations.MAX_NANOS, RetryPolicy.parseRetryAfterNanos("Fri, 31 Dec 9999 23:59:59 GMT", now));
    assertEquals(Durations.MAX_NANOS, RetryPolicy.parseRetryAfterNanos("Thu, 01 Jan 2263 00:00:00 GMT", now));
    assertEquals(Durations.MAX_NANOS, RetryPolicy.parseRetryAfterNanos("Sat, 01 Jan 2400 00:00:00 GMT", now));
    assertEquals(Duration.ofDays(365).toNanos(), RetryPolicy.parseRetryAfterNanos("Sat, 14 Mar 2026 09:26:53 GMT", now));
    assertEquals(Durations.MAX_NANOS, RetryPolicy.parseRetryAfterNanos("99999999999999999999", now));
    assertEquals(Duration.ofSeconds(300).toNanos(), policy.retryAfterNanos("Thu, 01 Jan 2263 00:00:00 GMT", now));
    assertEquals(Duration.ofSeconds(300).toNanos(), policy.retryAfterNanos("Fri, 31 Dec 9999 23:59:59 GMT", now));
  }

  @Test
  void takesBudgetsOfForeverWithoutOverflowing() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    RetryPolicy unbounded = new RetryPolicy(1000, forever, forever, forever, forever, forever);
    assertEquals(Durations.MAX_NANOS, unbounded.maxRetryNanos);
    assertEquals(Durations.MAX_NANOS, unbounded.maxRetryAfterTotalNanos);
    Instant now = Instant.parse("2025-03-14T09:26:53Z");
    assertEquals(Durations.MAX_NANOS, unbounded.retryAfterNanos("Fri, 31 Dec 9999 23:59:59 GMT", now));
    for (int retry : new int[] {1, 2, 63, 64, 1000}) {
      assertBetween(Durations.MAX_NANOS / 2, Durations.MAX_NANOS, unbounded.backoffNanos(retry));
    }
    RetryPolicy doubling = new RetryPolicy(1000, Duration.ofMillis(500), forever, forever, forever, forever);
    for (int retry = 1; retry <= 1000; retry++) {
      long backoff = doubling.backoffNanos(retry);
      assertTrue(backoff > 0 && backoff <= Durations.MAX_NANOS, "retry " + retry + ": " + backoff);
    }
    unbounded.toString();
  }

  private static void assertBetween(long min, long max, long actual) {
    assertTrue(actual >= min && actual <= max, actual + " not in " + min + ".." + max);
  }
}
