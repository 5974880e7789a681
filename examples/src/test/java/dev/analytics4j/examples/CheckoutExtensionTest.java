package dev.analytics4j.examples;

import static dev.analytics4j.testing.MessagePattern.track;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.testing.ExpectUndelivered;
import dev.analytics4j.testing.RecordingAnalytics;
import dev.analytics4j.testing.RecordingAnalyticsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RecordingAnalyticsExtension.class)
class CheckoutExtensionTest {
  @Test
  void completingAnOrderSendsOrderCompleted(RecordingAnalytics recorder) {
    new Checkout(recorder.analytics()).complete("u1", 42.5);

    recorder.sent().assertSentOnce(track("Order Completed").user("u1").property("currency", "EUR"));
  }

  @Test
  @ExpectUndelivered
  void anEventOfferedAfterShutdownIsDropped(Analytics analytics) {
    analytics.close();

    analytics.offer(TrackMessage.builder("Order Completed").userId("u1"));
  }
}
