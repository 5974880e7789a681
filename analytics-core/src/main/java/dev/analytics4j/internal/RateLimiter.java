package dev.analytics4j.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. A job's ceiling in events per second, shared by every thread
 * of the job, which learns the rate the collector allows: a token bucket whose rate is set by
 * additive increase, multiplicative decrease (AIMD), the rule TCP uses for the same problem.
 *
 * <ul>
 *   <li>It starts at the ceiling the user set, with one permit and never more than one second's
 *       worth saved up, so that a job whose threads start together does not burst past its ceiling.
 *   <li>{@link #throttled} (an HTTP 429) halves the rate, at most once a second (one overload
 *       answers every request in flight with a 429, and that is one signal, not four), never below
 *       {@link #floor()}; a wait the answer asked for (Retry-After, X-RateLimit-Reset, see
 *       {@link #waitNanos}) pauses every permit until it has passed.
 *   <li>{@link #accepted} (a 2xx) adds a tenth of the ceiling, at most once a second and never
 *       past the ceiling: from half the ceiling back to it takes five seconds of good answers.
 * </ul>
 *
 * <p>A request for more permits than a second's worth (a batch of 250 at 100/s) is granted once a
 * second's worth is saved, leaving the bucket in debt, so the average holds whatever the request size.
 */
public final class RateLimiter {
  /** The longest pause one answer may impose, as a client's {@code maxRetryAfter} defaults to. */
  public static final long MAX_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(300);
  /** How often the rate may change at most. */
  static final long ADJUST_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Epoch seconds from here on (2001-09-09) are a moment, not a delta: no one asks to wait 31 years. */
  private static final long EPOCH_SECONDS_FROM = 1_000_000_000L;

  /** The clock and the wait, so that tests run the limiter without real time. */
  public interface Clock {
    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleepNanos(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
      }
    };

    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double ceiling;
  private final double floor;
  private final Clock clock;
  // All guarded by this.
  private double rate;
  private double tokens;
  private long last;
  private long pausedUntil;
  private boolean paused;
  private long lastChange;
  private long throttledCount;

  /** @param perSecond the ceiling, events per second; positive and finite. */
  public RateLimiter(double perSecond, Clock clock) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
    }
    this.ceiling = perSecond;
    // A hundredth of the ceiling, one a second at least: a collector that throttles for minutes
    // must not drive the rate to nothing, from where additive increase takes minutes to come back.
    this.floor = Math.min(perSecond, Math.max(1, perSecond / 100));
    this.clock = Objects.requireNonNull(clock, "clock == null");
    this.rate = perSecond;
    this.tokens = 1;
    this.last = clock.nanoTime();
    this.lastChange = last - ADJUST_INTERVAL_NANOS;
  }

  /** Takes {@code permits}, waiting on the clock for them. */
  public void acquire(int permits) throws InterruptedException {
    long wait;
    while ((wait = tryAcquire(permits)) > 0) clock.sleepNanos(wait);
  }

  /**
   * Takes {@code permits} if they are there now and returns 0; otherwise takes nothing and returns
   * how long to wait before asking again (a caller that must stay interruptible waits its own way).
   */
  public synchronized long tryAcquire(int permits) {
    if (permits < 1) throw new IllegalArgumentException("permits must be positive: " + permits);
    long now = clock.nanoTime();
    if (paused) {
      if (now - pausedUntil < 0) return pausedUntil - now;
      paused = false;
      last = pausedUntil;
      tokens = Math.min(tokens, 1);
    }
    refill(now);
    double needed = Math.min(permits, capacity());
    if (tokens >= needed) {
      tokens -= permits;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((needed - tokens) * 1e9 / rate));
  }

  /**
   * The collector asked to slow down (HTTP 429): halves the rate unless it changed within the last
   * second, and pauses every permit for {@code pauseNanos} when positive (capped at
   * {@link #MAX_PAUSE_NANOS}); a later pause never shortens an earlier one.
   */
  public synchronized void throttled(long pauseNanos) {
    long now = clock.nanoTime();
    refill(now);
    throttledCount++;
    if (now - lastChange >= ADJUST_INTERVAL_NANOS) {
      rate = Math.max(floor, rate / 2);
      tokens = Math.min(tokens, capacity());
      lastChange = now;
    }
    if (pauseNanos > 0) {
      long until = now + Math.min(pauseNanos, MAX_PAUSE_NANOS);
      if (!paused || until - pausedUntil > 0) pausedUntil = until;
      paused = true;
    }
  }

  /** The collector accepted a request: the rate climbs back towards the ceiling. */
  public synchronized void accepted() {
    long now = clock.nanoTime();
    if (rate >= ceiling || now - lastChange < ADJUST_INTERVAL_NANOS) return;
    refill(now);
    rate = Math.min(ceiling, rate + ceiling / 10);
    lastChange = now;
  }

  /** The rate permits are handed out at now, events per second. */
  public synchronized double rate() {
    return rate;
  }

  public double ceiling() {
    return ceiling;
  }

  /** The lowest rate {@link #throttled} brings it to. */
  public double floor() {
    return floor;
  }

  /** How much longer the pause an answer asked for lasts; 0 when none. */
  public synchronized long pausedNanos() {
    if (!paused) return 0;
    return Math.max(0, pausedUntil - clock.nanoTime());
  }

  /** How many answers asked to slow down. */
  public synchronized long throttledCount() {
    return throttledCount;
  }

  private double capacity() {
    return Math.max(1, rate);
  }

  private void refill(long now) {
    long elapsed = now - last;
    if (elapsed > 0) {
      tokens = Math.min(capacity(), tokens + elapsed * rate / 1e9);
      last = now;
    }
  }

  /**
   * The wait a {@code Retry-After} or {@code X-RateLimit-Reset} value asks for, in nanoseconds,
   * capped at {@code capNanos}: an HTTP date, a number of seconds to wait, or (from 1,000,000,000 on)
   * the epoch second at which the limit resets. 0 for an absent or malformed value or a moment
   * already past. A number too large for a {@code long} of nanoseconds is simply capped.
   */
  public static long waitNanos(@Nullable String value, Instant now, long capNanos) {
    if (value == null) return 0;
    String text = value.trim();
    if (text.isEmpty()) return 0;
    long nanos;
    if (text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // 19 digits may not fit a long; a wait that long is capped anyway.
      if (text.length() > 18) return capNanos;
      long seconds = Long.parseLong(text);
      if (seconds >= EPOCH_SECONDS_FROM) seconds = seconds - now.getEpochSecond();
      nanos = seconds <= 0 ? 0 : seconds >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : seconds * 1_000_000_000L;
    } else {
      try {
        Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(now, at);
        if (wait.isNegative() || wait.isZero()) return 0;
        nanos = wait.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : wait.toNanos();
      } catch (DateTimeParseException e) {
        return 0;
      }
    }
    return Math.min(nanos, capNanos);
  }

  @Override
  public synchronized String toString() {
    return "RateLimiter{ceiling=" + ceiling + "/s, rate=" + rate + "/s" + (paused ? ", paused" : "") + "}";
  }
}
