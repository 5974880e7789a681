package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
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
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A WebFlux app: messages enqueued inside a request's reactive chain carry the request's context. */
@SpringBootTest(classes = AnalyticsReactiveWebAppTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", "spring.reactor.context-propagation=auto",
        "analytics4j.write-key=reactive-test-key", "analytics4j.flush-interval=1h", "analytics4j.request-context=true",
        "analytics4j.request-context-query-strings=true"})
class AnalyticsReactiveWebAppTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop static final MockWebServer collector = new MockWebServer();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(SearchController.class)
  static class App {}

  @RestController
  static class SearchController {
    private final Analytics analytics;

    SearchController(Analytics analytics) {
      this.analytics = analytics;
    }

    @GetMapping("/search")
    Mono<String> search() {
      // Enqueued on another thread than the one that received the request.
      return Mono.fromSupplier(() -> {
        analytics.enqueue(TrackMessage.builder("Products Searched").anonymousId("anon-1").messageId("search-1"));
        return "searched";
      }).subscribeOn(Schedulers.boundedElastic());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theRequestsContextIsAttachedInsideItsReactiveChain() throws Exception {
    Collector.answerOkByDefault(collector);
    String base = "http://127.0.0.1:" + environment.getProperty("local.server.port");
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/search?q=boots"))
        .header("User-Agent", "Mozilla/5.0 (reactive test)").header("Accept-Language", "de-CH")
        .timeout(Duration.ofSeconds(10)).build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("searched", response.body());

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    Map<String, Object> body = JSON.fromJson(Collector.body(Collector.take(collector)));
    List<Map<String, Object>> batch = (List<Map<String, Object>>) body.get("batch");
    assertEquals(1, batch.size());
    assertEquals("search-1", batch.get(0).get("messageId"));
    assertEquals(Map.of(
        "ip", "127.0.0.1",
        "userAgent", "Mozilla/5.0 (reactive test)",
        "locale", "de-CH",
        "page", Map.of("path", "/search", "search", "?q=boots", "url", base + "/search?q=boots"),
        "library", Map.of("name", "analytics4j", "version", Analytics.VERSION)), batch.get(0).get("context"));
  }
}
