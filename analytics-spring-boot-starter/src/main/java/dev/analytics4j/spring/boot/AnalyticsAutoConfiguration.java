package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.Callback;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.micrometer.AnalyticsMeterBinder;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.function.SingletonSupplier;

/**
 * Builds an {@link Analytics} from the {@code analytics4j.*} properties, closes it in the
 * graceful-shutdown phase of the context, and, when Micrometer and Actuator are present, publishes
 * its meters and a health indicator. Each bean backs off when the application defines its own.
 *
 * <p>The client is built with every {@link AnalyticsBuilderCustomizer} bean applied after the
 * properties, the {@link Callback} bean if there is exactly one, every {@link BeforeSend} bean (in
 * {@code @Order}), and every
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
      ObjectProvider<BeforeSend> beforeSend, Environment environment) {
    Analytics.Builder builder = builder(properties, environment);
    callback.ifUnique(builder::callback);
    // Every hook bean, in @Order: each sees what the one before it left.
    beforeSend.orderedStream().forEach(builder::beforeSend);
    List<AnalyticsListener> all = listeners.orderedStream().collect(Collectors.toList());
    if (!all.isEmpty()) builder.listener(CompositeListener.of(all));
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    Analytics analytics;
    try {
      analytics = builder.build();
    } catch (UncheckedIOException | IllegalStateException e) {
      // The spool's directory is opened here, the first time anything touches it; nothing else
      // build() does can fail so with the starter's transport.
      if (properties.getSpool() == null || !properties.sends()) throw e;
      throw new Settings(environment).refused("spool", SPOOL, properties.getSpool(), e);
    }
    // The binder's queue gauges then read this client's Metrics, as the health details do.
    for (AnalyticsListener listener : all) {
      if (listener instanceof AnalyticsMeterBinder) ((AnalyticsMeterBinder) listener).client(analytics);
    }
    return analytics;
  }

  /**
   * The builder the properties describe, each mapped with Boot's {@link PropertyMapper}: unset
   * (null) ones are skipped, so the builder's own default applies. A value the builder refuses
   * becomes an {@link InvalidPropertyException} naming the property, which {@link
   * InvalidPropertyFailureAnalyzer} reports; {@code environment} gives where it was set, and which
   * settings were set at all.
   */
  static Analytics.Builder builder(AnalyticsProperties properties, @Nullable Environment environment) {
    Analytics.Builder builder;
    if (properties.sends()) {
      // A key from a file or a secret often ends with a line break; sent with it, it is another key.
      builder = Analytics.builder(Objects.requireNonNull(properties.getWriteKey()).trim());
    } else {
      logger.warn("analytics4j is off ({}): messages are validated, then dropped (reason DISABLED); nothing is sent",
          properties.isEnabled() ? "analytics4j.write-key is not set" : "analytics4j.enabled=false");
      builder = Analytics.builder(DISABLED_WRITE_KEY).enabled(false);
    }
    Settings set = new Settings(environment);
    PropertyMapper map = NON_NULL;
    map.from(properties::getRegion).to(builder::region);
    map.from(properties::getEndpoint).to(set.to("endpoint", "a URL such as https://collector.example (the client "
        + "adds /v1/batch); for a full URL use analytics4j.upload-url", builder::endpoint));
    map.from(properties::getUploadUrl).to(set.to("upload-url", "an http or https URL without credentials or a fragment",
        builder::uploadUrl));
    // Unset, flushAt follows a smaller max-queue-size, as the builder's default does.
    map.from(properties::getFlushAt).to(set.to("flush-at", "a whole number from 1 to 2500 (the API's limit per request)",
        builder::flushAt));
    map.from(properties::getFlushInterval).to(set.to("flush-interval", POSITIVE, builder::flushInterval));
    map.from(properties::getMaxQueueSize).to(set.to("max-queue-size", "a whole number of at least 1", builder::maxQueueSize));
    map.from(properties::getMaxQueueBytes).to(set.to("max-queue-bytes", "a size of at least 32000B (one message at the "
        + "API's limit)", size -> builder.maxQueueBytes(size.toBytes())));
    map.from(properties::getMaxInFlightRequests).to(set.to("max-in-flight-requests", "a whole number from 1 to 64",
        builder::maxInFlightRequests));
    map.from(properties::getMaxRetries).to(set.to("max-retries", "a whole number from 0 to 1000", builder::maxRetries));
    // The builder takes each of these pairs in one call: each property is first checked alone, on a
    // builder thrown away, so that a refused value is reported as its own property's.
    map.from(properties::getMaxBackoff).to(set.to("max-backoff", POSITIVE,
        max -> Analytics.builder(DISABLED_WRITE_KEY).retryBackoff(max, max)));
    map.from(properties::getMaxRetryAfterTotal).to(set.to("max-retry-after-total", NOT_NEGATIVE,
        total -> Analytics.builder(DISABLED_WRITE_KEY).maxRetryAfter(Duration.ZERO, total)));
    map.from(properties::getInitialBackoff).to(set.to("initial-backoff", POSITIVE + ", at most analytics4j.max-backoff ("
        + properties.getMaxBackoff() + ")", initial -> builder.retryBackoff(initial, properties.getMaxBackoff())));
    map.from(properties::getMaxRetryDuration).to(set.to("max-retry-duration", POSITIVE, builder::maxRetryDuration));
    map.from(properties::getMaxRetryAfter).to(set.to("max-retry-after", NOT_NEGATIVE,
        perWait -> builder.maxRetryAfter(perWait, properties.getMaxRetryAfterTotal())));
    map.from(properties::getMaxRetryAfterTotal).to(set.to("max-retry-after-total", NOT_NEGATIVE,
        total -> builder.maxRetryAfter(properties.getMaxRetryAfter(), total)));
    map.from(properties::getConnectTimeout).to(set.to("connect-timeout", NOT_NEGATIVE + " (0 for none)",
        builder::connectTimeout));
    map.from(properties::getReadTimeout).to(set.to("read-timeout", NOT_NEGATIVE + " (0 for none)", builder::readTimeout));
    map.from(properties::getCloseTimeout).to(set.to("close-timeout", NOT_NEGATIVE, builder::closeTimeout));
    map.from(properties::isGzip).to(builder::gzip);
    map.from(properties::isShutdownHook).to(builder::shutdownHook);
    map.from(properties::getUserAgent).to(set.to("user-agent", "printable ASCII, not blank", builder::userAgent));
    // Checked with or without a spool: a wrong value is wrong wherever it is set.
    SpoolSync sync = set.apply("spool-sync", SPOOL_SYNC, properties.getSpoolSync(), AnalyticsAutoConfiguration::spoolSync);
    if (properties.getSpool() != null) {
      map.from(properties::getSpool).to(builder::spool);
      map.from(sync).to(builder::spoolSync);
      map.from(properties::getSpoolMaxBytes).to(set.to("spool-max-bytes", "a size of at least 128KB",
          size -> builder.spoolMaxBytes(size.toBytes())));
      map.from(properties::getSpoolMaxAge).to(set.to("spool-max-age", "a positive duration, such as 12h or 7d",
          builder::spoolMaxAge));
    } else {
      set.warnIfSetWithout("spool-sync", "spool");
      set.warnIfSetWithout("spool-max-bytes", "spool");
      set.warnIfSetWithout("spool-max-age", "spool");
    }
    if (!properties.isRequestContext()) set.warnIfSetWithout("request-context-query-strings", "request-context");
    return builder;
  }

  /**
   * Skips unset (null) properties. Boot 4's mapper does by default and has no {@code whenNonNull()};
   * Boot 3.5's needs the operator. The starter is one jar for both, so it calls only what both have.
   */
  private static final PropertyMapper NON_NULL = PropertyMapper.get().alwaysApplying(new PropertyMapper.SourceOperator() {
    @Override
    public <T> PropertyMapper.Source<T> apply(PropertyMapper.Source<T> source) {
      return source.when(Objects::nonNull);
    }
  });

  private static final String POSITIVE = "a positive duration, such as 500ms or 10s";
  private static final String NOT_NEGATIVE = "a duration of 0 or more, such as 500ms or 10s";
  private static final String SPOOL = "a directory this application can create and write, used by no other client "
      + "and holding no other write key's messages";
  static final String SPOOL_SYNC = "none, every-write, or an interval such as 500ms, 1s, 2m or PT1S";

  /**
   * "none", "every-write", or an interval in Boot's duration style ({@link DurationStyle}): "500ms",
   * "1s", "2m", ISO-8601 ("PT1S"), or a bare number of milliseconds, as a {@code Duration} property takes.
   */
  static SpoolSync spoolSync(String value) {
    String trimmed = value.trim();
    if (trimmed.equalsIgnoreCase("none")) return SpoolSync.NONE;
    if (trimmed.equalsIgnoreCase("every-write")) return SpoolSync.EVERY_WRITE;
    Duration interval;
    try {
      interval = DurationStyle.detectAndParse(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("analytics4j.spool-sync must be " + SPOOL_SYNC + ": " + value, e);
    }
    return SpoolSync.interval(interval);
  }

  /** Applies settings, naming the property of a refused one. */
  private static final class Settings {
    private final @Nullable Environment environment;

    Settings(@Nullable Environment environment) {
      this.environment = environment;
    }

    /** {@code setter}, reporting a value it refuses as the property {@code name}'s. */
    <T> Consumer<T> to(String name, String allowed, Consumer<T> setter) {
      return value -> apply(name, allowed, value, v -> {
        setter.accept(v);
        return null;
      });
    }

    <T, R> R apply(String name, String allowed, T value, Function<T, R> apply) {
      try {
        return apply.apply(value);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw refused(name, allowed, value, e);
      }
    }

    /** The failure that reports {@code value} of the property {@code name} as refused for {@code e}. */
    InvalidPropertyException refused(String name, String allowed, @Nullable Object value, RuntimeException e) {
      String property = "analytics4j." + name;
      return new InvalidPropertyException(property, withoutCredentials(String.valueOf(value)), allowed, origin(property),
          withoutCredentials(e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }

    /**
     * A URL's user info, which may hold a password, and its query and fragment, where a collector may
     * take a token, are not repeated in the failure report (the client's own messages leave them out
     * too).
     */
    static String withoutCredentials(String value) {
      return value.replaceAll("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@", "$1***@")
          .replaceAll("([A-Za-z][A-Za-z0-9+.-]*://[^?#\\s]*)([?#])\\S*", "$1$2[hidden]");
    }

    /** A setting that has no effect without another: a WARN, not a failure, as profiles may set them apart. */
    void warnIfSetWithout(String name, String needed) {
      if (environment != null && isSet("analytics4j." + name)) {
        logger.warn("analytics4j.{} is set without analytics4j.{}: it has no effect", name, needed);
      }
    }

    private boolean isSet(String property) {
      return Binder.get(environment).bind(property, Bindable.of(String.class)).isBound();
    }

    private @Nullable String origin(String property) {
      if (environment == null) return null;
      ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
      for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
        ConfigurationProperty found = source.getConfigurationProperty(name);
        if (found != null) return found.getOrigin() != null ? found.getOrigin().toString() : null;
      }
      return null;
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
  @ConditionalOnClass(name = {"jakarta.servlet.Filter", "org.springframework.http.HttpHeaders"})
  @ConditionalOnProperty(prefix = "analytics4j", name = "request-context", havingValue = "true")
  static class ServletRequestContextConfiguration {
    @Bean
    @ConditionalOnMissingBean(RequestContext.class)
    ServletRequestContext analyticsRequestContext(AnalyticsProperties properties, ObjectProvider<Analytics> analytics) {
      return new ServletRequestContext(properties.isRequestContextQueryStrings(), SingletonSupplier.of(analytics::getObject));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(name = {"org.springframework.web.server.WebFilter", "io.micrometer.context.ContextRegistry"})
  @ConditionalOnProperty(prefix = "analytics4j", name = "request-context", havingValue = "true")
  static class ReactiveRequestContextConfiguration {
    @Bean
    @ConditionalOnMissingBean(RequestContext.class)
    ReactiveRequestContext analyticsRequestContext(AnalyticsProperties properties, ObjectProvider<Analytics> analytics) {
      return new ReactiveRequestContext(properties.isRequestContextQueryStrings(), SingletonSupplier.of(analytics::getObject));
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

  /**
   * Actuator shows property values only when told to ({@code show-values}), and then masks only
   * what a {@link SanitizingFunction} says: without this one, {@code /actuator/configprops} and
   * {@code /actuator/env} would show the write key.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
  static class SanitizingConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "analytics4jWriteKeySanitizer")
    SanitizingFunction analytics4jWriteKeySanitizer() {
      return data -> isWriteKey(data.getKey()) ? data.withValue(SanitizableData.SANITIZED_VALUE) : data;
    }

    /** {@code analytics4j.write-key} in any of its forms: {@code analytics4j.writeKey}, {@code ANALYTICS4J_WRITE_KEY}. */
    static boolean isWriteKey(String key) {
      return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "").equals("analytics4jwritekey");
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
