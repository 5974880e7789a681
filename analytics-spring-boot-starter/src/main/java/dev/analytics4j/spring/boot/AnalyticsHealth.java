package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Metrics;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the health indicators report, kept free of Actuator types so the Boot 3 and Boot 4
 * indicators share it: whether the API's last answer refused our write key (401 or 403), the
 * messages queued (the names of {@link Metrics}), and the last failure in a few words.
 */
final class AnalyticsHealth extends AnalyticsListener {
  /**
   * The component's status while the key is refused, unless analytics4j.health-affects-status is
   * set. Actuator's default status order (DOWN, OUT_OF_SERVICE, UP, UNKNOWN) does not list it, so
   * the overall status ignores it, and its HTTP mapping is 200.
   */
  static final String DEGRADED = "DEGRADED";

  private final Clock clock;
  private volatile @Nullable Refusal refusal;
  private volatile @Nullable LastFailure lastFailure;

  AnalyticsHealth() {
    this(Clock.systemUTC());
  }

  AnalyticsHealth(Clock clock) {
    this.clock = clock;
  }

  private static final class Refusal {
    final int status;

    Refusal(int status) {
      this.status = status;
    }
  }

  private static final class LastFailure {
    final String reason;
    final Instant at;

    LastFailure(String reason, Instant at) {
      this.reason = reason;
      this.at = at;
    }
  }

  @Override
  public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
    if (statusCode == 401 || statusCode == 403) {
      refusal = new Refusal(statusCode);
    } else if (statusCode >= 200 && statusCode < 300) {
      refusal = null;
    }
  }

  @Override
  public void messageFailed(EncodedMessage message, Failure failure) {
    String reason = shortReason(failure);
    LastFailure last = lastFailure;
    // A batch fails as a whole: record its reason once, not once per message.
    if (last == null || !last.reason.equals(reason)) {
      lastFailure = new LastFailure(reason, clock.instant());
    }
  }

  /**
   * The failure in a few words built from its parts, never from {@link Failure#reason()}: that
   * sentence carries what the collector answered (its body, an exception's message), which a
   * health endpoint, often readable by more people than the logs, should not repeat.
   */
  static String shortReason(Failure failure) {
    String what;
    if (failure.statusCode() != 0) {
      what = "HTTP " + failure.statusCode();
    } else if (failure.cause() != null) {
      what = failure.cause().getClass().getSimpleName();
    } else {
      what = "no answer";
    }
    int attempts = failure.attempts();
    String after = attempts == 1 ? "1 attempt" : attempts + " attempts";
    return failure.abandonedAtClose() ? what + ", abandoned at close after " + after : what + " after " + after;
  }

  /** Whether the component shows its non-UP status: the API refuses the write key. */
  boolean isRefused() {
    return refusal != null;
  }

  /** The details shown by the health endpoint. */
  Map<String, Object> details(Analytics analytics, boolean enabled, boolean spool) {
    Map<String, Object> details = new LinkedHashMap<>();
    Refusal refused = refusal;
    if (refused != null) {
      details.put("error", "the API refused the write key (HTTP " + refused.status + "); check analytics4j.write-key and region");
    }
    if (!enabled) details.put("enabled", false);
    Metrics metrics = analytics.metrics();
    details.put("queuedMessages", metrics.queuedMessages());
    details.put("queuedBytes", metrics.queuedBytes());
    if (spool) {
      details.put("spooledMessages", metrics.spooledMessages());
      details.put("spoolBytes", metrics.spoolBytes());
    }
    LastFailure last = lastFailure;
    if (last != null) {
      details.put("lastFailure", last.reason);
      details.put("lastFailureAt", last.at.toString());
    }
    return details;
  }
}
