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
 * indicators share it: down while the API's last answer refused our write key (401 or 403), with
 * the messages held and the last failure.
 */
final class AnalyticsHealth extends AnalyticsListener {
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
    LastFailure last = lastFailure;
    // A batch fails as a whole: record its reason once, not once per message.
    if (last == null || !last.reason.equals(failure.reason())) {
      lastFailure = new LastFailure(failure.reason(), clock.instant());
    }
  }

  boolean isDown() {
    return refusal != null;
  }

  /** The details shown by the health endpoint. */
  Map<String, Object> details(Analytics analytics, boolean enabled) {
    Map<String, Object> details = new LinkedHashMap<>();
    Refusal refused = refusal;
    if (refused != null) {
      details.put("error", "the API refused the write key (HTTP " + refused.status + "); check analytics4j.write-key and region");
    }
    if (!enabled) details.put("enabled", false);
    Metrics metrics = analytics.metrics();
    details.put("heldMessages", metrics.queuedMessages());
    details.put("heldBytes", metrics.queuedBytes());
    LastFailure last = lastFailure;
    if (last != null) {
      details.put("lastFailure", last.reason);
      details.put("lastFailureAt", last.at.toString());
    }
    return details;
  }
}
