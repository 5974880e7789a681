package dev.analytics4j.benchmarks.own;

import dev.analytics4j.Analytics;
import dev.analytics4j.DropReason;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.benchmarks.HeapProbe;
import dev.analytics4j.benchmarks.Producers;
import dev.analytics4j.benchmarks.Report;
import dev.analytics4j.benchmarks.RunSpec;
import dev.analytics4j.benchmarks.Workload;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.SpoolSync;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the loopback workload through analytics4j, in a JVM of its own started by the driver, and
 * prints one {@code RESULT} line.
 */
public final class Analytics4jRunner {
  /** The byte budget of the outage run: small enough that a 30 s outage overflows it. */
  private static final long OUTAGE_QUEUE_BYTES = 8L * 1024 * 1024;

  private Analytics4jRunner() {}

  public static void main(String[] args) throws Exception {
    RunSpec spec = RunSpec.parse(args);
    boolean outage = spec.settings.startsWith("outage");
    Path spoolDir = spec.settings.contains("spool") ? Files.createTempDirectory("analytics4j-bench-spool") : null;
    long total = spec.messages() + spec.warmupMessages();
    // Both clients get a queue that holds the whole run, so neither is measured by what it drops.
    Analytics.Builder builder = Analytics.builder("benchmark-write-key")
        .endpoint(spec.url)
        .maxQueueSize((int) Math.min(Integer.MAX_VALUE, total))
        .maxQueueBytes(1L << 30)
        .shutdownHook(false);
    switch (spec.settings) {
      case "default":
        break;
      case "gzip":
        builder.gzip(true);
        break;
      case "tuned":
        // Fewer, larger requests: the per-request cost on both sides is what remains at defaults.
        builder.flushAt(1000);
        break;
      case "outage":
        // The default backoff (0.5 s doubling to 60 s) would first retry up to a minute after the
        // outage ends; a 5 s cap shows recovery within this run's length. Still 10 retries and
        // the same budgets.
        builder.maxQueueSize(1_000_000).maxQueueBytes(OUTAGE_QUEUE_BYTES)
            .retryBackoff(Duration.ofMillis(500), Duration.ofSeconds(5));
        break;
      case "spool-none":
        builder.spool(spoolDir).spoolSync(SpoolSync.NONE);
        break;
      case "spool-default":
        builder.spool(spoolDir);
        break;
      case "spool-every-write":
        builder.spool(spoolDir).spoolSync(SpoolSync.EVERY_WRITE);
        break;
      case "outage-spool":
        // The default window (10,000 messages) in memory; the outage's backlog waits on disk. A
        // maxRetryDuration a third of the outage's (and 10 retries) would fail batches without a
        // spool; with one, they wait until spoolMaxAge.
        builder.maxQueueSize(10_000).maxQueueBytes(OUTAGE_QUEUE_BYTES).spool(spoolDir)
            .retryBackoff(Duration.ofMillis(500), Duration.ofSeconds(5))
            .maxRetryDuration(Duration.ofMillis(Math.max(1, spec.outageMillis / 3)));
        break;
      default:
        throw new IllegalArgumentException("settings: " + spec.settings);
    }
    Analytics analytics = builder.build();
    HeapProbe heap = HeapProbe.start();
    Producers.Sender sender = (userId, properties) -> analytics.enqueue(
        TrackMessage.builder(Workload.EVENT).userId(userId).properties(properties));

    Producers.warmUp(spec, sender, warmTotal -> {
      FlushResult warm = analytics.flush(Duration.ofMinutes(5));
      if (!warm.isSuccess()) throw new IllegalStateException("warm-up not delivered: " + warm);
    });
    Metrics before = analytics.metrics();
    long baselineHeap = HeapProbe.liveBytesAfterFullGc();
    heap.resetPeak();

    AtomicLong heapInOutage = new AtomicLong();
    AtomicLong spoolInOutage = new AtomicLong();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "outage-heap");
      thread.setDaemon(true);
      return thread;
    });
    if (outage) {
      // Near the end of the outage, when the queue has long been full.
      long at = spec.outageStartMillis + spec.outageMillis - 1_000;
      timer.schedule(() -> {
        heapInOutage.set(HeapProbe.liveBytesAfterFullGc());
        spoolInOutage.set(analytics.metrics().spoolBytes());
      }, at, TimeUnit.MILLISECONDS);
    }
    Report.measuring();

    Producers.Outcome outcome = Producers.run(spec.producers, spec.perProducer, spec.rate, sender);
    FlushResult result = analytics.flush(Duration.ofMinutes(5));
    long delivered = System.nanoTime();
    Metrics after = analytics.metrics();

    Report report = new Report().run(outcome, spec.messages(), delivered, heap)
        .put("delivered", after.sent() - before.sent())
        .put("failed", after.failed() - before.failed())
        .put("dropped", after.dropped() - before.dropped())
        .put("retries", after.retries() - before.retries())
        .put("flushComplete", Boolean.toString(result.isComplete()));
    if (outage) {
      report.put("queueBudgetBytes", OUTAGE_QUEUE_BYTES)
          .put("droppedQueueFull", after.dropped(DropReason.QUEUE_FULL) - before.dropped(DropReason.QUEUE_FULL))
          .put("heapInOutageBytes", heapInOutage.get() - baselineHeap)
          .put("spoolInOutageBytes", spoolInOutage.get());
    }
    report.print();
    timer.shutdownNow();
    analytics.close();
    heap.close();
    if (spoolDir != null) {
      try (Stream<Path> files = Files.walk(spoolDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
