package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
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
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real servlet web app on a random port, with the starter, Actuator and analytics4j.request-context on,
 * sending to a local collector.
 */
@SpringBootTest(classes = AnalyticsWebAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"analytics4j.write-key=web-test-key", "analytics4j.flush-interval=1h", "analytics4j.request-context=true",
        "management.endpoint.health.show-details=always", "server.shutdown=graceful"})
class AnalyticsWebAppTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop static final MockWebServer collector = new MockWebServer();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @Autowired Analytics analytics;
  @Autowired MeterRegistry meters;
  @Autowired Environment environment;

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(OrderController.class)
  static class App {}

  @RestController
  static class OrderController {
    private final Analytics analytics;

    OrderController(Analytics analytics) {
      this.analytics = analytics;
    }

    @PostMapping("/orders/{id}/complete")
    String complete(@PathVariable("id") String id) {
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("usr_8f41c2").messageId("order-" + id)
          .properties(Map.of("order_id", id, "revenue", 42.5)));
      return "completed " + id;
    }
  }

  private HttpResponse<String> call(String method, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + path);
    HttpRequest request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
        .header("User-Agent", "Mozilla/5.0 (test)").header("Accept-Language", "en-GB,en;q=0.8")
        .header("Referer", "https://shop.example/cart?session=abc123").timeout(Duration.ofSeconds(10)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @SuppressWarnings("unchecked")
  void anEventEnqueuedByARequestArrivesAtTheCollectorExactly() throws Exception {
    Collector.answerOkByDefault(collector);
    HttpResponse<String> response = call("POST", "/orders/ord_1029/complete?coupon=SPRING");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("completed ord_1029", response.body());

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    RecordedRequest request = Collector.take(collector);
    assertEquals("POST", request.getMethod());
    assertEquals("/v1/batch", request.getTarget());
    assertEquals("Basic d2ViLXRlc3Qta2V5Og==", request.getHeaders().get("Authorization"));
    assertEquals("application/json", request.getHeaders().get("Content-Type"));
    Map<String, Object> body = JSON.fromJson(Collector.body(request));
    assertEquals(new TreeSet<>(List.of("batch", "sentAt", "context", "writeKey")), new TreeSet<>(body.keySet()));
    assertEquals("web-test-key", body.get("writeKey"));
    List<Map<String, Object>> batch = (List<Map<String, Object>>) body.get("batch");
    assertEquals(1, batch.size());
    Map<String, Object> message = batch.get(0);
    assertEquals(new TreeSet<>(List.of("type", "messageId", "timestamp", "userId", "event", "properties", "context")),
        new TreeSet<>(message.keySet()));
    assertEquals("track", message.get("type"));
    assertEquals("order-ord_1029", message.get("messageId"));
    assertEquals("usr_8f41c2", message.get("userId"));
    assertEquals("Order Completed", message.get("event"));
    assertEquals(Map.of("order_id", "ord_1029", "revenue", 42.5), message.get("properties"));
    String url = "http://127.0.0.1:" + environment.getProperty("local.server.port") + "/orders/ord_1029/complete";
    assertEquals(Map.of(
        "ip", "127.0.0.1",
        "userAgent", "Mozilla/5.0 (test)",
        "locale", "en-GB",
        // Query strings, the request's and the referrer's, only with request-context-query-strings.
        "page", Map.of("path", "/orders/ord_1029/complete", "referrer", "https://shop.example/cart", "url", url),
        "library", Map.of("name", "analytics4j", "version", Analytics.VERSION)), message.get("context"));
    assertEquals(1, collector.getRequestCount());

    // Boot bound the starter's MeterBinder to its registry.
    assertEquals(1.0, meters.get("analytics4j.messages").tags("outcome", "sent", "reason", "none").functionCounter().count());
    assertEquals(1, meters.get("analytics4j.requests").tags("status", "2xx").timer().count());

    HttpResponse<String> health = call("GET", "/actuator/health");
    Map<String, Object> components = (Map<String, Object>) JSON.fromJson(health.body()).get("components");
    assertEquals(Map.of("status", "UP", "details", Map.of("queuedMessages", 0.0, "queuedBytes", 0.0)),
        components.get("analytics4j"), health.body());
  }
}
