package dev.analytics4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs producer threads that each enqueue messages through a client and time every call, at full
 * speed or at a fixed rate.
 */
public final class Producers {
  /** Enqueues message {@code n} through the client under test. */
  public interface Sender {
    void send(String userId, Map<String, Object> properties);
  }

  /** Waits until the client has delivered {@code total} warm-up messages in all. */
  public interface Delivery {
    void await(long total) throws Exception;
  }

  /**
   * Warms a client up: every producer sends {@code spec.warmupPerProducer} messages, which are
   * delivered before anything else happens; repeated until {@code spec.warmupSeconds} have passed.
   * Returns the warm-up messages sent, which the runner then leaves out of what it counts.
   */
  public static long warmUp(RunSpec spec, Sender sender, Delivery delivery) throws Exception {
    long end = System.nanoTime() + spec.warmupSeconds * 1_000_000_000L;
    long sent = 0;
    do {
      run(spec.producers, spec.warmupPerProducer, 0, sender);
      sent += spec.warmupMessages();
      delivery.await(sent);
    } while (System.nanoTime() - end < 0 && spec.warmupMessages() > 0);
    return sent;
  }

  /** What the producers measured. */
  public static final class Outcome {
    /** Every enqueue's duration in nanoseconds, sorted. */
    public final long[] latencies;
    /** Bytes the producer threads allocated inside the timed calls, per message. */
    public final double allocatedPerMessage;
    public final long startNanos;
    public final long endNanos;

    Outcome(long[] latencies, double allocatedPerMessage, long startNanos, long endNanos) {
      this.latencies = latencies;
      this.allocatedPerMessage = allocatedPerMessage;
      this.startNanos = startNanos;
      this.endNanos = endNanos;
    }

    public long percentile(double p) {
      if (latencies.length == 0) return 0;
      int index = (int) Math.ceil(p / 100 * latencies.length) - 1;
      return latencies[Math.max(0, Math.min(latencies.length - 1, index))];
    }
  }

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Producers() {}

  /**
   * Starts {@code threads} producers that send {@code perThread} messages each, then waits for
   * them. With {@code ratePerSecond > 0} the producers together keep to that rate.
   */
  public static Outcome run(int threads, int perThread, double ratePerSecond, Sender sender)
      throws InterruptedException {
    long[][] latencies = new long[threads][];
    long[] allocated = new long[threads];
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] workers = new Thread[threads];
    double perThreadInterval = ratePerSecond > 0 ? threads * 1e9 / ratePerSecond : 0;
    long[] startNanos = new long[1];
    for (int t = 0; t < threads; t++) {
      int id = t;
      workers[t] = new Thread(() -> {
        long[] mine = new long[perThread];
        // getCurrentThreadAllocatedBytes is Java 14+; the harness runs on the library's Java 11.
        long self = Thread.currentThread().getId();
        long bytes = 0;
        try {
          start.await();
          long begin = startNanos[0];
          for (int i = 0; i < perThread; i++) {
            long n = (long) id * perThread + i;
            if (perThreadInterval > 0) {
              long due = begin + (long) (i * perThreadInterval);
              long wait;
              while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
            }
            // Made before the clock starts: what the application does, not what the client costs.
            String userId = Workload.userId(n);
            Map<String, Object> properties = Workload.trackProperties(n);
            long allocatedBefore = THREADS.getThreadAllocatedBytes(self);
            long t0 = System.nanoTime();
            sender.send(userId, properties);
            long t1 = System.nanoTime();
            bytes += THREADS.getThreadAllocatedBytes(self) - allocatedBefore;
            mine[i] = t1 - t0;
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
        latencies[id] = mine;
        allocated[id] = bytes;
      }, "producer-" + t);
      workers[t].start();
    }
    startNanos[0] = System.nanoTime();
    start.countDown();
    for (Thread worker : workers) worker.join();
    long end = System.nanoTime();
    if (failure.get() != null) throw new IllegalStateException("a producer failed", failure.get());

    long[] all = new long[threads * perThread];
    long totalAllocated = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(latencies[t], 0, all, t * perThread, perThread);
      totalAllocated += allocated[t];
    }
    Arrays.sort(all);
    return new Outcome(all, all.length == 0 ? 0 : (double) totalAllocated / all.length, startNanos[0], end);
  }
}
