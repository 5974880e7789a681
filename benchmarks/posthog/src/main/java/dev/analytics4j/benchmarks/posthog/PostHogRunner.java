package dev.analytics4j.benchmarks.posthog;

import com.posthog.server.PostHog;
import com.posthog.server.PostHogCaptureOptions;
import com.posthog.server.PostHogConfig;
import com.posthog.server.PostHogInterface;
import dev.analytics4j.benchmarks.HeapProbe;
import dev.analytics4j.benchmarks.Producers;
import dev.analytics4j.benchmarks.Report;
import dev.analytics4j.benchmarks.RunSpec;
import dev.analytics4j.benchmarks.Workload;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Runs the loopback workload through PostHog's JVM server SDK (posthog-server 2.3.3), in a JVM of
 * its own started by the driver, and prints one {@code RESULT} line.
 *
 * <p>posthog-server reports no delivery to the caller, so the runner asks the collector how many
 * events it has counted (a GET on any path answers that number) until all of its own have arrived.
 */
public final class PostHogRunner {
  private static final long DELIVERY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

  private PostHogRunner() {}

  public static void main(String[] args) throws Exception {
    RunSpec spec = RunSpec.parse(args);
    if (!spec.settings.equals("default")) throw new IllegalArgumentException("settings: " + spec.settings);
    long before = collectorCount(spec.url);

    // Its defaults, but a queue that holds the whole run (as both other clients get), and no
    // feature-flag traffic: this run measures capture alone.
    PostHogConfig config = PostHogConfig.builder("benchmark-write-key")
        .host(spec.url)
        .maxQueueSize((int) Math.min(Integer.MAX_VALUE, spec.messages() + spec.warmupMessages()))
        .preloadFeatureFlags(false)
        .remoteConfig(false)
        .sendFeatureFlagEvent(false)
        .build();
    PostHogInterface posthog = PostHog.Companion.with(config);
    HeapProbe heap = HeapProbe.start();
    Producers.Sender sender = (userId, properties) -> posthog.capture(userId, Workload.EVENT,
        new PostHogCaptureOptions.Builder().properties(properties).build());

    long warm = Producers.warmUp(spec, sender, total -> awaitDelivered(posthog, spec.url, before + total));
    heap.resetPeak();
    Report.measuring();

    Producers.Outcome outcome = Producers.run(spec.producers, spec.perProducer, 0, sender);
    long delivered = awaitDelivered(posthog, spec.url, before + warm + spec.messages());

    new Report().run(outcome, spec.messages(), delivered, heap)
        .put("delivered", collectorCount(spec.url) - before - warm)
        .put("failed", 0L)
        .put("dropped", 0L)
        .print();
    posthog.close();
    heap.close();
    System.exit(0);
  }

  /** Flushes, then waits until the collector has counted {@code total}; returns when it had. */
  private static long awaitDelivered(PostHogInterface posthog, String url, long total) throws Exception {
    posthog.flush();
    long deadline = System.nanoTime() + DELIVERY_TIMEOUT_NANOS;
    long count;
    while ((count = collectorCount(url)) < total) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("posthog-server did not deliver in time: " + count + " of " + total);
      }
      TimeUnit.MILLISECONDS.sleep(2);
    }
    return System.nanoTime();
  }

  private static long collectorCount(String url) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(url + "/count").openConnection();
    try (InputStream in = connection.getInputStream()) {
      return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
    }
  }
}
