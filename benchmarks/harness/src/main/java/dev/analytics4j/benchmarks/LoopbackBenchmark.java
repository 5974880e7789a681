package dev.analytics4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark: one collector on 127.0.0.1, and each run in a fresh JVM of its own,
 * analytics4j's runner, analytics-java's or posthog-server's, each with only its own client on the
 * classpath.
 *
 * <p>Arguments: the directory of the benchmarks module, then {@code quick} for a short smoke run,
 * {@code throughput} for the throughput runs alone (to repeat them for a median), {@code own} for
 * analytics4j's default throughput run alone, or {@code spool}.
 * Each runner's classpath is read from {@code <module>/target/runtime-classpath.txt}, written by
 * the build.
 */
public final class LoopbackBenchmark {
  private static final String OWN = "dev.analytics4j.benchmarks.own.Analytics4jRunner";
  private static final String SEGMENT = "dev.analytics4j.benchmarks.segment.AnalyticsJavaRunner";
  private static final String POSTHOG = "dev.analytics4j.benchmarks.posthog.PostHogRunner";
  private static final List<String> JVM_OPTIONS = List.of("-Xmx1g", "-XX:+UseG1GC");
  /**
   * {@code -Dwarmup.seconds=N}: every client's warm-up repeated until N seconds have passed, so that
   * its JIT has finished and the run measures the steady state a long-running service sees. 0 (the
   * default) keeps the one warm-up round the figures were taken with, which ends while the
   * JIT still compiles (its threads take 3.5-5 us of CPU per measured message on 2 cores).
   */
  private static final int WARMUP_SECONDS = Integer.getInteger("warmup.seconds", 0);
  /**
   * {@code -Drunner.core=JAR}: analytics4j's runner uses this analytics-core jar instead of the
   * build's, so that {@code benchmarks/compare.sh} runs two builds of the library in one sitting.
   */
  private static final String CORE_JAR = System.getProperty("runner.core", "").trim();

  private final Path modules;
  private final Collector collector;
  private final List<String> rows = new ArrayList<>();
  /** While the collector's warm-up runs: their runners' output is not printed. */
  private boolean warmingUp;
  private final List<String> spoolRatios = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "outage-switch");
    thread.setDaemon(true);
    return thread;
  });

  private LoopbackBenchmark(Path modules, Collector collector) {
    this.modules = modules;
    this.collector = collector;
  }

  public static void main(String[] args) throws Exception {
    // Read once when the JDK server class loads; without it every response waits on Nagle's delay.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (args.length < 1) throw new IllegalArgumentException("usage: LoopbackBenchmark <benchmarks dir> [quick]");
    Path modules = Paths.get(args[0]);
    int scale = args.length > 1 && args[1].equals("quick") ? 10 : 1;
    boolean spoolOnly = args.length > 1 && args[1].equals("spool");
    boolean throughputOnly = args.length > 1 && args[1].equals("throughput");
    try (Collector collector = new Collector()) {
      long warmMillis = collector.warmUp(500);
      LoopbackBenchmark benchmark = new LoopbackBenchmark(modules, collector);
      warmMillis += benchmark.warmUpWithClients(scale);
      System.out.printf(Locale.ROOT, "collector warmed up in %.1f s (2,000 batches from 4 threads, each client's"
          + " default run at a tenth of its size, not reported, then its JIT idle)%n", warmMillis / 1000.0);
      if (spoolOnly) {
        benchmark.runSpool(1);
      } else if (throughputOnly) {
        benchmark.runThroughput(1);
      } else if (args.length > 1 && args[1].equals("own")) {
        // analytics4j's default throughput run alone: the quick loop while profiling or tuning it.
        benchmark.run("analytics4j", OWN, spec("default", collector.url(), 4, 50_000,
            Integer.getInteger("warmup", 10_000)));
        benchmark.printTable();
      } else {
        benchmark.runAll(scale);
        benchmark.runSpool(scale);
      }
      benchmark.timer.shutdownNow();
    }
  }

  /**
   * Runs each client once at its defaults, at a tenth of a throughput run's size, and reports
   * nothing: the collector's JVM compiles what each client's requests exercise (its header parsing,
   * socket reads and selector loop over 4 kept-alive connections) before any run is measured. The
   * generic warm-up alone left C2 here compiling for most of the first client's run: 1.4-2.7 us of
   * CPU per message of that run, on the cores that client needs, where later runs paid nothing.
   */
  private long warmUpWithClients(int scale) throws Exception {
    long started = System.nanoTime();
    String url = collector.url();
    int perProducer = Math.max(1_000, 5_000 / scale);
    warmingUp = true;
    try {
      run("analytics4j", OWN, spec("default", url, 4, perProducer, 1_000));
      run("analytics-java", SEGMENT, spec("default", url, 4, perProducer, 1_000));
      run("posthog-server", POSTHOG, spec("default", url, 4, perProducer, 1_000));
    } finally {
      warmingUp = false;
      rows.clear();
    }
    awaitIdleJit();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  /**
   * Waits until this JVM's JIT has compiled nothing for a second, at most 20 s; returns the
   * milliseconds it waited.
   */
  private static long awaitIdleJit() throws InterruptedException {
    long started = System.nanoTime();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long deadline = started + TimeUnit.SECONDS.toNanos(20);
    for (long last = jit.getTotalCompilationTime(); System.nanoTime() < deadline; ) {
      Thread.sleep(1_000);
      long now = jit.getTotalCompilationTime();
      if (now - last < 10) break; // under 10 ms of compiling in the last second
      last = now;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  private void runAll(int scale) throws Exception {
    String url = collector.url();
    int producers = 4;
    runThroughput(scale);

    header("Slow endpoint: the collector answers each request after 50 ms");
    collector.delay(50);
    int slowPerProducer = 10_000 / scale;
    Map<String, String> ownSlow = run("analytics4j", OWN, spec("default", url, producers, slowPerProducer, 0));
    Map<String, String> segmentSlow = run("analytics-java", SEGMENT, spec("default", url, producers, slowPerProducer, 0));
    Map<String, String> posthogSlow = run("posthog-server", POSTHOG, spec("default", url, producers, slowPerProducer, 0));
    collector.delay(0);
    printTable();
    ratio("slow endpoint, defaults", ownSlow, segmentSlow);
    ratio("slow endpoint, defaults", ownSlow, posthogSlow);

    long outageMillis = 30_000 / scale;
    long outageStart = 3_000 / scale;
    long runMillis = outageStart + outageMillis + 7_000 / scale;
    int rate = 4_000;
    header(String.format(Locale.ROOT, "Outage: the collector answers 503 for %d s while 2 producers enqueue %,d"
        + " msgs/s in all", outageMillis / 1000, rate));
    RunSpec outage = new RunSpec("outage", url, 2, (int) (rate / 2 * runMillis / 1000), 5_000 / scale, rate,
        outageStart, outageMillis);
    Map<String, String> outcome = run("analytics4j", OWN, outage);
    printTable();
    System.out.printf(Locale.ROOT,
        "enqueued %s, delivered %s, dropped %s (queue full), failed %s, retries %s; live heap near the end of"
            + " the outage %.1f MB over the warm client, budget maxQueueBytes %.1f MB; first delivery %.2f s"
            + " after the outage ended; flush complete: %s%n",
        outcome.get("messages"), outcome.get("delivered"), outcome.get("droppedQueueFull"), outcome.get("failed"),
        outcome.get("retries"), mb(outcome.get("heapInOutageBytes")), mb(outcome.get("queueBudgetBytes")),
        outcome.get("resumeSeconds") == null ? Double.NaN : Double.parseDouble(outcome.get("resumeSeconds")),
        outcome.get("flushComplete"));
  }

  /** Every client at its defaults (and analytics4j and analytics-java tuned) against a collector answering at once. */
  private void runThroughput(int scale) throws Exception {
    String url = collector.url();
    int producers = 4;
    int perProducer = 50_000 / scale;
    int warmup = 10_000 / scale;
    System.out.printf(Locale.ROOT, "%d cores, %s %s; %d producers; each runner in its own JVM (%s); warm-up"
            + " %,d messages per producer%s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
        System.getProperty("java.version"), producers, String.join(" ", JVM_OPTIONS), warmup,
        WARMUP_SECONDS > 0 ? ", repeated for " + WARMUP_SECONDS + " s (steady state)" : " (JVM under a second old)");

    header("Throughput: loopback collector answering 200 at once");
    Map<String, String> ownDefault = run("analytics4j", OWN, spec("default", url, producers, perProducer, warmup));
    run("analytics4j", OWN, spec("gzip", url, producers, perProducer, warmup));
    Map<String, String> ownTuned = run("analytics4j", OWN, spec("tuned", url, producers, perProducer, warmup));
    Map<String, String> segmentDefault = run("analytics-java", SEGMENT, spec("default", url, producers, perProducer, warmup));
    Map<String, String> segmentTuned = run("analytics-java", SEGMENT, spec("tuned", url, producers, perProducer, warmup));
    Map<String, String> posthogDefault = run("posthog-server", POSTHOG, spec("default", url, producers, perProducer, warmup));
    printTable();
    ratio("defaults", ownDefault, segmentDefault);
    ratio("tuned", ownTuned, segmentTuned);
    ratio("defaults", ownDefault, posthogDefault);
  }

  /** Durable delivery: memory mode beside the spool with each sync policy, then an outage with a spool. */
  private void runSpool(int scale) throws Exception {
    String url = collector.url();
    int producers = 4;
    int perProducer = 50_000 / scale;
    int warmup = 10_000 / scale;
    header("Durable delivery: memory mode beside the spool (tmp dir on this machine's disk) per sync policy");
    Map<String, String> memory = run("analytics4j", OWN, spec("default", url, producers, perProducer, warmup));
    for (String settings : List.of("spool-none", "spool-default", "spool-every-write")) {
      Map<String, String> spooled = run("analytics4j", OWN, spec(settings, url, producers, perProducer, warmup));
      spoolRatios.add(String.format(Locale.ROOT, "%s / memory: %.2fx msgs/s, enqueue p50 %.2fx",
          settings, Double.parseDouble(spooled.get("msgsPerSecond")) / Double.parseDouble(memory.get("msgsPerSecond")),
          Double.parseDouble(spooled.get("p50ns")) / Double.parseDouble(memory.get("p50ns"))));
    }
    printTable();
    spoolRatios.forEach(System.out::println);
    spoolRatios.clear();

    long outageMillis = 30_000 / scale;
    long outageStart = 3_000 / scale;
    long runMillis = outageStart + outageMillis + 7_000 / scale;
    int rate = 4_000;
    header(String.format(Locale.ROOT, "Outage with a spool: the collector answers 503 for %d s while 2 producers"
        + " enqueue %,d msgs/s in all; window 10,000 msgs / 8 MB, spool budget 256 MB; backoff capped at 5 s,"
        + " maxRetryDuration %d s", outageMillis / 1000, rate, outageMillis / 3000));
    RunSpec outage = new RunSpec("outage-spool", url, 2, (int) (rate / 2 * runMillis / 1000), 5_000 / scale, rate,
        outageStart, outageMillis);
    Map<String, String> outcome = run("analytics4j", OWN, outage);
    printTable();
    System.out.printf(Locale.ROOT,
        "enqueued %s, delivered %s, dropped %s, failed %s; live heap near the end of the outage %.1f MB over"
            + " the warm client, spool %.1f MB on disk; first delivery %.2f s after the outage ended; flush"
            + " complete: %s%n",
        outcome.get("messages"), outcome.get("delivered"), outcome.get("dropped"), outcome.get("failed"),
        mb(outcome.get("heapInOutageBytes")), mb(outcome.get("spoolInOutageBytes")),
        outcome.get("resumeSeconds") == null ? Double.NaN : Double.parseDouble(outcome.get("resumeSeconds")),
        outcome.get("flushComplete"));
  }

  private static RunSpec spec(String settings, String url, int producers, int perProducer, int warmup) {
    return new RunSpec(settings, url, producers, perProducer, warmup, WARMUP_SECONDS, 0, 0, 0);
  }

  /** {@code classpath} with its analytics-core jar replaced by {@code jar}; fails if it has none. */
  /** Starts a runner JVM, switches the collector as its spec says, and returns its figures. */
  private Map<String, String> run(String client, String mainClass, RunSpec spec) throws Exception {
    Path module = modules.resolve(mainClass.equals(OWN) ? "analytics4j"
        : mainClass.equals(POSTHOG) ? "posthog" : "analytics-java");
    String classpath = module.resolve("target/classes") + java.io.File.pathSeparator
        + new String(Files.readAllBytes(module.resolve("target/runtime-classpath.txt")), StandardCharsets.UTF_8).trim();
    if (mainClass.equals(OWN) && !CORE_JAR.isEmpty()) classpath = CoreJar.swap(classpath, CORE_JAR);
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    // For profiling a runner (e.g. -Drunner.options="-XX:StartFlightRecording=filename=own.jfr"),
    // without editing the fixed options every published figure was taken with.
    String extra = System.getProperty("runner.options", "").trim();
    if (!extra.isEmpty()) command.addAll(List.of(extra.split("\\s+")));
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(spec.toArgs());
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Writer go = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);

    Collector.Counts start = null;
    CpuSplit collectorCpu = null;
    long[] outageEnd = new long[1];
    Map<String, String> result = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.equals(Report.MEASURE)) {
          start = collector.counts();
          collectorCpu = CpuSplit.snapshot();
          if (spec.outageMillis > 0) scheduleOutage(spec, outageEnd);
          go.write(Report.GO + "\n");
          go.flush();
        } else if (line.startsWith(Report.RESULT)) {
          result = Report.parse(line);
        } else {
          if (!warmingUp) System.out.println("  [" + client + "] " + line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result == null || start == null) {
      throw new IllegalStateException(client + " " + spec.settings + " runner failed, exit " + exit);
    }
    Collector.Counts counts = collector.counts().minus(start);
    // This JVM is the collector (the driver itself sleeps in readLine): its share of the 2 cores.
    if (!warmingUp) System.out.println("  [collector] " + CpuSplit.snapshot().describe(collectorCpu, Math.max(1, counts.messages)));
    result.put("client", client);
    result.put("settings", spec.settings);
    result.put("requests", Long.toString(counts.requests));
    result.put("collectorMessages", Long.toString(counts.messages));
    result.put("wireBytes", Long.toString(counts.wireBytes));
    result.put("jsonBytes", Long.toString(counts.jsonBytes));
    result.put("rejected", Long.toString(counts.rejected));
    long firstSuccess = collector.firstSuccessAfterOutageNanos();
    if (spec.outageMillis > 0 && firstSuccess != 0 && outageEnd[0] != 0) {
      result.put("resumeSeconds", String.format(Locale.ROOT, "%.3f", (firstSuccess - outageEnd[0]) / 1e9));
    }
    rows.add(row(result));
    return result;
  }

  private void scheduleOutage(RunSpec spec, long[] outageEnd) {
    timer.schedule(() -> collector.failing(true), spec.outageStartMillis, TimeUnit.MILLISECONDS);
    timer.schedule(() -> {
      collector.failing(false);
      outageEnd[0] = System.nanoTime();
    }, spec.outageStartMillis + spec.outageMillis, TimeUnit.MILLISECONDS);
  }

  private static void header(String title) {
    System.out.println();
    System.out.println("== " + title);
  }

  private void printTable() {
    System.out.println("| client | settings | messages | msgs/s | enqueue p50 / p99 / p99.9 / max (us) | requests"
        + " | wire MB (B/msg) | JSON MB | caller alloc B/msg | peak live heap MB |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    rows.forEach(System.out::println);
    rows.clear();
  }

  private static String row(Map<String, String> r) {
    long messages = Long.parseLong(r.get("collectorMessages"));
    long wire = Long.parseLong(r.get("wireBytes"));
    return String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %s / %s / %s / %s | %,d | %.1f (%d) | %.1f | %,.0f | %.1f |",
        r.get("client"), r.get("settings"), messages, Double.parseDouble(r.get("msgsPerSecond")),
        micros(r.get("p50ns")), micros(r.get("p99ns")), micros(r.get("p999ns")), micros(r.get("maxns")),
        Long.parseLong(r.get("requests")), wire / 1e6, messages == 0 ? 0 : wire / messages,
        Long.parseLong(r.get("jsonBytes")) / 1e6, Double.parseDouble(r.get("callerAllocBytes")),
        mb(r.get("peakLiveHeapBytes")));
  }

  private static void ratio(String what, Map<String, String> own, Map<String, String> other) {
    double ratio = Double.parseDouble(own.get("msgsPerSecond")) / Double.parseDouble(other.get("msgsPerSecond"));
    System.out.printf(Locale.ROOT, "analytics4j / %s, %s: %.1fx messages/s%n", other.get("client"), what, ratio);
  }

  private static String micros(String nanos) {
    double us = Long.parseLong(nanos) / 1e3;
    return us < 10 ? String.format(Locale.ROOT, "%.2f", us) : String.format(Locale.ROOT, "%,.0f", us);
  }

  private static double mb(String bytes) {
    return bytes == null ? Double.NaN : Long.parseLong(bytes) / (1024.0 * 1024.0);
  }
}
