package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;

/**
 * The client is {@code AutoCloseable}: a try-with-resources block closes it on the way out, even
 * after an exception, which sends what is queued within {@code closeTimeout}.
 */
public final class TryWithResourcesExample {
  private TryWithResourcesExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    try (Analytics analytics = target.builder()
        .flushInterval(Duration.ofMinutes(1))
        .closeTimeout(Duration.ofSeconds(5))
        .build()) {
      for (int i = 1; i <= 3; i++) {
        analytics.enqueue(TrackMessage.builder("Report Generated").userId("u1").properties(Map.of("report", i)));
      }
      System.out.println("3 events queued; leaving the block closes the client, which sends them.");
    }
    target.report();
  }
}
