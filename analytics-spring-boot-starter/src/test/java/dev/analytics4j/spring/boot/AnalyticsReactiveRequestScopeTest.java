package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The WebFlux request context on the client's scopes: it follows the reactive chain across thread
 * hops (boundedElastic, a timer on parallel, a single-thread scheduler), a user scope opened inside
 * keeps it, a scope a handler leaves open when it fails goes with its signal, and concurrent
 * requests from different ips never see each other's data.
 */
@SpringBootTest(classes = AnalyticsReactiveRequestScopeTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
        "analytics4j.write-key=reactive-scope-key", "analytics4j.flush-interval=1h", "analytics4j.request-context=true",
        "server.address=127.0.0.1"})
class AnalyticsReactiveRequestScopeTest {
  static final int REQUESTS = 300;
  @StartStop static final MockWebServer collector = new MockWebServer();
  /** One thread: every request's last hop, and the leak and the request after it, run on it. */
  static final Scheduler single = Schedulers.newSingle("analytics-scope-test", true);
  /** What each enqueue saw as the thread it ran on, to prove the hops happened. */
  static final Map<String, String> threads = new ConcurrentHashMap<>();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    Collector.answerOkByDefault(collector);
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @AfterAll
  static void stopScheduler() {
    single.dispose();
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(Handlers.class)
  static class App {}

  @RestController
  static class Handlers {
    private final Analytics analytics;

    Handlers(Analytics analytics) {
      this.analytics = analytics;
    }

    private void enqueue(String id, TrackMessage.Builder message) {
      threads.put(id, Thread.currentThread().getName());
      analytics.enqueue(message.messageId(id));
    }

    @GetMapping("/hops/{n}")
    Mono<String> hops(@PathVariable("n") int n) {
      return Mono.fromSupplier(() -> {
        enqueue(n + "-elastic", TrackMessage.builder("Elastic").anonymousId("anon"));
        return n;
      }).subscribeOn(Schedulers.boundedElastic())
          .delayElement(Duration.ofMillis(1))
          .map(x -> {
            enqueue(n + "-timer", TrackMessage.builder("Timer").anonymousId("anon"));
            return x;
          })
          .publishOn(single)
          .map(x -> {
            try (AnalyticsContext.Scope scope = analytics.context().userId("u-" + n).open()) {
              enqueue(n + "-scoped", TrackMessage.builder("Scoped"));
            }
            return "ok";
          });
    }

    /** Opens a scope on the single thread and fails before closing it. */
    @GetMapping("/leak/{id}")
    Mono<String> leak(@PathVariable("id") String id) {
      return Mono.just(id).publishOn(single).map(x -> {
        analytics.context().userId("leaker").property("leaked", true).open();
        enqueue(id, TrackMessage.builder("Leaked"));
        throw new IllegalStateException("handler failed with its scope open");
      });
    }

    @GetMapping("/plain/{id}")
    Mono<String> plain(@PathVariable("id") String id) {
      return Mono.just(id).publishOn(single).map(x -> {
        enqueue(id, TrackMessage.builder("Plain").anonymousId("anon"));
        return "ok";
      });
    }
  }

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  private int port() {
    return Integer.parseInt(environment.getProperty("local.server.port"));
  }

  private Map<String, Object> expectedContext(String ip, String path, String userAgent) {
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("ip", ip);
    context.put("userAgent", userAgent);
    context.put("page", Map.of("path", path, "url", "http://127.0.0.1:" + port() + path));
    context.put("library", Map.of("name", "analytics4j", "version", Analytics.VERSION));
    return context;
  }

  @Test
  void concurrentRequestsAcrossThreadHopsNeverSeeEachOthersData() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(16);
    List<Future<String>> responses = new ArrayList<>();
    try {
      for (int n = 0; n < REQUESTS; n++) {
        int request = n;
        responses.add(clients.submit(() -> LoopbackClient.get(port(), LoopbackClient.ip(request), "/hops/" + request,
            "agent-" + request)));
      }
      for (Future<String> response : responses) assertEquals("200\nok", response.get(60, TimeUnit.SECONDS));
    } finally {
      clients.shutdown();
    }
    assertTrue(analytics.flush(Duration.ofSeconds(20)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 3 * REQUESTS);
    for (int n = 0; n < REQUESTS; n++) {
      Map<String, Object> expected = expectedContext(LoopbackClient.ip(n), "/hops/" + n, "agent-" + n);
      for (String hop : new String[] {"elastic", "timer", "scoped"}) {
        String id = n + "-" + hop;
        assertEquals(expected, sent.get(id).get("context"), id);
        assertEquals(hop.equals("scoped") ? "u-" + n : null, sent.get(id).get("userId"), id);
      }
      assertTrue(threads.get(n + "-elastic").startsWith("boundedElastic-"), threads.get(n + "-elastic"));
      assertTrue(threads.get(n + "-timer").startsWith("parallel-"), threads.get(n + "-timer"));
      assertTrue(threads.get(n + "-scoped").startsWith("analytics-scope-test-"), threads.get(n + "-scoped"));
    }
    assertTrue(onTheSingleThread().isEmpty(), "nothing stays on a thread after its signals");
  }

  @Test
  void aScopeAHandlerLeftOpenGoesWithItsSignal() throws Exception {
    String failed = LoopbackClient.get(port(), "127.0.0.7", "/leak/l1", "agent-l1");
    assertTrue(failed.startsWith("500\n"), failed);
    assertEquals("200\nok", LoopbackClient.get(port(), "127.0.0.8", "/plain/p1", "agent-p1"));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    Map<String, Map<String, Object>> sent = Collector.messages(collector, 2);
    assertEquals("leaker", sent.get("l1").get("userId"));
    assertEquals(expectedContext("127.0.0.7", "/leak/l1", "agent-l1"), sent.get("l1").get("context"));
    Map<String, Object> next = sent.get("p1");
    assertEquals(null, next.get("userId"));
    assertEquals(Map.of(), next.get("properties"));
    assertEquals(expectedContext("127.0.0.8", "/plain/p1", "agent-p1"), next.get("context"));
    assertEquals(threads.get("l1"), threads.get("p1"), "both ran on the single thread");
    assertTrue(onTheSingleThread().isEmpty(), "nothing stays on a thread after its signals");
  }

  /**
   * The client's context on the single thread as a plain task finds it, outside any reactive
   * signal (within one, Reactor would set, or clear, the thread's values first).
   */
  private AnalyticsContext onTheSingleThread() throws Exception {
    CompletableFuture<AnalyticsContext> context = new CompletableFuture<>();
    single.schedule(() -> context.complete(analytics.currentContext()));
    return context.get(10, TimeUnit.SECONDS);
  }
}
