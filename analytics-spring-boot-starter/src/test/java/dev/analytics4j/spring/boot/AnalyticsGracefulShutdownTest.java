package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A request still running when the app is told to stop: the web server's graceful shutdown lets it
 * finish, and its event, enqueued after the stop began, is sent before the client closes.
 */
class AnalyticsGracefulShutdownTest {
  static final CountDownLatch inHandler = new CountDownLatch(1);
  static final CountDownLatch stopBegan = new CountDownLatch(1);

  @StartStop private final MockWebServer collector = new MockWebServer();

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(SlowController.class)
  static class App {
    /** Stops just before the graceful shutdown phase (DEFAULT_PHASE - 1024): the stop has begun. */
    @Bean
    SmartLifecycle stopBegan() {
      return new AnalyticsLifecycleTest.Stoppable(SmartLifecycle.DEFAULT_PHASE - 1023, stopBegan::countDown);
    }
  }

  @RestController
  static class SlowController {
    private final Analytics analytics;

    SlowController(Analytics analytics) {
      this.analytics = analytics;
    }

    @PostMapping("/export")
    String export() throws InterruptedException {
      inHandler.countDown();
      if (!stopBegan.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("the app never stopped");
      analytics.enqueue(TrackMessage.builder("Export Finished").userId("u1").messageId("export-1"));
      return "exported";
    }
  }

  @Test
  void theEventOfARequestThatFinishesDuringShutdownIsSent() throws Exception {
    Collector.answerOkByDefault(collector);
    ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class).properties(
        "server.port=0", "server.shutdown=graceful", "spring.main.banner-mode=off",
        "analytics4j.write-key=shutdown-test-key", "analytics4j.endpoint=" + collector.url("/"),
        "analytics4j.flush-interval=1h").run();
    int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/export"))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build();
    CompletableFuture<HttpResponse<String>> response =
        HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    assertTrue(inHandler.await(30, TimeUnit.SECONDS), "the request reached its handler");

    context.close(); // as on SIGTERM

    assertEquals("exported", response.get(30, TimeUnit.SECONDS).body());
    String body = Collector.body(Collector.take(collector));
    assertTrue(body.contains("\"messageId\":\"export-1\""), body);
    assertEquals(1, collector.getRequestCount());
  }
}
