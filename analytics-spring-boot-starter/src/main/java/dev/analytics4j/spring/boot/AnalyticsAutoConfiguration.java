package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.micrometer.AnalyticsMeterBinder;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds an {@link Analytics} from the {@code analytics4j.*} properties, closes it in the
 * graceful-shutdown phase of the context, and, when Micrometer and Actuator are present, publishes
 * its meters and a health indicator. Each bean backs off when the application defines its own.
 *
 * <p>The client is built with every {@link AnalyticsBuilderCustomizer} bean applied after the
 * properties, the {@link Callback} bean if there is exactly one, and every
 * {@link AnalyticsListener} bean (the meter binder and the health indicator's listener among them).
 * Without a write key, or with {@code analytics4j.enabled=false}, it is built disabled: messages
 * are validated and then reported as dropped ({@code DropReason.DISABLED}); nothing is sent.
 */
@AutoConfiguration
@ConditionalOnClass(Analytics.class)
@EnableConfigurationProperties(AnalyticsProperties.class)
public class AnalyticsAutoConfiguration {
  private static final Logger logger = LoggerFactory.getLogger(AnalyticsAutoConfiguration.class);
  /** Stands in for the write key of a disabled client, which never sends. */
  static final String DISABLED_WRITE_KEY = "analytics4j-disabled";

  @Bean
  @ConditionalOnMissingBean
  Analytics analytics(AnalyticsProperties properties, ObjectProvider<AnalyticsBuilderCustomizer> customizers,
      ObjectProvider<Callback> callback, ObjectProvider<AnalyticsListener> listeners,
      ObjectProvider<RequestContext> requestContext) {
    Analytics.Builder builder = builder(properties);
    callback.ifUnique(builder::callback);
    requestContext.ifUnique(builder::defaultContext);
    List<AnalyticsListener> all = listeners.orderedStream().collect(Collectors.toList());
    if (!all.isEmpty()) builder.listener(CompositeListener.of(all));
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    Analytics analytics = builder.build();
    // The binder's queue gauges then read this client's Metrics, as the health details do.
    for (AnalyticsListener listener : all) {
      if (listener instanceof AnalyticsMeterBinder) ((AnalyticsMeterBinder) listener).client(analytics);
    }
    return analytics;
  }

  static Analytics.Builder builder(AnalyticsProperties properties) {
    Analytics.Builder builder;
    if (properties.sends()) {
      builder = Analytics.builder(properties.getWriteKey());
    } else {
      logger.warn("analytics4j is off ({}): messages are validated, then dropped (reason DISABLED); nothing is sent",
          properties.isEnabled() ? "analytics4j.write-key is not set" : "analytics4j.enabled=false");
      builder = Analytics.builder(DISABLED_WRITE_KEY).enabled(false);
    }
    builder.region(properties.getRegion());
    if (properties.getEndpoint() != null) builder.endpoint(properties.getEndpoint());
    if (properties.getUploadUrl() != null) builder.uploadUrl(properties.getUploadUrl());
    // Unset, flushAt follows a smaller max-queue-size, as the builder's default does.
    if (properties.getFlushAt() != null) builder.flushAt(properties.getFlushAt());
    builder.flushInterval(properties.getFlushInterval())
        .maxQueueSize(properties.getMaxQueueSize())
        .maxQueueBytes(properties.getMaxQueueBytes().toBytes())
        .maxInFlightRequests(properties.getMaxInFlightRequests())
        .maxRetries(properties.getMaxRetries())
        .retryBackoff(properties.getInitialBackoff(), properties.getMaxBackoff())
        .maxRetryDuration(properties.getMaxRetryDuration())
        .maxRetryAfter(properties.getMaxRetryAfter(), properties.getMaxRetryAfterTotal())
        .connectTimeout(properties.getConnectTimeout())
        .readTimeout(properties.getReadTimeout())
        .gzip(properties.isGzip())
        .closeTimeout(properties.getCloseTimeout())
        .shutdownHook(properties.isShutdownHook());
    if (properties.getUserAgent() != null) builder.userAgent(properties.getUserAgent());
    if (properties.getSpool() != null) {
      builder.spool(properties.getSpool())
          .spoolMaxBytes(properties.getSpoolMaxBytes().toBytes())
          .spoolSync(spoolSync(properties.getSpoolSync()));
    }
    return builder;
  }

  /** "none", "every-write", or an interval: "500ms", "1s", "2m", or ISO-8601 ("PT1S"). */
  static SpoolSync spoolSync(String value) {
    String trimmed = value.trim().toLowerCase(Locale.ROOT);
    if (trimmed.equals("none")) return SpoolSync.NONE;
    if (trimmed.equals("every-write")) return SpoolSync.EVERY_WRITE;
    try {
      Duration interval;
      if (trimmed.startsWith("pt")) {
        interval = Duration.parse(trimmed);
      } else if (trimmed.endsWith("ms")) {
        interval = Duration.ofMillis(Long.parseLong(trimmed.substring(0, trimmed.length() - 2)));
      } else if (trimmed.endsWith("s")) {
        interval = Duration.ofSeconds(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
      } else if (trimmed.endsWith("m")) {
        interval = Duration.ofMinutes(Long.parseLong(trimmed.substring(0, trimmed.length() - 1)));
      } else {
        throw new NumberFormatException(trimmed);
      }
      return SpoolSync.interval(interval);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("analytics4j.spool-sync must be none, every-write or an interval "
          + "such as 500ms or 1s: " + value, e);
    }
  }

  @Bean
  @ConditionalOnBean(Analytics.class)
  @ConditionalOnMissingBean
  AnalyticsLifecycle analyticsLifecycle(Analytics analytics) {
    return new AnalyticsLifecycle(analytics);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = {"jakarta.servlet.http.HttpServletRequest",
      "org.springframework.web.context.request.RequestContextHolder"})
  @ConditionalOnProperty(prefix = "analytics4j", name = "request-context", havingValue = "true")
  static class ServletRequestContextConfiguration {
    @Bean
    @ConditionalOnMissingBean(RequestContext.class)
    ServletRequestContext analyticsRequestContext(AnalyticsProperties properties) {
      return new ServletRequestContext(properties.isRequestContextQueryStrings());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "io.micrometer.context.ContextRegistry"})
  @ConditionalOnProperty(prefix = "analytics4j", name = "request-context", havingValue = "true")
  static class ReactiveRequestContextConfiguration {
    @Bean
    @ConditionalOnMissingBean(RequestContext.class)
    ReactiveRequestContext analyticsRequestContext(AnalyticsProperties properties) {
      return new ReactiveRequestContext(properties.isRequestContextQueryStrings());
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean
    AnalyticsMeterBinder analyticsMeterBinder() {
      return new AnalyticsMeterBinder();
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.analytics4j", name = "enabled", matchIfMissing = true)
  static class Boot3HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean
    AnalyticsHealth analyticsHealth() {
      return new AnalyticsHealth();
    }

    @Bean
    @ConditionalOnMissingBean(name = "analytics4jHealthIndicator")
    Boot3HealthIndicator analytics4jHealthIndicator(Analytics analytics, AnalyticsHealth health,
        AnalyticsProperties properties) {
      return new Boot3HealthIndicator(analytics, health, properties);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.analytics4j", name = "enabled", matchIfMissing = true)
  static class Boot4HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean
    AnalyticsHealth analyticsHealth() {
      return new AnalyticsHealth();
    }

    @Bean
    @ConditionalOnMissingBean(name = "analytics4jHealthIndicator")
    Boot4HealthIndicator analytics4jHealthIndicator(Analytics analytics, AnalyticsHealth health,
        AnalyticsProperties properties) {
      return new Boot4HealthIndicator(analytics, health, properties);
    }
  }
}
