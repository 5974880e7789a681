package dev.analytics4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one line a runner JVM prints for the driver: {@code RESULT key=value ...}. Also the
 * {@code MEASURE} / {@code GO} exchange that starts the measured part of a run.
 */
public final class Report {
  static final String RESULT = "RESULT ";
  static final String MEASURE = "MEASURE";
  static final String GO = "GO";

  /** The runner's threads' CPU when the measured part began; see {@link CpuSplit}. */
  private static volatile CpuSplit measuredFrom;

  private final Map<String, String> values = new LinkedHashMap<>();

  public Report put(String key, long value) {
    values.put(key, Long.toString(value));
    return this;
  }

  public Report put(String key, double value) {
    values.put(key, String.format(Locale.ROOT, "%.1f", value));
    return this;
  }

  public Report put(String key, String value) {
    if (value.indexOf(' ') >= 0 || value.indexOf('=') >= 0) throw new IllegalArgumentException("value: " + value);
    values.put(key, value);
    return this;
  }

  /** Adds the standard figures of a run of {@code messages} messages. */
  public Report run(Producers.Outcome outcome, long messages, long deliveredNanos, HeapProbe heap) {
    CpuSplit from = measuredFrom;
    // Printed for the driver to echo: which threads the run's CPU went to, per message.
    if (from != null) System.out.println(CpuSplit.snapshot().describe(from, messages));
    double seconds = (deliveredNanos - outcome.startNanos) / 1e9;
    put("messages", messages);
    put("seconds", seconds);
    put("msgsPerSecond", messages / seconds);
    put("enqueuePerSecond", messages / ((outcome.endNanos - outcome.startNanos) / 1e9));
    put("p50ns", outcome.percentile(50));
    put("p99ns", outcome.percentile(99));
    put("p999ns", outcome.percentile(99.9));
    put("maxns", outcome.latencies.length == 0 ? 0 : outcome.latencies[outcome.latencies.length - 1]);
    put("callerAllocBytes", outcome.allocatedPerMessage);
    put("peakLiveHeapBytes", heap.peakLiveBytes());
    return this;
  }

  /** Prints the line to standard output, where the driver reads it. */
  public void print() {
    StringBuilder line = new StringBuilder(RESULT);
    values.forEach((key, value) -> line.append(key).append('=').append(value).append(' '));
    System.out.println(line.toString().trim());
    System.out.flush();
  }

  /**
   * Tells the driver that the warm-up is delivered, and waits until it has read the collector's
   * counters: the first measured batch must not arrive before that.
   */
  public static void measuring() throws IOException {
    System.out.println(MEASURE);
    System.out.flush();
    String answer = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (!GO.equals(answer)) throw new IllegalStateException("expected " + GO + " from the driver: " + answer);
    measuredFrom = CpuSplit.snapshot();
  }

  static Map<String, String> parse(String line) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (String pair : line.substring(RESULT.length()).trim().split(" ")) {
      int eq = pair.indexOf('=');
      parsed.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return parsed;
  }
}
