package dev.analytics4j.benchmarks.own;

import dev.analytics4j.Analytics;
import dev.analytics4j.DropReason;
import dev.analytics4j.Metrics;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.Transport;
import dev.analytics4j.benchmarks.Workload;
import dev.analytics4j.messages.TrackMessage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a spool adds to {@code enqueue} on the caller's thread, per sync policy, beside memory mode:
 * build and enqueue a typical Track, sampled (p50, p99). The transport answers at once, so messages
 * are delivered and acknowledged as fast as they come and the spool stays small. The spool is in a
 * temporary directory on the default file system.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class SpoolEnqueueBenchmark {
  private static final Transport DISCARD = request -> new Transport.Response(200, null, "{\"success\":true}");

  @Param({"memory", "none", "interval-1s", "every-write"})
  public String mode;

  private Analytics analytics;
  private Path directory;
  private Map<String, Object> properties;
  private String[] userIds;
  private int n;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Analytics.Builder builder = Analytics.builder("benchmark-write-key").transport(DISCARD)
        .maxQueueSize(1_000_000).maxQueueBytes(1L << 30).shutdownHook(false);
    if (!mode.equals("memory")) {
      directory = Files.createTempDirectory("analytics4j-jmh-spool");
      builder.spool(directory).spoolMaxBytes(4L << 30);
      if (mode.equals("none")) builder.spoolSync(SpoolSync.NONE);
      if (mode.equals("every-write")) builder.spoolSync(SpoolSync.EVERY_WRITE);
      if (mode.equals("interval-1s")) builder.spoolSync(SpoolSync.interval(Duration.ofSeconds(1)));
    }
    analytics = builder.build();
    properties = Workload.trackProperties(1029);
    userIds = new String[5_000];
    for (int i = 0; i < userIds.length; i++) userIds[i] = Workload.userId(i);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    analytics.close(Duration.ofSeconds(30));
    Metrics metrics = analytics.metrics();
    if (metrics.dropped() != metrics.dropped(DropReason.SPOOLED)) {
      throw new IllegalStateException("dropped during the benchmark: " + metrics);
    }
    if (directory != null) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Benchmark
  public void trackBuildAndEnqueue() {
    analytics.enqueue(TrackMessage.builder(Workload.EVENT).userId(nextUserId()).properties(properties));
  }

  private String nextUserId() {
    n = n + 1 == userIds.length ? 0 : n + 1;
    return userIds[n];
  }
}
