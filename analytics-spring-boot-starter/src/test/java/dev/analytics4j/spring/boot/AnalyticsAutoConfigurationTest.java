package dev.analytics4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.micrometer.AnalyticsMeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import java.util.stream.Collectors;
import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.MapPropertySource;

/** What the auto-configuration puts in the context, and what it leaves out, on the Boot version under test. */
@ExtendWith(OutputCaptureExtension.class)
class AnalyticsAutoConfigurationTest {
  private static final String HEALTH_INDICATOR = "analytics4jHealthIndicator";
  /** Actuator's health API: Boot 3's package, and Boot 4's. */
  private static final FilteredClassLoader WITHOUT_ACTUATOR =
      new FilteredClassLoader("org.springframework.boot.actuate.health.", "org.springframework.boot.health.");

  @StartStop private final MockWebServer server = new MockWebServer();
  private ApplicationContextRunner runner;

  @BeforeEach
  void setUp() {
    Collector.answerOkByDefault(server);
    runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.write-key=test-key", "analytics4j.endpoint=" + server.url("/"),
            "analytics4j.flush-interval=1h");
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Item Viewed").userId("u1").messageId(id);
  }

  @Test
  void buildsOneClientFromThePropertiesWithItsLifecycleMetersAndHealth() throws Exception {
    runner.withPropertyValues("analytics4j.flush-at=2", "analytics4j.max-queue-bytes=1MB",
        "analytics4j.max-queue-size=500", "analytics4j.max-in-flight-requests=2", "analytics4j.gzip=true")
        .run(context -> {
          assertThat(context).hasNotFailed()
              .hasSingleBean(Analytics.class)
              .hasSingleBean(AnalyticsLifecycle.class)
              .hasSingleBean(AnalyticsMeterBinder.class)
              .hasSingleBean(AnalyticsHealth.class)
              .hasBean(HEALTH_INDICATOR);
          Analytics analytics = context.getBean(Analytics.class);
          assertEquals("Analytics{url=" + server.url("/v1/batch") + ", flushAt=2, flushInterval=PT1H, "
              + "maxQueueSize=500, maxQueueBytes=1048576, maxInFlightRequests=2, gzip=true, closed=false}",
              analytics.toString());

          analytics.enqueue(track("m1"));
          analytics.enqueue(track("m2"));
          RecordedRequest request = Collector.take(server);
          assertEquals("Basic dGVzdC1rZXk6", request.getHeaders().get("Authorization"));
          assertEquals("gzip", request.getHeaders().get("Content-Encoding"));
        });
  }

  /**
   * A key read from a file or a Kubernetes secret often ends with a line break. Sent as it is, it
   * is another key, which the API answers 200 and drops every event of; blank is already unset.
   */
  @Test
  void aWriteKeyIsSentWithoutTheWhitespaceAroundIt() throws Exception {
    runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
            new MapPropertySource("secret", Map.of("analytics4j.write-key", " test-key\r\n"))))
        .run(context -> {
          assertThat(context).hasNotFailed();
          Analytics analytics = context.getBean(Analytics.class);
          analytics.enqueue(track("m1"));
          assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
          RecordedRequest request = Collector.take(server);
          assertEquals("Basic dGVzdC1rZXk6", request.getHeaders().get("Authorization"));
          assertTrue(Collector.body(request).endsWith(",\"writeKey\":\"test-key\"}"), Collector.body(request));
        });
  }

  @Test
  void aSmallerMaxQueueSizeAloneLowersFlushAtAsTheBuildersDefaultDoes() {
    runner.withPropertyValues("analytics4j.max-queue-size=100")
        .run(context -> assertThat(context.getBean(Analytics.class).toString()).contains(", flushAt=100, "));
  }

  @Test
  void everyBuilderSettingIsAPropertyOrABeanAndEveryPropertyIsDocumented() throws IOException {
    // Builder methods configured by beans rather than properties.
    Set<String> byBeans = Set.of("callback", "listener", "transport", "threadFactory", "defaultContext", "beforeSend",
        "build");
    Map<String, List<String>> multi = Map.of(
        "retryBackoff", List.of("initial-backoff", "max-backoff"),
        "maxRetryAfter", List.of("max-retry-after", "max-retry-after-total"));
    String metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertTrue(in != null, "configuration metadata was not generated");
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Set<String> documented = new TreeSet<>();
    Matcher property = Pattern.compile("\"name\": \"analytics4j\\.([a-z-]+)\",\\s*\"type\": \"[^\"]+\",\\s*\"description\": \"[^\"]{20,}\"")
        .matcher(metadata);
    while (property.find()) documented.add(property.group(1));

    Set<String> expected = new TreeSet<>();
    for (Method method : Analytics.Builder.class.getDeclaredMethods()) {
      if (!Modifier.isPublic(method.getModifiers()) || byBeans.contains(method.getName())) continue;
      expected.addAll(multi.getOrDefault(method.getName(), List.of(kebab(method.getName()))));
    }
    expected.add("write-key");
    expected.add("request-context");
    expected.add("health-affects-status");
    expected.add("request-context-query-strings");
    assertEquals(expected, documented);
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([A-Z])", "-$1").toLowerCase();
  }

  @Test
  void durationsAndSizesTakeSpringForms() {
    runner.withPropertyValues("analytics4j.flush-interval=250ms", "analytics4j.max-queue-bytes=64KB",
        "analytics4j.close-timeout=2s").run(context -> {
          AnalyticsProperties properties = context.getBean(AnalyticsProperties.class);
          assertEquals(Duration.ofMillis(250), properties.getFlushInterval());
          assertEquals(65_536, properties.getMaxQueueBytes().toBytes());
          assertEquals(Duration.ofSeconds(2), properties.getCloseTimeout());
          assertThat(context.getBean(Analytics.class).toString()).contains("flushInterval=PT0.25S", "maxQueueBytes=65536");
        });
  }

  @ParameterizedTest(name = "spool-sync={0}")
  @CsvSource(delimiter = '|', value = {
      "500ms       | SpoolSync.interval(PT0.5S)",
      "2s          | SpoolSync.interval(PT2S)",
      "1m          | SpoolSync.interval(PT1M)",
      "PT1.5S      | SpoolSync.interval(PT1.5S)",
      "pt3s        | SpoolSync.interval(PT3S)",
      "750         | SpoolSync.interval(PT0.75S)",
      "' 250ms '   | SpoolSync.interval(PT0.25S)",
      "none        | SpoolSync.NONE",
      "EVERY-WRITE | SpoolSync.EVERY_WRITE"})
  void spoolSyncTakesBootsDurationStyleAsADurationPropertyDoes(String value, String expected,
      @TempDir java.nio.file.Path temp) {
    assertEquals(expected, AnalyticsAutoConfiguration.spoolSync(value).toString());
    runner.withPropertyValues("analytics4j.spool=" + temp.resolve("spool"), "analytics4j.spool-sync=" + value)
        .run(context -> assertThat(context.getBean(Analytics.class).toString()).contains(", sync=" + expected + "}"));
    // The same text bound as a Duration property means the same interval.
    if (expected.startsWith("SpoolSync.interval(")) {
      runner.withPropertyValues("analytics4j.flush-interval=" + value).run(context -> assertEquals(
          "SpoolSync.interval(" + context.getBean(AnalyticsProperties.class).getFlushInterval() + ")", expected));
    }
  }

  @Test
  void theSpoolPropertiesReachTheClient(@TempDir java.nio.file.Path temp) {
    runner.withPropertyValues("analytics4j.spool=" + temp.resolve("spool"), "analytics4j.spool-max-bytes=1MB",
        "analytics4j.spool-max-age=3d").run(context -> {
          assertThat(context).hasNotFailed();
          assertEquals(Duration.ofDays(3), context.getBean(AnalyticsProperties.class).getSpoolMaxAge());
          assertThat(context.getBean(Analytics.class).toString()).contains("maxBytes=1048576", "spoolMaxAge=PT72H");
        });
  }

  @Test
  void everyBeforeSendBeanRunsInItsOrder() throws Exception {
    runner.withPropertyValues("analytics4j.flush-at=1")
        .withBean("second", BeforeSend.class, () -> message -> message.properties().put("seen", message.properties()
            .get("first") + ",second"), definition -> definition.setAttribute("order", 2))
        .withUserConfiguration(OrderedHooks.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          Analytics analytics = context.getBean(Analytics.class);
          analytics.enqueue(track("hooked"));
          RecordedRequest request = Collector.take(server);
          String body = request.getBody().utf8();
          assertTrue(body.contains("\"properties\":{\"first\":\"yes\",\"seen\":\"yes,second\"}"), body);
        });
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OrderedHooks {
    @org.springframework.context.annotation.Bean
    @org.springframework.core.annotation.Order(1)
    BeforeSend first() {
      return message -> message.properties().put("first", "yes");
    }
  }

  @Test
  void withoutAWriteKeyTheAppStartsValidatesAndSendsNothing(CapturedOutput output) {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.endpoint=" + server.url("/"))
        .withUserConfiguration(RecordingCallbackConfiguration.class)
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(Analytics.class);
          Analytics analytics = context.getBean(Analytics.class);
          RecordingCallback callback = context.getBean(RecordingCallback.class);

          analytics.enqueue(track("m1"));
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
              () -> analytics.enqueue(TrackMessage.builder(" ").userId("u1")));
          assertEquals("event must not be blank", e.getMessage());
          assertTrue(analytics.flush(Duration.ofSeconds(10)).isComplete());

          assertEquals(Map.of("m1", "dropped:DISABLED"), callback.outcomes);
          Metrics metrics = analytics.metrics();
          assertEquals(1, metrics.dropped(DropReason.DISABLED));
          assertEquals(0, metrics.requests());
          assertEquals("UP", Reflect.status(context.getBean(HEALTH_INDICATOR)));
          assertEquals(false, Reflect.details(context.getBean(HEALTH_INDICATOR)).get("enabled"));
        });
    assertEquals(0, server.getRequestCount());
    assertEquals(1, count(output.getOut() + output.getErr(), "analytics4j is off"));
    assertTrue(output.toString().contains("analytics4j is off (analytics4j.write-key is not set): messages are "
        + "validated, then dropped (reason DISABLED); nothing is sent"), output.toString());
  }

  @Test
  void enabledFalseTurnsItOffEvenWithAKey(CapturedOutput output) {
    runner.withPropertyValues("analytics4j.enabled=false").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      assertTrue(analytics.offer(track("m1")));
      assertEquals(1, analytics.metrics().dropped(DropReason.DISABLED));
    });
    assertEquals(0, server.getRequestCount());
    assertTrue(output.toString().contains("analytics4j is off (analytics4j.enabled=false)"), output.toString());
    assertFalse(output.toString().contains("test-key"), "the write key is never logged");
  }

  @Test
  void customizersRunAfterThePropertiesInOrder() {
    runner.withPropertyValues("analytics4j.flush-at=2").withUserConfiguration(CustomizerConfiguration.class)
        .run(context -> assertThat(context.getBean(Analytics.class).toString()).contains("flushAt=9,"));
  }

  @Test
  void theCallbackBeanAndEveryListenerBeanAreTold() {
    runner.withUserConfiguration(RecordingCallbackConfiguration.class, ListenerConfiguration.class).run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.enqueue(track("m1"));
      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

      assertEquals(Map.of("m1", "sent"), context.getBean(RecordingCallback.class).outcomes);
      assertEquals(List.of("m1"), context.getBean(ListenerConfiguration.class).delivered);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      context.getBean(AnalyticsMeterBinder.class).bindTo(registry);
      assertEquals(1.0, registry.get("analytics4j.messages").tags("outcome", "sent").functionCounter().count());
    });
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnBeans() {
    runner.withUserConfiguration(OwnBeansConfiguration.class).run(context -> {
      assertThat(context).hasSingleBean(Analytics.class).hasSingleBean(AnalyticsMeterBinder.class);
      assertThat(context.getBean(Analytics.class)).isSameAs(context.getBean("myAnalytics"));
      assertThat(context.getBean(AnalyticsMeterBinder.class)).isSameAs(context.getBean("myMeters"));
      assertThat(context.getBean(HEALTH_INDICATOR)).isInstanceOf(String.class);
    });
  }

  /**
   * Boot shows no property values unless told to, and then masks only what a SanitizingFunction
   * says: with show-values=always the write key would be on /actuator/configprops and /actuator/env.
   */
  @Test
  void theWriteKeyIsMaskedInTheActuatorsPropertyAndEnvironmentEndpoints() {
    runner.withConfiguration(AutoConfigurations.of(ConfigurationPropertiesReportEndpointAutoConfiguration.class,
            EnvironmentEndpointAutoConfiguration.class))
        .withPropertyValues("analytics4j.write-key=secret-write-key", "analytics4j.user-agent=shown/1.0",
            "management.endpoints.web.exposure.include=configprops,env",
            "management.endpoint.configprops.show-values=always", "management.endpoint.env.show-values=always")
        .run(context -> {
          assertThat(context).hasNotFailed();
          String shown = context.getBean(ConfigurationPropertiesReportEndpoint.class).configurationProperties()
              .getContexts().values().stream()
              .flatMap(c -> c.getBeans().values().stream())
              .filter(bean -> bean.getPrefix().equals("analytics4j"))
              .map(bean -> bean.getProperties() + " " + bean.getInputs())
              .collect(Collectors.joining());
          assertTrue(shown.contains("shown/1.0"), shown); // values are shown, so the mask is ours
          assertTrue(shown.contains("writeKey=******"), shown);
          assertFalse(shown.contains("secret-write-key"), shown);

          Object value = context.getBean(EnvironmentEndpoint.class).environmentEntry("analytics4j.write-key")
              .getProperty().getValue();
          assertEquals("******", value);
        });
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.")).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(Analytics.class).doesNotHaveBean("analytics4jWriteKeySanitizer"));
  }

  @Test
  void withoutMicrometerThereIsNoBinder() {
    runner.withClassLoader(new FilteredClassLoader("io.micrometer.")).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Analytics.class);
      assertThat(context).doesNotHaveBean(AnalyticsMeterBinder.class);
    });
  }

  @Test
  void withoutActuatorOrWithItsHealthOffThereIsNoHealthIndicator() {
    runner.withClassLoader(WITHOUT_ACTUATOR).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(Analytics.class);
      assertThat(context).doesNotHaveBean(HEALTH_INDICATOR).doesNotHaveBean(AnalyticsHealth.class);
    });
    runner.withPropertyValues("management.health.analytics4j.enabled=false").run(context ->
        assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(HEALTH_INDICATOR));
  }

  @Test
  void healthIsDegradedWhileTheApiRefusesTheKeyAndReportsQueuedMessagesAndTheLastFailure() {
    server.enqueue(Collector.status(401));
    runner.run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      Object indicator = context.getBean(HEALTH_INDICATOR);
      assertEquals("UP", Reflect.status(indicator));

      analytics.enqueue(track("m1"));
      FlushResult refused = analytics.flush(Duration.ofSeconds(10));
      assertEquals(1, refused.notDelivered());

      assertEquals("DEGRADED", Reflect.status(indicator));
      Map<String, Object> details = Reflect.details(indicator);
      assertEquals("the API refused the write key (HTTP 401); check analytics4j.write-key and region", details.get("error"));
      assertEquals("HTTP 401 after 1 attempt", details.get("lastFailure"));
      assertEquals(0, details.get("queuedMessages"));
      assertEquals(0L, details.get("queuedBytes"));
      assertTrue(details.containsKey("lastFailureAt"), details.toString());

      analytics.enqueue(track("m2"));
      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
      assertEquals("UP", Reflect.status(indicator), "up again once the key is accepted");
    });
  }

  @Test
  void healthAffectsStatusMakesARefusedKeyDown() {
    server.enqueue(Collector.status(403));
    runner.withPropertyValues("analytics4j.health-affects-status=true").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.enqueue(track("m1"));
      assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());

      assertEquals("DOWN", Reflect.status(context.getBean(HEALTH_INDICATOR)));
      assertEquals("the API refused the write key (HTTP 403); check analytics4j.write-key and region",
          Reflect.details(context.getBean(HEALTH_INDICATOR)).get("error"));
    });
  }

  @Test
  void theLastFailureNeverRepeatsTheCollectorsBody() {
    String body = "{\"error\":\"tenant acme-prod-7 is suspended, contact billing@collector.example\"}";
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(400).body(body).build());
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(503).body(body).build());
    server.enqueue(new mockwebserver3.MockResponse.Builder().code(503).body(body).build());
    runner.withPropertyValues("analytics4j.max-retries=1", "analytics4j.initial-backoff=1ms", "analytics4j.max-backoff=1ms")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          Object indicator = context.getBean(HEALTH_INDICATOR);
          analytics.enqueue(track("m1"));
          assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());
          assertEquals("HTTP 400 after 1 attempt", Reflect.details(indicator).get("lastFailure"));

          analytics.enqueue(track("m2"));
          assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());
          assertEquals("UP", Reflect.status(indicator));
          Map<String, Object> details = Reflect.details(indicator);
          assertEquals("HTTP 503 after 2 attempts", details.get("lastFailure"));
          assertFalse(details.toString().contains("acme"), details.toString());
        });
  }

  @Test
  void aNetworkFailureIsNamedByItsExceptionClassOnly() throws IOException {
    String endpoint = server.url("/").toString();
    server.close();
    runner.withPropertyValues("analytics4j.endpoint=" + endpoint, "analytics4j.max-retries=0").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.enqueue(track("m1"));
      assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());
      assertEquals("ConnectException after 1 attempt", Reflect.details(context.getBean(HEALTH_INDICATOR)).get("lastFailure"));
    });
  }

  @Test
  void withASpoolTheHealthDetailsAlsoShowWhatWaitsInIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) {
    runner.withPropertyValues("analytics4j.spool=" + temp.resolve("spool")).run(context -> {
      Map<String, Object> details = Reflect.details(context.getBean(HEALTH_INDICATOR));
      assertEquals(List.of("queuedMessages", "queuedBytes", "spooledMessages", "spoolBytes"), new ArrayList<>(details.keySet()));
      assertEquals(0L, details.get("spooledMessages"));
    });
  }

  @Test
  void requestContextIsOffByDefaultAndOnlyForWebApps() {
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.enabled=false")
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(RequestContext.class));
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.enabled=false", "analytics4j.request-context=true")
        .run(context -> assertThat(context).hasSingleBean(ServletRequestContext.class));
    new ReactiveWebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.enabled=false", "analytics4j.request-context=true")
        .run(context -> assertThat(context).hasSingleBean(ReactiveRequestContext.class)
            .doesNotHaveBean(ServletRequestContext.class));
    runner.withPropertyValues("analytics4j.request-context=true")
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(RequestContext.class));
  }

  @Test
  void otherFailuresAreReportedButKeepHealthUp() {
    server.enqueue(Collector.status(400));
    runner.run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.enqueue(track("m1"));
      assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());

      assertEquals("UP", Reflect.status(context.getBean(HEALTH_INDICATOR)));
      assertEquals("HTTP 400 after 1 attempt", Reflect.details(context.getBean(HEALTH_INDICATOR)).get("lastFailure"));
    });
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }

  static final class RecordingCallback implements Callback {
    final Map<String, String> outcomes = new ConcurrentHashMap<>();

    @Override
    public void onSuccess(EncodedMessage message) {
      outcomes.put(message.messageId(), "sent");
    }

    @Override
    public void onDropped(EncodedMessage message, DropReason reason) {
      outcomes.put(message.messageId(), "dropped:" + reason);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class RecordingCallbackConfiguration {
    @Bean
    RecordingCallback recordingCallback() {
      return new RecordingCallback();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class ListenerConfiguration {
    final List<String> delivered = new ArrayList<>();

    @Bean
    AnalyticsListener deliveredListener() {
      return new AnalyticsListener() {
        @Override
        public void messageDelivered(EncodedMessage message) {
          synchronized (delivered) {
            delivered.add(message.messageId());
          }
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class CustomizerConfiguration {
    @Bean
    @Order(2)
    AnalyticsBuilderCustomizer second() {
      return builder -> builder.flushAt(9);
    }

    @Bean
    @Order(1)
    AnalyticsBuilderCustomizer first() {
      return builder -> builder.flushAt(5);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeansConfiguration {
    @Bean
    Analytics myAnalytics() {
      return Analytics.builder("own-key").enabled(false).shutdownHook(false).build();
    }

    @Bean
    AnalyticsMeterBinder myMeters() {
      return new AnalyticsMeterBinder();
    }

    @Bean
    String analytics4jHealthIndicator() {
      return "mine";
    }
  }
}
