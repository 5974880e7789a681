package dev.analytics4j.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.analytics4j.examples.LocalCollector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The recipe's service runs a whole life against a collector on 127.0.0.1, whatever
 * {@code ANALYTICS_WRITE_KEY} says, and the checkout event arrives, sent as the service stopped,
 * with the request's context.
 */
class SpringBootExampleTest {
  @Test
  void theCheckoutEventArrivesWithItsRequestContext() throws Exception {
    try (LocalCollector collector = LocalCollector.start()) {
      try {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> SpringBootExample.run(new String[0], collector),
            "SpringBootExample did not finish within 120 s");
      } catch (AssertionFailedError e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError("SpringBootExample threw " + t, t);
      }

      List<Map<String, Object>> sent = collector.received().stream()
          .flatMap(request -> request.messages().stream()).collect(Collectors.toList());
      assertEquals(1, sent.size(), "SpringBootExample: " + sent);
      Map<String, Object> track = sent.get(0);
      assertEquals("Order Completed", track.get("event"));
      assertEquals("order-completed-ord_1029", track.get("messageId"));
      assertEquals("usr_8f41c2", track.get("userId"));
      Map<?, ?> context = (Map<?, ?>) track.get("context");
      assertEquals("Mozilla/5.0 (example)", context.get("userAgent"), "the request's context: " + context);
      assertEquals("en-GB", context.get("locale"), "the request's context: " + context);
    }
  }
}
