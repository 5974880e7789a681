package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** The health indicator on Spring Boot 3 ({@code org.springframework.boot.actuate.health}). */
final class Boot3HealthIndicator implements HealthIndicator {
  private final Analytics analytics;
  private final AnalyticsHealth health;
  private final boolean enabled;

  Boot3HealthIndicator(Analytics analytics, AnalyticsHealth health, boolean enabled) {
    this.analytics = analytics;
    this.health = health;
    this.enabled = enabled;
  }

  @Override
  public Health health() {
    return (health.isDown() ? Health.down() : Health.up()).withDetails(health.details(analytics, enabled)).build();
  }
}
