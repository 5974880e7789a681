package dev.analytics4j.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which answers are retried and how long to wait before the next attempt (wire contract section 5).
 *
 * <p>Counted retries back off exponentially with jitter and are bounded by {@code maxRetries} and
 * {@code maxRetryDuration}. A {@code Retry-After} on a retryable answer is obeyed instead, capped at
 * {@code maxRetryAfter}, without using up a counted retry; those waits have their own total budget,
 * {@code maxRetryAfterTotal}, after which the answers count as ordinary retries.
 *
 * <p>With a spool, a batch's records wait on disk, so none of those three budgets applies to it:
 * it is retried with the same capped backoff, and every {@code Retry-After} (capped) is obeyed, until
 * its messages are older than {@code spoolMaxAge}.
 */
public final class RetryPolicy {
  final int maxRetries;
  final long initialBackoffNanos;
  final long maxBackoffNanos;
  final long maxRetryNanos;
  final long maxRetryAfterNanos;
  final long maxRetryAfterTotalNanos;
  /** With a spool: how long a message may wait for the endpoint, from when it was accepted. */
  final long spoolMaxAgeNanos;

  RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryDuration,
      Duration maxRetryAfter, Duration maxRetryAfterTotal) {
    this(maxRetries, initialBackoff, maxBackoff, maxRetryDuration, maxRetryAfter, maxRetryAfterTotal,
        Settings.DEFAULT_SPOOL_MAX_AGE);
  }

  RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryDuration,
      Duration maxRetryAfter, Duration maxRetryAfterTotal, Duration spoolMaxAge) {
    this.maxRetries = maxRetries;
    // Saturated, so that budgets of ChronoUnit.FOREVER stay sums and comparisons that cannot overflow.
    this.initialBackoffNanos = Durations.saturatedNanos(initialBackoff);
    this.maxBackoffNanos = Durations.saturatedNanos(maxBackoff);
    this.maxRetryNanos = Durations.saturatedNanos(maxRetryDuration);
    this.maxRetryAfterNanos = Durations.saturatedNanos(maxRetryAfter);
    this.maxRetryAfterTotalNanos = Durations.saturatedNanos(maxRetryAfterTotal);
    this.spoolMaxAgeNanos = Durations.saturatedNanos(spoolMaxAge);
  }

  /**
   * 408, 410, 429, 460 and 5xx other than 501, 505 and 511 may succeed later; every other non-2xx
   * answer will not, and sending it again only repeats the rejection.
   */
  public static boolean isRetryable(int code) {
    switch (code) {
      case 408:
      case 410:
      case 429:
      case 460:
        return true;
      case 501:
      case 505:
      case 511:
        return false;
      default:
        return code >= 500 && code <= 599;
    }
  }

  /**
   * The wait before counted retry number {@code retry} (1 for the first): {@code initial * 2^(retry-1)}
   * capped at the maximum, of which a random half is kept so that clients that failed together do
   * not retry together.
   */
  long backoffNanos(int retry) {
    long ceiling = initialBackoffNanos;
    for (int i = 1; i < retry && ceiling < maxBackoffNanos; i++) ceiling *= 2;
    ceiling = Math.min(ceiling, maxBackoffNanos);
    long half = ceiling / 2;
    return half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
  }

  /**
   * The wait a {@code Retry-After} value asks for, capped at {@code maxRetryAfter}: delay-seconds or
   * an HTTP date. Returns -1 when the header is absent, malformed or asks for no wait. A value too
   * large for a {@code long} of nanoseconds (a date past 2262, a 20-digit number) saturates, so it is
   * simply capped, never an {@link ArithmeticException} that would fail the batch.
   */
  long retryAfterNanos(String header, Instant now) {
    long nanos = parseRetryAfterNanos(header, now);
    return nanos <= 0 ? -1 : Math.min(nanos, maxRetryAfterNanos);
  }

  static long parseRetryAfterNanos(String header, Instant now) {
    String value = header.trim();
    if (value.isEmpty()) return -1;
    if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // More than 9 digits may not fit a long; any such wait is far beyond every cap anyway.
      if (value.length() > 9) return Durations.MAX_NANOS;
      return Durations.saturatedNanos(Duration.ofSeconds(Long.parseLong(value)));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return wait.isNegative() ? -1 : Durations.saturatedNanos(wait);
    } catch (DateTimeParseException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxRetries=" + maxRetries
        + ", backoff=" + Duration.ofNanos(initialBackoffNanos) + ".." + Duration.ofNanos(maxBackoffNanos)
        + ", maxRetryDuration=" + Duration.ofNanos(maxRetryNanos)
        + ", maxRetryAfter=" + Duration.ofNanos(maxRetryAfterNanos)
        + ", maxRetryAfterTotal=" + Duration.ofNanos(maxRetryAfterTotalNanos)
        + ", spoolMaxAge=" + Duration.ofNanos(spoolMaxAgeNanos) + "}";
  }
}
