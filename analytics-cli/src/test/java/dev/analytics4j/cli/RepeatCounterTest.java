package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a plain reference (an array of counts indexed by key number; keys are regenerated from
 * their number). A small table (1,024 slots) makes thousands of runs and merges several levels
 * deep within seconds.
 */
class RepeatCounterTest {
  private static final boolean MERGE_THREAD_WRITES = true;
  @TempDir Path dir;

  /** Key number k: 128 random-looking bits; numbers at or above 1 << 40 forge collisions (below). */
  private static long hi(long k) {
    return k >= 1L << 40 ? 42 : mix(k); // forged: every one shares its top 64 bits (and filter block)
  }

  private static long lo(long k) {
    return k >= 1L << 40 ? mix(k) : mix(~k);
  }

  private static long mix(long z) {
    z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * 600,000 lines: new keys, repeats of any earlier key (the first ones too, hundreds of runs back),
   * keys forged to share their top 64 bits, and at the end every one of the first thousand keys
   * again: each occurrence number exact.
   */
  @Test
  void countsEveryOccurrenceExactlyAcrossThousandsOfRunsAndMerges() throws Exception {
    SplittableRandom random = new SplittableRandom(20);
    int[] reference = new int[1_000_000];
    int[] forged = new int[2_000];
    int keys = 0;
    try (RepeatCounter counter = new RepeatCounter(dir, RepeatRun.Disk.SYSTEM, 2048, 4)) {
      for (int line = 0; line < 600_000; line++) {
        int r = random.nextInt(100);
        if (r < 2) {
          int f = random.nextInt(forged.length); // same hi as every other forged key, its own lo
          long k = (1L << 40) + f;
          assertEquals(++forged[f], counter.increment(hi(k), lo(k)), "forged key " + f + " at line " + line);
        } else {
          int k = r < 12 && keys > 0 ? random.nextInt(keys) : keys++;
          assertEquals(++reference[k], counter.increment(hi(k), lo(k)), "key " + k + " at line " + line);
        }
      }
      counter.settle();
      for (int k = 0; k < 1000; k++) assertEquals(++reference[k], counter.increment(hi(k), lo(k)), "key " + k);
      long distinct = keys;
      for (int f : forged) distinct += f > 0 ? 1 : 0;
      assertEquals(distinct, counter.size());
      assertTrue(counter.runsWritten() > 400, "runs written: " + counter.runsWritten());
      assertTrue(counter.runs() <= 20, "runs after merging: " + counter.runs());
    }
  }

  /** Keys at the ends of the unsigned order (0, -1, the sign bit) sort, filter and merge like any other. */
  @Test
  void keysAtTheEndsOfTheUnsignedOrderAreCountedExactly() throws Exception {
    long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, -2};
    int[][] reference = new int[edges.length][edges.length];
    try (RepeatCounter counter = new RepeatCounter(dir, RepeatRun.Disk.SYSTEM, 64, 2)) {
      for (int round = 0; round < 40; round++) {
        for (int i = 0; i < edges.length; i++) {
          for (int j = 0; j < edges.length; j++) {
            assertEquals(++reference[i][j], counter.increment(edges[i], edges[j]), edges[i] + ":" + edges[j]);
          }
        }
        for (long k = round * 100L; k < round * 100L + 100; k++) assertEquals(1, counter.increment(hi(k), lo(k)));
      }
      assertTrue(counter.runsWritten() > 40, "runs written: " + counter.runsWritten());
      assertEquals(edges.length * edges.length + 4_000, counter.size());
    }
  }

  /** Merges held up mid-write while lookups and new runs go on; then let through: nothing lost. */
  @Test
  void lookupsStayExactWhileMergesAreUnderWayAndAfterTheyLand() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicLong mergeWrites = new AtomicLong();
    RepeatRun.Disk held = (channel, buffer, position) -> {
      if (Thread.currentThread().getName().startsWith("analytics4j-repeats-merge")) {
        mergeWrites.incrementAndGet();
        await(gate);
      }
      return channel.write(buffer, position);
    };
    SplittableRandom random = new SplittableRandom(7);
    int[] reference = new int[200_000];
    int keys = 0;
    try (RepeatCounter counter = new RepeatCounter(dir, held, 1024, 4)) {
      // 30 runs of 768 keys: merges start at 4 and stall; the table keeps flushing (under MAX_RUNS).
      while (counter.runsWritten() < 30) {
        int k = random.nextInt(10) == 0 && keys > 0 ? random.nextInt(keys) : keys++;
        assertEquals(++reference[k], counter.increment(hi(k), lo(k)));
      }
      assertTrue(mergeWrites.get() > 0, "a merge is under way");
      assertTrue(counter.runs() >= 30, "runs while merges are held: " + counter.runs());
      // One key in five (each a lookup through the held runs, each new to the table): 6 more runs, under MAX_RUNS.
      for (int k = 0; k < keys; k += 5) assertEquals(++reference[k], counter.increment(hi(k), lo(k)), "key " + k);
      gate.countDown();
      counter.settle();
      assertTrue(counter.runs() < 12, "runs once merged: " + counter.runs());
      for (int k = 0; k < keys; k++) assertEquals(++reference[k], counter.increment(hi(k), lo(k)), "key " + k);
    }
  }

  @Test
  void aDiskThatFillsWhileTheTableIsWrittenStopsWithTheFileAndNeverAWrongCount() throws Exception {
    failsCleanlyWhenTheDiskFills(!MERGE_THREAD_WRITES);
  }

  @Test
  void aDiskThatFillsDuringAMergeStopsWithTheFileAndNeverAWrongCount() throws Exception {
    failsCleanlyWhenTheDiskFills(MERGE_THREAD_WRITES);
  }

  private void failsCleanlyWhenTheDiskFills(boolean inMerge) throws Exception {
    AtomicLong room = new AtomicLong(inMerge ? Long.MAX_VALUE : 200_000);
    RepeatRun.Disk filling = (channel, buffer, position) -> {
      boolean merge = Thread.currentThread().getName().startsWith("analytics4j-repeats-merge");
      if (merge == inMerge && room.addAndGet(-buffer.remaining()) < 0) throw new IOException("No space left on device");
      return channel.write(buffer, position);
    };
    if (inMerge) room.set(100_000);
    int[] reference = new int[1_000_000];
    RepeatCounter counter = new RepeatCounter(dir, filling, 1024, 4);
    UncheckedIOException failure = null;
    int k = 0;
    for (; k < reference.length && failure == null; k++) {
      try {
        int key = k % 7 == 6 ? k / 2 : k;
        assertEquals(++reference[key], counter.increment(hi(key), lo(key)), "key " + key);
      } catch (UncheckedIOException e) {
        failure = e;
      }
    }
    assertTrue(failure != null, "no failure in " + k + " lines");
    String message = failure.getMessage();
    assertTrue(message.matches("the repeat counter's file " + java.util.regex.Pattern.quote(dir.toString())
        + ".analytics4j-repeats-\\d+\\.tmp cannot be written: No space left on device"), message);
    UncheckedIOException again = assertThrows(UncheckedIOException.class, () -> counter.increment(1, 2));
    assertSame(failure, again, "every later call fails the same way");
    assertEquals(0, filesIn(dir), "the failed file is gone too");
    counter.close();
    counter.close();
    assertEquals(0, filesIn(dir));
  }

  /**
   * A run whose pages can no longer be read (here: its file cut short under the mapping, what a
   * failing disk looks like to a mapping) stops the count. The JVM reports such a fault in compiled
   * code at a later check, possibly after the counter returned or inside another call; so this
   * asserts that it surfaces, as the counter's error naming the files when it lands in the counter
   * (and then every later call fails), else as the JVM's InternalError, which stops the importer
   * through its catch of any Throwable (exit 7).
   */
  @Test
  void aRunThatCannotBeReadStopsTheCount() throws Exception {
    AtomicReference<java.nio.channels.FileChannel> first = new AtomicReference<>();
    RepeatRun.Disk capturing = (channel, buffer, position) -> {
      first.compareAndSet(null, channel);
      return channel.write(buffer, position);
    };
    RepeatCounter counter = new RepeatCounter(dir, capturing, 1024, 100);
    for (long k = 0; k < 700; k++) assertEquals(1, counter.increment(hi(k), lo(k)));
    assertEquals(1, counter.runs());
    first.get().truncate(0);
    Throwable thrown = assertThrows(Throwable.class, () -> {
      for (long k = 0; k < 700; k++) counter.increment(hi(k), lo(k));
    });
    if (thrown instanceof UncheckedIOException) {
      assertTrue(thrown.getMessage().matches("the repeat counter's (file " + java.util.regex.Pattern.quote(dir.toString())
          + ".analytics4j-repeats-\\d+\\.tmp|files in " + java.util.regex.Pattern.quote(dir.toString())
          + ") cannot be read: .*"), thrown.getMessage());
      assertSame(thrown, assertThrows(UncheckedIOException.class, () -> counter.increment(1, 2)));
    } else {
      assertTrue(thrown instanceof InternalError && thrown.getMessage().contains("fault occurred"), thrown.toString());
    }
    counter.close();
  }

  /** Close waits for a merge under way before it unmaps the runs that merge reads. */
  @Test
  void closeDuringAMergeWaitsForItAndLeavesNothing() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch merging = new CountDownLatch(1);
    RepeatRun.Disk held = (channel, buffer, position) -> {
      if (Thread.currentThread().getName().startsWith("analytics4j-repeats-merge")) {
        merging.countDown();
        await(gate);
      }
      return channel.write(buffer, position);
    };
    RepeatCounter counter = new RepeatCounter(dir, held, 64, 2);
    for (long k = 0; k < 200; k++) assertEquals(1, counter.increment(hi(k), lo(k)));
    assertTrue(merging.await(60, TimeUnit.SECONDS), "a merge started");
    AtomicReference<Throwable> closeFailed = new AtomicReference<>();
    Thread closer = new Thread(() -> {
      try {
        counter.close();
      } catch (Throwable e) {
        closeFailed.set(e);
      }
    }, "closer");
    closer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (closer.getState() != Thread.State.WAITING) { // joining the merge thread
      assertTrue(System.nanoTime() - deadline < 0, "close waits for the merge: " + closer.getState());
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    gate.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(60));
    assertFalse(closer.isAlive(), "close returned");
    assertEquals(null, closeFailed.get());
    assertEquals(0, filesIn(dir));
    assertThrows(IllegalStateException.class, () -> counter.increment(1, 2));
    // A new counter in the same place starts from nothing: no state outlives its run.
    try (RepeatCounter next = new RepeatCounter(dir, RepeatRun.Disk.SYSTEM, 64, 2)) {
      for (long k = 0; k < 200; k++) assertEquals(1, next.increment(hi(k), lo(k)));
      assertEquals(2, next.increment(hi(0), lo(0)));
    }
  }

  /** The files are gone from the directory as soon as they are opened: a kill leaves nothing behind. */
  @Test
  @DisabledOnOs(OS.WINDOWS)
  void leavesNoFileBehindEvenBeforeClose() throws Exception {
    RepeatCounter counter = new RepeatCounter(dir, RepeatRun.Disk.SYSTEM, 1024, 4);
    for (long k = 0; k < 100_000; k++) counter.increment(hi(k), lo(k));
    assertTrue(counter.runs() > 0 && counter.fileBytes() > 100_000L * RepeatRun.RECORD_BYTES, "runs on disk");
    // A merge in the background creates its file and unlinks it once opened: let the merges under
    // way finish, or the listing can land in that instant (it did once, in a full verify).
    counter.settle();
    assertTrue(counter.runs() > 0, "runs still open and on disk");
    assertEquals(0, filesIn(dir));
    counter.close();
  }

  @Test
  void aDirectoryThatCannotHoldItSaysWhichAtTheFirstLine() {
    RepeatCounter counter = new RepeatCounter(dir.resolve("missing"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> counter.increment(1, 2));
    assertTrue(e.getMessage().startsWith("the repeat counter's file in " + dir.resolve("missing") + " cannot be created: "),
        e.getMessage());
    counter.close();
  }

  /** What the importer does with it: the run stops, exit 7, the file named; no line gets an id. */
  @Test
  void anImportWhoseRepeatTableCannotBeWrittenStopsWithExit7NamingIt() throws Exception {
    String line = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\"}\n";
    Importer importer = Importer.builder(dev.analytics4j.Analytics.builder("abc123")).dryRun(true)
        .source(Importer.Source.stream("in", new java.io.ByteArrayInputStream((line + line)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .state(null, false, dir.resolve("missing")).build();

    ImportResult result = importer.run();

    assertEquals(ImportResult.EXIT_INPUT, result.exitCode(), result.toString());
    String reason = java.util.Objects.requireNonNull(result.stop).reason;
    assertTrue(reason.startsWith("UncheckedIOException: the repeat counter's file in " + dir.resolve("missing")
        + " cannot be created: "), reason);
    assertTrue(reason.endsWith(" while reading in line 1"), reason);
  }

  @Test
  void aSmallRunNeedsNoFileAtAll() throws Exception {
    try (RepeatCounter counter = new RepeatCounter(dir)) {
      for (long k = 0; k < 10_000; k++) assertEquals(1, counter.increment(hi(k), lo(k)));
      assertEquals(2, counter.increment(hi(9_999), lo(9_999)));
      assertEquals(0, counter.runsWritten());
      assertEquals(0, filesIn(dir));
    }
  }

  private static void await(CountDownLatch gate) throws IOException {
    try {
      if (!gate.await(60, TimeUnit.SECONDS)) throw new IOException("the test never opened the gate");
    } catch (InterruptedException e) {
      throw new java.io.InterruptedIOException("interrupted at the gate");
    }
  }

  private static long filesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }
}
