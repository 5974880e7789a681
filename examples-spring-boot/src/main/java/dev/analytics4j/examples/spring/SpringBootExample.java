package dev.analytics4j.examples.spring;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.examples.LocalCollector;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.spring.boot.AnalyticsBuilderCustomizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web service with {@code analytics-spring-boot-starter}: the client is built from
 * {@code application.properties} ({@code analytics4j.*}) and injected where events happen; a
 * customizer adds what properties cannot say (here a callback); each message gets the request's
 * context; and when the service stops, the client is closed after running requests finished, so
 * their events are sent.
 *
 * <p>{@code main} plays a whole life: start on a free port, take one checkout request, stop, and
 * print what the collector received (a local one unless {@code ANALYTICS_WRITE_KEY} is set).
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SpringBootExample {
  private static final Logger logger = LoggerFactory.getLogger(SpringBootExample.class);

  @RestController
  static class CheckoutController {
    private final Analytics analytics;

    CheckoutController(Analytics analytics) {
      this.analytics = analytics;
    }

    @PostMapping("/checkout")
    String checkout(@RequestParam("order") String orderId, @RequestParam("user") String userId) {
      analytics.enqueue(TrackMessage.builder("Order Completed").userId(userId)
          .messageId("order-completed-" + orderId) // a retried request is counted once
          .properties(Map.of("order_id", orderId, "revenue", 42.5, "currency", "EUR")));
      return "order " + orderId + " completed\n";
    }
  }

  /** What the properties cannot say: here, a callback that logs each message the API refused. */
  @Bean
  AnalyticsBuilderCustomizer logRefusedMessages() {
    return builder -> builder.callback(new Callback() {
      @Override
      public void onFailure(EncodedMessage message, Failure failure) {
        logger.warn("analytics: {} not delivered: {}", message, failure);
      }
    });
  }

  public static void main(String[] args) throws Exception {
    String key = System.getenv("ANALYTICS_WRITE_KEY");
    if (key != null && !key.trim().isEmpty()) {
      run(args, null);
      System.out.println("Sent; see the source's debugger in your workspace.");
      return;
    }
    try (LocalCollector collector = LocalCollector.start()) {
      System.out.println("Sending to a local collector at " + collector.endpoint()
          + " (set ANALYTICS_WRITE_KEY to send to the real API).");
      run(args, collector);
      List<Map<String, Object>> received = new ArrayList<>();
      for (LocalCollector.Received request : collector.received()) received.addAll(request.messages());
      System.out.println("The collector received " + received.size() + " message(s):");
      for (Map<String, Object> message : received) {
        System.out.println("  " + message.get("type") + " " + message.get("event") + ", context " + message.get("context"));
      }
      if (received.size() != 1) throw new IllegalStateException("expected the checkout event, got " + received);
    }
  }

  /**
   * One life of the service: start on a free port, take one checkout request, stop. With a
   * collector it sends there (whatever the environment says), otherwise where the properties say.
   */
  static void run(String[] args, LocalCollector collector) throws Exception {
    List<String> arguments = new ArrayList<>(List.of(args));
    arguments.add("--server.port=0");
    if (collector != null) {
      arguments.add("--analytics4j.write-key=example-write-key-not-secret");
      arguments.add("--analytics4j.endpoint=" + collector.endpoint());
    }

    ConfigurableApplicationContext context = SpringApplication.run(SpringBootExample.class,
        arguments.toArray(new String[0]));
    int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);

    HttpRequest checkout = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/checkout?order=ord_1029&user=usr_8f41c2"))
        .POST(HttpRequest.BodyPublishers.noBody())
        .header("User-Agent", "Mozilla/5.0 (example)")
        .header("Accept-Language", "en-GB")
        .build();
    System.out.print(HttpClient.newHttpClient().send(checkout, HttpResponse.BodyHandlers.ofString()).body());

    // As on SIGTERM: graceful shutdown, then analytics4j closes and sends the queued event.
    context.close();
  }
}
