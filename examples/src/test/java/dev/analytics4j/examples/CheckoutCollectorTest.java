package dev.analytics4j.examples;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.testing.FakeCollector;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckoutCollectorTest {
  @Test
  void ordersGetThroughARateLimit() throws Exception {
    try (FakeCollector collector = FakeCollector.start("test-key");
         Analytics analytics = Analytics.builder("test-key").endpoint(collector.endpoint()).build()) {
      collector.answerNext(429, "1");

      new Checkout(analytics).complete("u1", 42.5);

      assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
      collector.assertNoRequestRejected()
          .received().assertSentOnce(track("Order Completed").user("u1").property("revenue", 42.5));
    }
  }

  @Test
  void closingDuringAnOutageGivesUpOnTime() throws Exception {
    try (FakeCollector collector = FakeCollector.start("test-key");
         Analytics analytics = Analytics.builder("test-key").endpoint(collector.endpoint()).build()) {
      collector.goDown();
      new Checkout(analytics).complete("u1", 42.5);

      analytics.close(Duration.ofMillis(500));

      assertEquals(2, analytics.metrics().dropped() + analytics.metrics().failed());
      assertEquals(0, collector.received().size());
    }
  }
}
