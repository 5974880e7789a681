package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;

/** Compressed request bodies ({@code Content-Encoding: gzip}): worth it for large batches. */
public final class GzipExample {
  private GzipExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    try (Analytics analytics = target.builder().gzip(true).build()) {
      for (int i = 0; i < 200; i++) {
        analytics.enqueue(TrackMessage.builder("Product Viewed").userId("u" + (i % 7))
            .properties(Map.of("sku", "SKU-" + i, "category", "Books", "price", 12.5)));
      }
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      System.out.println("Flush: " + result);
      LocalCollector collector = target.collector();
      if (collector != null && !collector.received().isEmpty()) {
        System.out.println("Content-Encoding: " + collector.received().get(0).headers.get("Content-encoding"));
      }
      target.report();
    }
  }
}
