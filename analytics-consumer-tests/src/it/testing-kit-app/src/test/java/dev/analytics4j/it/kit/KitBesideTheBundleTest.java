package dev.analytics4j.it.kit;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.micrometer.AnalyticsMeterBinder;
import dev.analytics4j.testing.FakeCollector;
import dev.analytics4j.testing.RecordingAnalytics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class KitBesideTheBundleTest {
  @Test
  void theBundleSendsToTheFakeCollectorAndTheKitComparesAtWirePrecision() throws Exception {
    Instant now = Instant.now();
    try (FakeCollector collector = FakeCollector.start("kit-key");
         Analytics analytics = Analytics.builder("kit-key").endpoint(collector.endpoint()).shutdownHook(false).build()) {
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").timestamp(now)
          .properties(Map.of("completedAt", now, "revenue", 42.5)));
      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

      collector.assertNoRequestRejected().received()
          .assertSentOnce(track("Order Completed").user("u1").timestamp(now).property("completedAt", now));
    }
    try (RecordingAnalytics recorder = RecordingAnalytics.create()) {
      recorder.analytics().enqueue(TrackMessage.builder("Viewed").anonymousId("a1"));
      recorder.assertAllDelivered().sent().assertSentOnce(track("Viewed"));
    }
  }

  @Test
  void analyticsMicrometerCountsWhatTheBundleSent() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnalyticsMeterBinder meters = new AnalyticsMeterBinder();
    try (FakeCollector collector = FakeCollector.start("kit-key");
         Analytics analytics = Analytics.builder("kit-key").endpoint(collector.endpoint()).listener(meters)
             .shutdownHook(false).build()) {
      meters.bindTo(registry);
      analytics.enqueue(TrackMessage.builder("Viewed").anonymousId("a1"));
      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
      assertEquals(1.0, registry.get("analytics4j.messages").tags("outcome", "sent").functionCounter().count());
    }
  }

  @Test
  void theTestClasspathHoldsOneAnalytics4jTheAppsOkHttpAndKotlinAndNoMoshi() throws IOException {
    List<URL> analytics4j = resources("dev/analytics4j/Analytics.class");
    assertEquals(1, analytics4j.size(), "copies of dev.analytics4j.Analytics: " + analytics4j);
    assertTrue(analytics4j.get(0).toString().contains("analytics4j-bundle"), analytics4j.toString());
    assertEquals(List.of(), resources("com/squareup/moshi/Moshi.class"), "Moshi, unrelocated");
    List<URL> okhttp = resources("okhttp3/OkHttpClient.class");
    System.out.println("testing-kit-app: OkHttp from " + okhttp);
    assertEquals(1, okhttp.size(), okhttp.toString());
    assertTrue(okhttp.get(0).toString().contains(System.getProperty("expected.okhttp")), okhttp.toString());
    List<URL> kotlin = resources("kotlin/KotlinVersion.class");
    assertEquals(1, kotlin.size(), kotlin.toString());
    assertTrue(kotlin.get(0).toString().contains("kotlin-stdlib-1.6.21.jar"), kotlin.toString());
  }

  @Test
  void theAppsOwnOkHttpStillWorksAndTheCollectorAnswersIt() throws IOException {
    try (FakeCollector collector = FakeCollector.start("kit-key")) {
      OkHttpClient client = new OkHttpClient();
      Request request = new Request.Builder().url(collector.endpoint() + "/v1/batch")
          .post(RequestBody.create(MediaType.get("application/json"), "{}")).build();
      try (Response response = client.newCall(request).execute()) {
        assertEquals(401, response.code());
      }
      assertEquals(1, collector.rejections().size(), collector.rejections().toString());
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  private static List<URL> resources(String name) throws IOException {
    return new ArrayList<>(Collections.list(KitBesideTheBundleTest.class.getClassLoader().getResources(name)));
  }
}
