package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;

/**
 * A nightly job: enqueue as it works, then block on {@code flush(timeout)} before reporting
 * success, so the job's exit status says whether its events arrived.
 */
public final class BatchJobExample {
  private BatchJobExample() {}

  public static void main(String[] args) throws Exception {
    boolean delivered;
    try (ExampleTarget target = ExampleTarget.start()) {
      delivered = run(target);
    }
    if (!delivered) System.exit(1);
  }

  /** The job; returns whether every event was delivered, which decides its exit status. */
  static boolean run(ExampleTarget target) throws Exception {
    try (Analytics analytics = target.builder().build()) {
      for (int invoice = 1; invoice <= 500; invoice++) {
        analytics.enqueue(TrackMessage.builder("Invoice Sent").userId("cust_" + (invoice % 40))
            .properties(Map.of("invoice", "inv_" + invoice, "amount", invoice * 1.25)));
      }
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      System.out.println("Flush: " + result);
      target.report();
      if (!result.isSuccess()) System.out.println("Not every event was delivered; failing the job.");
      return result.isSuccess();
    }
  }
}
