package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health indicator on Spring Boot 4 ({@code org.springframework.boot.health.contributor}): UP, or while the API refuses
 * the write key DEGRADED (which the overall status ignores), or DOWN when
 * {@code analytics4j.health-affects-status} is set.
 */
final class Boot4HealthIndicator implements HealthIndicator {
  private static final Status DEGRADED = new Status(AnalyticsHealth.DEGRADED, "the API refuses the write key");

  private final Analytics analytics;
  private final AnalyticsHealth health;
  private final boolean enabled;
  private final boolean spool;
  private final boolean affectsStatus;

  Boot4HealthIndicator(Analytics analytics, AnalyticsHealth health, AnalyticsProperties properties) {
    this.analytics = analytics;
    this.health = health;
    this.enabled = properties.sends();
    this.spool = properties.getSpool() != null;
    this.affectsStatus = properties.isHealthAffectsStatus();
  }

  @Override
  public Health health() {
    Status status = !health.isRefused() ? Status.UP : affectsStatus ? Status.DOWN : DEGRADED;
    return Health.status(status).withDetails(health.details(analytics, enabled, spool)).build();
  }
}
