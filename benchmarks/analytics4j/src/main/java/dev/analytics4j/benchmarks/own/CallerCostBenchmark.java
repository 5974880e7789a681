package dev.analytics4j.benchmarks.own;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.benchmarks.Workload;
import dev.analytics4j.internal.Wire;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What {@code enqueue} costs the caller's thread: build and enqueue a typical Track and an
 * Identify, and the encoding alone. The maps are made once in setup, so the allocation per
 * operation ({@code -prof gc}) is the library's own: its copies of the maps, the message, its
 * bytes, and the flusher's share of each batch.
 *
 * <p>The encoding alone goes through {@link Wire#encode}, the core's entry point for other modules,
 * which validates and serializes as {@code enqueue} does. Not final because JMH generates
 * subclasses of it. One short fork: these are for comparing changes on
 * one machine, not for publishing nanoseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-XX:+UseG1GC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class CallerCostBenchmark {
  /** Answers every request at once, so the benchmark measures the client and not a network. */
  private static final Transport DISCARD = request -> new Transport.Response(200, null, "{\"success\":true}");

  private Analytics analytics;
  /** The same client with one enrichment hook, for a scope per operation. */
  private Analytics hooked;
  private Map<String, Object> properties;
  private Map<String, Object> traits;
  private TrackMessage track;
  /** Made in setup, so that the caller's string concatenation is not counted as the library's. */
  private String[] userIds;
  private int n;

  @Setup(Level.Trial)
  public void setUp() {
    analytics = Analytics.builder("benchmark-write-key")
        .transport(DISCARD)
        .maxQueueSize(1_000_000)
        .maxQueueBytes(1L << 30)
        .shutdownHook(false)
        .build();
    hooked = Analytics.builder("benchmark-write-key")
        .transport(DISCARD)
        .maxQueueSize(1_000_000)
        .maxQueueBytes(1L << 30)
        .shutdownHook(false)
        .beforeSend(message -> message.context().put("region", "eu-west-1"))
        .build();
    properties = Workload.trackProperties(1029);
    traits = Workload.identifyTraits(1029);
    userIds = new String[5_000];
    for (int i = 0; i < userIds.length; i++) userIds[i] = Workload.userId(i);
    track = TrackMessage.builder(Workload.EVENT).userId("usr_8f41c2").properties(properties).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    analytics.close();
    hooked.close();
  }

  @Benchmark
  public void trackBuildAndEnqueue(CpuTime cpu) {
    analytics.enqueue(TrackMessage.builder(Workload.EVENT).userId(nextUserId()).properties(properties));
    cpu.calls++;
  }

  /**
   * A scope opened and closed per message (a request that sends one event: the worst case for a
   * scope) with the user and one property, and one hook adding a context key. Compare it with
   * {@link #trackBuildAndEnqueue} in one run; on a shared machine compare the caller's CPU time each
   * prints, which other processes inflate less than the time per operation.
   */
  @Benchmark
  public void trackInScopeWithHook(CpuTime cpu) {
    try (AnalyticsContext.Scope scope = hooked.context().userId(nextUserId()).property("tenant", "acme").open()) {
      hooked.enqueue(TrackMessage.builder(Workload.EVENT).properties(properties));
    }
    cpu.calls++;
  }

  /**
   * {@link #trackBuildAndEnqueue} with what the calling thread alone allocated inside each call,
   * printed per message at the end of each iteration: {@code -prof gc} counts every thread, the
   * flusher's batch bodies included.
   */
  @Benchmark
  public void trackBuildAndEnqueueCallerBytes(CallerBytes bytes) {
    long before = THREADS.getThreadAllocatedBytes(bytes.thread);
    analytics.enqueue(TrackMessage.builder(Workload.EVENT).userId(nextUserId()).properties(properties));
    bytes.allocated += THREADS.getThreadAllocatedBytes(bytes.thread) - before;
    bytes.calls++;
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** What the benchmark thread allocated inside the measured calls of one iteration. */
  @State(Scope.Thread)
  public static class CallerBytes {
    long thread;
    long allocated;
    long calls;

    @Setup(Level.Iteration)
    public void start() {
      thread = Thread.currentThread().getId();
      allocated = 0;
      calls = 0;
    }

    @TearDown(Level.Iteration)
    public void report() {
      System.out.printf(Locale.ROOT, "%n  caller's thread: %.1f B per Track built and enqueued%n",
          calls == 0 ? 0.0 : (double) allocated / calls);
    }
  }

  /**
   * The caller's part of the design not shipped ({@link SnapshotYardstick}): build, deep-snapshot and
   * size the Track exactly; nothing is encoded or queued, so all of {@code -prof gc}'s bytes are the
   * caller's. The encode would follow on the client's threads: compare with {@link #trackBuildAndEnqueue}
   * and {@link #trackEncode} in one run.
   */
  @Benchmark
  public long trackSnapshotOnCaller(CpuTime cpu) {
    TrackMessage message = TrackMessage.builder(Workload.EVENT).userId(nextUserId())
        .properties(SnapshotYardstick.deepSnapshot(properties)).build();
    long size = 250 + SnapshotYardstick.size(message.properties()); // 250: the envelope, roughly
    if (size > 32_000) throw new IllegalArgumentException("too large: " + size);
    cpu.calls++;
    return size;
  }

  @Benchmark
  public void identifyBuildAndEnqueue(CpuTime cpu) {
    analytics.enqueue(IdentifyMessage.builder().userId(nextUserId()).traits(traits));
    cpu.calls++;
  }

  @Benchmark
  public TrackMessage trackBuild() {
    return TrackMessage.builder(Workload.EVENT).userId(nextUserId()).properties(properties).build();
  }

  @Benchmark
  public EncodedMessage trackEncode(CpuTime cpu) {
    cpu.calls++;
    return Wire.encode(analytics, track);
  }

  /**
   * A Track built and enqueued on a virtual thread started for it, as a server with a virtual thread
   * per request sends one event: compare with {@link #newVirtualThreadAlone} in the same run, the
   * difference is the message's. Needs Java 21 or later to run (the module compiles for 11); on an
   * older JVM it fails at its first operation with a message that says so.
   */
  @Benchmark
  public void trackOnNewVirtualThread() throws Throwable {
    Thread thread = (Thread) startVirtualThread().invokeExact(enqueueTrack);
    thread.join();
  }

  /** The start and join of a virtual thread that does nothing: {@link #trackOnNewVirtualThread}'s baseline. */
  @Benchmark
  public void newVirtualThreadAlone() throws Throwable {
    Thread thread = (Thread) startVirtualThread().invokeExact(NOTHING);
    thread.join();
  }

  private static final Runnable NOTHING = () -> {};
  private final Runnable enqueueTrack =
      () -> analytics.enqueue(TrackMessage.builder(Workload.EVENT).userId(nextUserId()).properties(properties));

  /** Java 21's {@code Thread.startVirtualThread(Runnable)}. */
  private static MethodHandle startVirtualThread() {
    if (START_VIRTUAL_THREAD == null) {
      throw new UnsupportedOperationException("virtual threads need Java 21 or later; this is "
          + System.getProperty("java.version"));
    }
    return START_VIRTUAL_THREAD;
  }

  /** Null before Java 21. */
  private static final MethodHandle START_VIRTUAL_THREAD = findStartVirtualThread();

  private static MethodHandle findStartVirtualThread() {
    try {
      return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
          MethodType.methodType(Thread.class, Runnable.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }

  /**
   * The CPU time the benchmark thread used per operation in each iteration, printed after it: on a
   * shared machine whose other processes take the cores, the time per operation JMH reports is mostly
   * time spent waiting for a core, while the thread's own CPU time is what the call costs.
   */
  @State(Scope.Thread)
  public static class CpuTime {
    long calls;
    private long startNanos;

    @Setup(Level.Iteration)
    public void start() {
      calls = 0;
      startNanos = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void report() {
      long used = THREADS.getCurrentThreadCpuTime() - startNanos;
      System.out.printf(Locale.ROOT, "%n  caller's thread CPU: %.0f ns per operation%n",
          calls == 0 ? 0.0 : (double) used / calls);
    }
  }

  private String nextUserId() {
    n = n + 1 == userIds.length ? 0 : n + 1;
    return userIds[n];
  }

  public static void main(String[] args) throws RunnerException {
    new Runner(new OptionsBuilder()
        .include(CallerCostBenchmark.class.getSimpleName())
        .addProfiler("gc")
        .build()).run();
  }
}
