package dev.analytics4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches the live heap of this JVM: the largest heap left after any collection while it runs, and
 * an exact figure on demand after a full collection.
 *
 * <p>Heap in use between collections is mostly garbage waiting for the next young collection, so
 * it says little about what a client retains; the usage each pool reports right after a collection
 * does (G1's young collections report the old generation too).
 */
public final class HeapProbe implements AutoCloseable {
  private final List<MemoryPoolMXBean> pools = new ArrayList<>();
  private final AtomicLong peak = new AtomicLong();
  private final Thread sampler;
  private volatile boolean running = true;

  private HeapProbe() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) pools.add(pool);
    }
    sampler = new Thread(this::sample, "heap-probe");
    sampler.setDaemon(true);
  }

  /** Starts sampling every 10 ms. */
  public static HeapProbe start() {
    HeapProbe probe = new HeapProbe();
    probe.sampler.start();
    return probe;
  }

  private void sample() {
    while (running) {
      long live = 0;
      for (MemoryPoolMXBean pool : pools) {
        MemoryUsage usage = pool.getCollectionUsage();
        if (usage != null) live += usage.getUsed();
      }
      peak.accumulateAndGet(live, Math::max);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Forgets the peak seen so far, so the next figures cover only what follows. */
  public void resetPeak() {
    peak.set(0);
  }

  /** The largest heap left after a collection since the start or the last {@link #resetPeak()}. */
  public long peakLiveBytes() {
    return peak.get();
  }

  /** Heap in use right after a full collection: what is reachable now. */
  public static long liveBytesAfterFullGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
