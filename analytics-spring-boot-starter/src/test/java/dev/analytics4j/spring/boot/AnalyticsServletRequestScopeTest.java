package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet request context on the client's scopes, in a real app whose container has one worker
 * thread, so that every request runs on the thread the one before it ran on: what a request leaves
 * on its thread, the next one would see.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = AnalyticsServletRequestScopeTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"analytics4j.write-key=scope-test-key", "analytics4j.flush-interval=1h",
        "analytics4j.request-context=true", "server.address=127.0.0.1",
        "server.tomcat.threads.max=1", "server.tomcat.threads.min-spare=1"})
class AnalyticsServletRequestScopeTest {
  @StartStop static final MockWebServer collector = new MockWebServer();
  /** Another thread the handler carries its work to with Analytics.wrap. */
  static final ExecutorService worker = Executors.newSingleThreadExecutor();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    Collector.answerOkByDefault(collector);
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @AfterAll
  static void stopWorker() throws InterruptedException {
    worker.shutdown();
    assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handlers.class)
  static class App {
    /** The application's own defaultContext: over the request's data, under the message and the scope. */
    @Bean
    AnalyticsBuilderCustomizer defaultLocale() {
      return builder -> builder.defaultContext(() -> Map.of("locale", "default-locale"));
    }
  }

  @RestController
  static class Handlers {
    private final Analytics analytics;

    Handlers(Analytics analytics) {
      this.analytics = analytics;
    }

    @GetMapping("/scoped/{id}")
    String scoped(@PathVariable("id") String id) throws Exception {
      try (AnalyticsContext.Scope scope = analytics.context().userId("u-" + id).context("timezone", "Europe/Zurich")
          .open()) {
        analytics.enqueue(TrackMessage.builder("Viewed").messageId(id));
        CompletableFuture.runAsync(() -> analytics.enqueue(TrackMessage.builder("Viewed").messageId(id + "-async")),
            analytics.wrap(worker)).get(10, TimeUnit.SECONDS);
      }
      analytics.enqueue(TrackMessage.builder("Left").anonymousId("anon").messageId(id + "-after"));
      return "ok";
    }

    /** Opens a scope and throws before closing it. */
    @GetMapping("/leak/{id}")
    String leak(@PathVariable("id") String id) {
      analytics.context().userId("leaker").property("leaked", true).open();
      analytics.enqueue(TrackMessage.builder("Leaked").messageId(id));
      throw new IllegalStateException("handler failed with its scope open");
    }

    @GetMapping("/plain/{id}")
    String plain(@PathVariable("id") String id) {
      analytics.enqueue(TrackMessage.builder("Plain").anonymousId("anon").messageId(id));
      return "ok";
    }
  }

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  private String get(String path, String userAgent) throws Exception {
    return LoopbackClient.get(port(), "127.0.0.1", path, userAgent);
  }

  private int port() {
    return Integer.parseInt(environment.getProperty("local.server.port"));
  }

  private Map<String, Object> expectedContext(String path, String userAgent, Map<String, Object> extra) {
    Map<String, Object> context = new java.util.LinkedHashMap<>();
    context.put("ip", "127.0.0.1");
    context.put("userAgent", userAgent);
    context.put("locale", "default-locale");
    context.put("page", Map.of("path", path, "url", "http://127.0.0.1:" + port() + path));
    context.put("library", Map.of("name", "analytics4j", "version", Analytics.VERSION));
    context.putAll(extra);
    return context;
  }

  @Test
  void aUserScopeInsideTheRequestKeepsItsDataOnThisThreadAndWhereItIsCarried() throws Exception {
    assertEquals("200\nok", get("/scoped/s1", "agent-s1"));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 3);
    for (String id : new String[] {"s1", "s1-async"}) {
      Map<String, Object> message = sent.get(id);
      assertEquals("u-s1", message.get("userId"), id);
      assertEquals(expectedContext("/scoped/s1", "agent-s1", Map.of("timezone", "Europe/Zurich")), message.get("context"), id);
    }
    Map<String, Object> after = sent.get("s1-after");
    assertEquals(null, after.get("userId"), "the user's scope is closed; the request's is not");
    assertEquals(expectedContext("/scoped/s1", "agent-s1", Map.of()), after.get("context"));
  }

  @Test
  void aScopeTheHandlerLeftOpenGoesWithTheRequest(CapturedOutput output) throws Exception {
    String failed = get("/leak/l1", "agent-l1");
    assertTrue(failed.startsWith("500\n"), failed);
    // The only worker thread serves the next request: nothing of the last one may be on it.
    assertEquals("200\nok", get("/plain/p1", "agent-p1"));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 2);
    Map<String, Object> leaked = sent.get("l1");
    assertEquals("leaker", leaked.get("userId"));
    assertEquals(Map.of("leaked", true), leaked.get("properties"));
    assertEquals(expectedContext("/leak/l1", "agent-l1", Map.of()), leaked.get("context"));
    Map<String, Object> next = sent.get("p1");
    assertEquals(null, next.get("userId"));
    assertEquals("anon", next.get("anonymousId"));
    assertEquals(Map.of(), next.get("properties"));
    assertEquals(expectedContext("/plain/p1", "agent-p1", Map.of()), next.get("context"));
    assertEquals(1, count(output.getOut(), "Analytics context scopes closed out of order (an outer one before an inner one)"),
        output.getOut());
  }

  @Test
  void offARequestThereIsNone() throws Exception {
    assertEquals("200\nok", get("/plain/p2", "agent-p2"));
    analytics.enqueue(TrackMessage.builder("Scheduled").anonymousId("job").messageId("job-1"));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 2);
    assertEquals(Map.of("locale", "default-locale", "library", Map.of("name", "analytics4j", "version", Analytics.VERSION)),
        sent.get("job-1").get("context"));
    assertEquals(expectedContext("/plain/p2", "agent-p2", Map.of()), sent.get("p2").get("context"));
  }

  private static int count(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
    return count;
  }
}
