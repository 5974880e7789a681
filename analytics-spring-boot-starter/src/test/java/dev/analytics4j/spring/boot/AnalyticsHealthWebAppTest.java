package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * A servlet app whose write key the API refuses: what {@code /actuator/health} answers a load
 * balancer, by default and with {@code analytics4j.health-affects-status}.
 */
@SpringBootTest(classes = AnalyticsHealthWebAppTest.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"analytics4j.write-key=rotated-key", "analytics4j.flush-interval=1h",
        "management.endpoint.health.show-details=always", "management.endpoint.health.show-components=always"})
class AnalyticsHealthWebAppTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop static final MockWebServer collector = new MockWebServer();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    ((QueueDispatcher) collector.getDispatcher()).setFailFast(Collector.status(401));
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  @Test
  void aRefusedKeyShowsInItsComponentAndLeavesTheOverallStatusUp() throws Exception {
    refuse(analytics);
    HttpResponse<String> health = health(environment);

    assertEquals(200, health.statusCode(), health.body());
    Map<String, Object> body = JSON.fromJson(health.body());
    assertEquals("UP", body.get("status"), health.body());
    assertEquals("DEGRADED", component(body).get("status"), health.body());
    assertEquals("HTTP 401 after 1 attempt", details(body).get("lastFailure"));
  }

  @Nested
  @TestPropertySource(properties = "analytics4j.health-affects-status=true")
  class WhenHealthAffectsStatus {
    @Autowired Analytics analytics;
    @Autowired Environment environment;

    @Test
    void aRefusedKeyTakesTheOverallStatusDown() throws Exception {
      refuse(analytics);
      HttpResponse<String> health = health(environment);

      assertEquals(503, health.statusCode(), health.body());
      Map<String, Object> body = JSON.fromJson(health.body());
      assertEquals("DOWN", body.get("status"), health.body());
      assertEquals("DOWN", component(body).get("status"), health.body());
    }
  }

  private static void refuse(Analytics analytics) {
    analytics.enqueue(TrackMessage.builder("Item Viewed").userId("u1"));
    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());
  }

  private static HttpResponse<String> health(Environment environment) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + environment.getProperty("local.server.port") + "/actuator/health");
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> component(Map<String, Object> body) {
    return (Map<String, Object>) ((Map<String, Object>) body.get("components")).get("analytics4j");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> details(Map<String, Object> body) {
    return (Map<String, Object>) component(body).get("details");
  }
}
