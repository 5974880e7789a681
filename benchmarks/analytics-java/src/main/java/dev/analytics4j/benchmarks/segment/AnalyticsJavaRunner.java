package dev.analytics4j.benchmarks.segment;

import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.TrackMessage;
import dev.analytics4j.benchmarks.HeapProbe;
import dev.analytics4j.benchmarks.Producers;
import dev.analytics4j.benchmarks.Report;
import dev.analytics4j.benchmarks.RunSpec;
import dev.analytics4j.benchmarks.Workload;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the loopback workload through Segment's analytics-java 3.5.4, in a JVM of its own started by
 * the driver, and prints one {@code RESULT} line.
 */
public final class AnalyticsJavaRunner {
  private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

  private AnalyticsJavaRunner() {}

  public static void main(String[] args) throws Exception {
    RunSpec spec = RunSpec.parse(args);
    AtomicLong succeeded = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    Callback callback = new Callback() {
      @Override
      public void success(Message message) {
        succeeded.incrementAndGet();
      }

      @Override
      public void failure(Message message, Throwable throwable) {
        failed.incrementAndGet();
      }
    };

    // Both clients get a queue that holds the whole run, so neither is measured by what it drops.
    Analytics.Builder builder = Analytics.builder("benchmark-write-key")
        .endpoint(spec.url)
        .queueCapacity((int) Math.min(Integer.MAX_VALUE, spec.messages() + spec.warmupMessages()))
        .callback(callback);
    ExecutorService network = null;
    switch (spec.settings) {
      case "default":
        break;
      case "tuned":
        // Its largest useful batch (it cuts at 500 KB anyway) and four concurrent uploads, as
        // analytics4j has by default, instead of one.
        network = Executors.newFixedThreadPool(4);
        builder.flushQueueSize(500).networkExecutor(network);
        break;
      default:
        throw new IllegalArgumentException("settings: " + spec.settings);
    }
    Analytics analytics = builder.build();
    HeapProbe heap = HeapProbe.start();
    Producers.Sender sender = (userId, properties) -> analytics.enqueue(
        TrackMessage.builder(Workload.EVENT).userId(userId).properties(properties));

    long warm = Producers.warmUp(spec, sender, total -> awaitDelivered(analytics, succeeded, failed, total));
    heap.resetPeak();
    Report.measuring();

    Producers.Outcome outcome = Producers.run(spec.producers, spec.perProducer, 0, sender);
    awaitDelivered(analytics, succeeded, failed, warm + spec.messages());
    long delivered = System.nanoTime();

    new Report().run(outcome, spec.messages(), delivered, heap)
        .put("delivered", succeeded.get() - warm)
        .put("failed", failed.get())
        .put("dropped", 0L)
        .print();
    analytics.shutdown();
    if (network != null) network.shutdown();
    heap.close();
    // analytics-java's looper and network threads are not daemons.
    System.exit(0);
  }

  /** analytics-java's flush() only starts an upload; its callback says when each message was done. */
  private static void awaitDelivered(Analytics analytics, AtomicLong succeeded, AtomicLong failed, long total)
      throws InterruptedException {
    analytics.flush();
    long deadline = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
    while (succeeded.get() + failed.get() < total) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("analytics-java did not deliver in time: " + succeeded.get() + " of " + total);
      }
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }
}
