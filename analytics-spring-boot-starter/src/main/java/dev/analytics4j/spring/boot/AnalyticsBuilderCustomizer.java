package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;

/**
 * Changes the builder of the auto-configured {@link Analytics} after the {@code analytics4j.*}
 * properties were applied, for what properties cannot say: a {@code transport} over your own
 * OkHttpClient, a {@code threadFactory}, a {@code callback}. Every such bean is applied, in
 * {@link org.springframework.core.annotation.Order} order.
 */
@FunctionalInterface
public interface AnalyticsBuilderCustomizer {
  void customize(Analytics.Builder builder);
}
