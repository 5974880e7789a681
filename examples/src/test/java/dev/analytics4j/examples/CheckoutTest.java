package dev.analytics4j.examples;

import static dev.analytics4j.testing.MessagePattern.identify;
import static dev.analytics4j.testing.MessagePattern.track;

import dev.analytics4j.testing.RecordingAnalytics;
import org.junit.jupiter.api.Test;

class CheckoutTest {
  @Test
  void completingAnOrderSendsOrderCompleted() {
    try (RecordingAnalytics recorder = RecordingAnalytics.create()) {
      new Checkout(recorder.analytics()).complete("u1", 42.5);

      recorder.sent()
          .assertSent(track("Order Completed").user("u1").property("revenue", 42.5))
          .assertSentOnce(identify().user("u1"))
          .assertNothingSentFor("u2");
      recorder.assertAllDelivered();
    }
  }
}
