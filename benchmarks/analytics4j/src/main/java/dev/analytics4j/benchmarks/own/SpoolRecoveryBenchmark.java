package dev.analytics4j.benchmarks.own;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.TrackMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How long {@code build()} takes, and how much heap it needs, on a spool left with a large backlog:
 * a first client with its endpoint down accepts N Tracks and closes, then a second is built on the
 * directory and measured. Run by {@code benchmarks/run.sh spool}, or alone:
 * {@code java -cp <classpath> dev.analytics4j.benchmarks.own.SpoolRecoveryBenchmark 500000}.
 */
public final class SpoolRecoveryBenchmark {
  private SpoolRecoveryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    Path directory = Files.createTempDirectory("analytics4j-recovery-bench");
    Transport down = request -> {
      throw new ConnectException("down, so that everything stays in the spool");
    };
    try {
      Analytics first = client(directory, down).build();
      for (int i = 0; i < count; i++) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("orderId", "o-" + i);
        properties.put("revenue", 12.5);
        properties.put("currency", "EUR");
        first.offer(TrackMessage.builder("Order Completed").userId("user-" + (i % 1000)).properties(properties));
      }
      first.close(Duration.ZERO);
      long spoolBytes;
      try (Stream<Path> files = Files.list(directory)) {
        spoolBytes = files.mapToLong(SpoolRecoveryBenchmark::size).sum();
      }

      for (int round = 1; round <= 3; round++) {
        System.gc();
        resetPeaks();
        long heapBefore = usedHeap();
        long start = System.nanoTime();
        Analytics second = client(directory, down).build();
        long buildMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long recovered = second.metrics().recovered();
        long peak = peakHeap();
        System.gc();
        long heapAfter = usedHeap();
        second.close(Duration.ZERO);
        System.out.printf("recovery round %d: %,d messages in %,d bytes of spool: build() %,d ms, "
            + "recovered %,d, heap held after build %+,d KB, peak heap during build %,d MB%n", round,
            count, spoolBytes, buildMillis, recovered, (heapAfter - heapBefore) / 1024, peak / (1024 * 1024));
      }
    } finally {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(SpoolRecoveryBenchmark::delete);
      }
    }
  }

  private static Analytics.Builder client(Path directory, Transport transport) {
    return Analytics.builder("bench-key").transport(transport).spool(directory).shutdownHook(false)
        .spoolMaxBytes(1024L * 1024 * 1024).maxQueueSize(1_000).flushInterval(Duration.ofHours(1))
        .retryBackoff(Duration.ofSeconds(10), Duration.ofSeconds(10));
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
    }
  }

  private static long peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
    }
    return peak;
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (java.io.IOException e) {
      // A temporary directory: what cannot be deleted is left to the system.
    }
  }
}
