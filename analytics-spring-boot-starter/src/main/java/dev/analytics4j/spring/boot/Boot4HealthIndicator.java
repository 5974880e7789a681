package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The health indicator on Spring Boot 4 ({@code org.springframework.boot.health.contributor}). */
final class Boot4HealthIndicator implements HealthIndicator {
  private final Analytics analytics;
  private final AnalyticsHealth health;
  private final boolean enabled;

  Boot4HealthIndicator(Analytics analytics, AnalyticsHealth health, boolean enabled) {
    this.analytics = analytics;
    this.health = health;
    this.enabled = enabled;
  }

  @Override
  public Health health() {
    return (health.isDown() ? Health.down() : Health.up()).withDetails(health.details(analytics, enabled)).build();
  }
}
