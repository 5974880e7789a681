package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Concurrent servlet requests from different client ips, each enqueueing on its own thread, on a
 * pooled thread it carries its work to, and inside a user scope: no message carries another
 * request's ip, user agent, page or user.
 */
@SpringBootTest(classes = AnalyticsServletConcurrentRequestsTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"analytics4j.write-key=concurrency-test-key", "analytics4j.flush-interval=1h",
        "analytics4j.request-context=true", "server.address=127.0.0.1", "server.tomcat.threads.max=16"})
class AnalyticsServletConcurrentRequestsTest {
  static final int REQUESTS = 400;
  @StartStop static final MockWebServer collector = new MockWebServer();
  /** Fewer threads than the container has: tasks of different requests queue on the same threads. */
  static final ExecutorService pool = Executors.newFixedThreadPool(3);

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    Collector.answerOkByDefault(collector);
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    pool.shutdown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handler.class)
  static class App {}

  @RestController
  static class Handler {
    private final Analytics analytics;

    Handler(Analytics analytics) {
      this.analytics = analytics;
    }

    @GetMapping("/work/{n}")
    String work(@PathVariable("n") int n) throws Exception {
      analytics.enqueue(TrackMessage.builder("Direct").anonymousId("anon").messageId(n + "-direct"));
      CompletableFuture.runAsync(() -> analytics.enqueue(TrackMessage.builder("Pooled").anonymousId("anon")
          .messageId(n + "-pooled")), analytics.wrap(pool)).get(20, TimeUnit.SECONDS);
      try (AnalyticsContext.Scope scope = analytics.context().userId("u-" + n).open()) {
        analytics.enqueue(TrackMessage.builder("Scoped").messageId(n + "-scoped"));
      }
      return "ok";
    }
  }

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  @Test
  @SuppressWarnings("unchecked")
  void noMessageCarriesAnotherRequestsContext() throws Exception {
    int port = Integer.parseInt(environment.getProperty("local.server.port"));
    ExecutorService clients = Executors.newFixedThreadPool(16);
    List<Future<String>> responses = new ArrayList<>();
    try {
      for (int n = 0; n < REQUESTS; n++) {
        int request = n;
        responses.add(clients.submit(() -> LoopbackClient.get(port, LoopbackClient.ip(request), "/work/" + request,
            "agent-" + request)));
      }
      for (Future<String> response : responses) assertEquals("200\nok", response.get(60, TimeUnit.SECONDS));
    } finally {
      clients.shutdown();
    }
    assertTrue(analytics.flush(Duration.ofSeconds(20)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 3 * REQUESTS);
    int checked = 0;
    for (int n = 0; n < REQUESTS; n++) {
      Map<String, Object> expected = Map.of("ip", LoopbackClient.ip(n), "userAgent", "agent-" + n,
          "page", Map.of("path", "/work/" + n, "url", "http://127.0.0.1:" + port + "/work/" + n),
          "library", Map.of("name", "analytics4j", "version", Analytics.VERSION));
      for (String kind : new String[] {"direct", "pooled", "scoped"}) {
        Map<String, Object> message = sent.get(n + "-" + kind);
        assertEquals(expected, message.get("context"), n + "-" + kind);
        assertEquals(kind.equals("scoped") ? "u-" + n : null, message.get("userId"), n + "-" + kind);
        checked++;
      }
    }
    assertEquals(3 * REQUESTS, checked);
  }
}
