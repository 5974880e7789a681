package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * What a client sends can never make the application's enqueue throw: a real servlet app, its
 * header limit raised as a user would, answering requests no browser sends.
 */
@SpringBootTest(classes = AnalyticsRequestContextWebAppTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"analytics4j.write-key=context-test-key", "analytics4j.flush-interval=1h",
        "analytics4j.request-context=true", "server.max-http-request-header-size=1MB"})
class AnalyticsRequestContextWebAppTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop static final MockWebServer collector = new MockWebServer();

  @DynamicPropertySource
  static void collectorEndpoint(DynamicPropertyRegistry registry) {
    Collector.answerOkByDefault(collector);
    registry.add("analytics4j.endpoint", () -> collector.url("/").toString());
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(EventController.class)
  static class App {}

  @RestController
  static class EventController {
    private final Analytics analytics;

    EventController(Analytics analytics) {
      this.analytics = analytics;
    }

    @GetMapping("/viewed/{id}")
    String viewed(@PathVariable("id") String id) {
      analytics.enqueue(TrackMessage.builder("Item Viewed").userId("u1").messageId(id));
      return "ok";
    }

    /** A message too large by the application's own doing, refused as it would be without the starter. */
    @GetMapping("/too-large/{size}")
    String tooLarge(@PathVariable("size") int size) {
      try {
        analytics.enqueue(tooLargeMessage(size));
        return "accepted";
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    }
  }

  static TrackMessage.Builder tooLargeMessage(int size) {
    return TrackMessage.builder("Import").userId("u1").messageId("big").properties(Map.of("blob", "b".repeat(size)));
  }

  @Autowired Analytics analytics;
  @Autowired Environment environment;

  private static String withoutByteCount(String message) {
    return message.replaceFirst("^message is (over )?\\d+ bytes( \\(encoding stopped\\))?,", "message is N bytes,");
  }

  private HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + pathAndQuery)).timeout(Duration.ofSeconds(20));
    headers.forEach(request::header);
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String base() {
    return "http://127.0.0.1:" + environment.getProperty("local.server.port");
  }

  @Test
  @SuppressWarnings("unchecked")
  void hugeHeadersQueriesAndReferrersAreCappedAndEnqueueSucceeds() throws Exception {
    java.util.LinkedHashMap<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("User-Agent", "Mozilla/5.0 " + "u".repeat(33_000));
    headers.put("Referer", "https://ref.example/" + "r".repeat(40_000) + "?token=referrer-secret");
    headers.put("Accept-Language", "en-GB");
    for (int i = 0; i < 80; i++) headers.put("X-Filler-" + i, "f".repeat(1_000));
    String query = "token=query-secret&pad=" + "q".repeat(17_000);

    HttpResponse<String> response = get("/viewed/huge?" + query, headers);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ok", response.body());
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    String body = Collector.body(Collector.take(collector));
    assertFalse(body.contains("secret"), "no query string reaches the wire by default");
    Map<String, Object> message = ((List<Map<String, Object>>) JSON.fromJson(body).get("batch")).get(0);
    Map<String, Object> context = (Map<String, Object>) message.get("context");
    assertEquals("Mozilla/5.0 " + "u".repeat(500), context.get("userAgent"));
    assertEquals("en-GB", context.get("locale"));
    Map<String, Object> page = (Map<String, Object>) context.get("page");
    assertEquals(Map.of("path", "/viewed/huge", "url", base() + "/viewed/huge",
        "referrer", "https://ref.example/" + "r".repeat(2_048 - "https://ref.example/".length())), page);
    context.remove("library");
    assertTrue(JSON.toJson(context).length() <= RequestContext.TOTAL_BYTES, JSON.toJson(context).length() + " bytes");
  }

  @Test
  void aMessageTooLargeByTheApplicationFailsAsWithoutTheStarter() throws Exception {
    Analytics plain = Analytics.builder("key").enabled(false).shutdownHook(false).build();
    try {
      // The same refusal; only the byte count differs, as it counts the request's context too.
      for (int size : new int[] {32_000, 600_000}) {
        String expected = assertThrows(IllegalArgumentException.class, () -> plain.enqueue(tooLargeMessage(size)))
            .getMessage();
        String got = get("/too-large/" + size, Map.of("User-Agent", "UA")).body();
        assertEquals(withoutByteCount(expected), withoutByteCount(got), got);
        assertTrue(got.endsWith("over the 32000-byte limit of the API (track messageId=big)"), got);
      }
    } finally {
      plain.close();
    }
  }
}
