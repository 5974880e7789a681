package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.util.Map;
import java.util.UUID;

/** The six calls of the Tracking API, one each, then close (which sends what is queued). */
public final class QuickStartExample {
  private QuickStartExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    String sessionId = UUID.randomUUID().toString();
    try (Analytics analytics = target.builder().build()) {
      analytics.enqueue(IdentifyMessage.builder().userId("u1")
          .traits(Map.of("email", "ada@example.org", "plan", "team")));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1")
          .properties(Map.of("order_id", "ord_1029", "revenue", 42.5, "currency", "EUR")));
      analytics.enqueue(PageMessage.builder("Pricing").anonymousId(sessionId)
          .properties(Map.of("path", "/pricing")));
      analytics.enqueue(ScreenMessage.builder("Checkout").userId("u1"));
      analytics.enqueue(GroupMessage.builder("acct_553").userId("u1")
          .traits(Map.of("name", "Example Ltd", "employees", 120)));
      analytics.enqueue(AliasMessage.builder(sessionId).userId("u1"));
    } // close(): stops intake and sends the queue within closeTimeout (5 s by default)
    target.report();
  }
}
