package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fate of every message: a callback (here counting, and keeping the JSON of failures, which a
 * real app would append to a dead-letter file to resend with the same messageId) and a metrics
 * snapshot. A tiny queue makes some messages drop, to show how that is reported.
 */
public final class CallbacksAndMetricsExample {
  private CallbacksAndMetricsExample() {}

  /** What the recipe saw: offers accepted, and the outcomes its callback and metrics reported. */
  static final class Seen {
    final int accepted;
    final long delivered;
    final long dropped;
    final Metrics metrics;

    Seen(int accepted, long delivered, long dropped, Metrics metrics) {
      this.accepted = accepted;
      this.delivered = delivered;
      this.dropped = dropped;
      this.metrics = metrics;
    }
  }

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static Seen run(ExampleTarget target) throws Exception {
    AtomicLong delivered = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    Callback callback = new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        delivered.incrementAndGet();
      }

      @Override
      public void onFailure(EncodedMessage message, Failure failure) {
        // Runs on an upload thread: keep it quick. message.json() is what was sent.
        System.out.println("failed: " + message + " " + failure + " " + message.json());
      }

      @Override
      public void onDropped(EncodedMessage message, DropReason reason) {
        dropped.incrementAndGet();
      }
    };

    try (Analytics analytics = target.builder().callback(callback).flushAt(50).maxQueueSize(50).build()) {
      int accepted = 0;
      for (int i = 0; i < 80; i++) {
        if (analytics.offer(TrackMessage.builder("Search Performed").userId("u1"))) accepted++;
      }
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      Metrics metrics = analytics.metrics();
      System.out.println("offer accepted " + accepted + " of 80 (maxQueueSize 50)");
      System.out.println("callback: delivered " + delivered + ", dropped " + dropped);
      System.out.println("flush: " + result);
      System.out.println("metrics: " + metrics);
      System.out.println("dropped because the queue was full: " + metrics.dropped(DropReason.QUEUE_FULL));
      target.report();
      return new Seen(accepted, delivered.get(), dropped.get(), metrics);
    }
  }
}
