package dev.analytics4j.examples.spring;

import static dev.analytics4j.testing.MessagePattern.track;

import dev.analytics4j.Analytics;
import dev.analytics4j.testing.RecordingAnalytics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

@SpringBootTest
class CheckoutControllerTest {
  @TestConfiguration(proxyBeanMethods = false)
  static class RecordingAnalyticsConfiguration {
    @Bean
    RecordingAnalytics recordingAnalytics() {
      return RecordingAnalytics.create(); // closed with the context
    }

    @Bean
    Analytics analytics(RecordingAnalytics recorder) {
      return recorder.analytics(); // the starter's Analytics bean backs off
    }
  }

  @Autowired RecordingAnalytics recorder;
  @Autowired SpringBootExample.CheckoutController checkout;

  @Test
  void completingAnOrderSendsOrderCompleted() {
    checkout.checkout("ord_1029", "u1");

    recorder.sent().assertSentOnce(track("Order Completed").user("u1").property("order_id", "ord_1029"));
  }
}
