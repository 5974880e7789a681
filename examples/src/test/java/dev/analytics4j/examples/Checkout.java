package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.util.Map;

/** The code under test: it is given the Analytics it sends with. */
final class Checkout {
  private final Analytics analytics;

  Checkout(Analytics analytics) {
    this.analytics = analytics;
  }

  void complete(String userId, double revenue) {
    analytics.enqueue(IdentifyMessage.builder().userId(userId).traits(Map.of("customer", true)));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId(userId)
        .properties(Map.of("revenue", revenue, "currency", "EUR")));
  }
}
