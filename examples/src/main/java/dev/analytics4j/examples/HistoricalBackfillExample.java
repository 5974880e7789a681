package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Backfilling history from code (say, orders from a database): each event keeps the time it
 * happened, and a messageId derived from its row, so a re-run after a crash is deduplicated by the
 * API instead of counting twice. {@code enqueue} never blocks and drops when the queue is full, so
 * a fast loop flushes every chunk and waits: memory stays bounded and nothing is dropped.
 * For files of events, the {@code analytics-cli} importer does all this.
 */
public final class HistoricalBackfillExample {
  private static final int CHUNK = 1_000;

  private HistoricalBackfillExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  /** Backfills the orders; returns how many were delivered. */
  static long run(ExampleTarget target) throws Exception {
    int orders = 5_000;
    long delivered = 0;
    long notDelivered = 0;
    try (Analytics analytics = target.builder().flushAt(500).maxQueueSize(2 * CHUNK).build()) {
      Instant start = LocalDate.of(2023, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
      for (int id = 1; id <= orders; id++) {
        analytics.enqueue(TrackMessage.builder("Order Completed").userId("cust_" + (id % 300))
            .messageId("order-" + id)                              // stable across re-runs
            .timestamp(start.plus(Duration.ofMinutes(97L * id)))   // when it happened
            .properties(Map.of("order_id", id, "revenue", 10 + id % 90)));
        if (id % CHUNK == 0 || id == orders) {
          FlushResult result = analytics.flush(Duration.ofMinutes(5));
          delivered += result.delivered();
          // Exact: the flush counts this chunk's messages, whenever each of them settled.
          notDelivered += result.notDelivered();
          System.out.printf("orders up to %,d: %s%n", id, result);
        }
      }
      System.out.printf("Backfilled %,d orders from %s on: %,d delivered, %,d not delivered%n",
          orders, start, delivered, notDelivered);
      target.report();
    }
    return delivered;
  }
}
