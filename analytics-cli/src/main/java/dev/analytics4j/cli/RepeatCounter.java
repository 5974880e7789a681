package dev.analytics4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How many times each 128-bit fingerprint was seen, exactly, with a heap that stays the same
 * whatever the input's length: a log-structured merge of {@link RepeatRun}s on disk.
 *
 * <p>New fingerprints go into a small table on the heap (2^18 slots, 6 MiB); when it is five
 * eighths full (163,840 fingerprints) it is sorted and written out, front to back, as an immutable run with a Bloom
 * filter, and emptied. Runs of the same level are merged four at a time, on a thread of their own,
 * into one run of the next level (a key in several keeps its largest count, the latest), so a run
 * of n distinct fingerprints keeps about log4(n / 163,840) levels of at most a few runs each, and
 * each fingerprint is written about once per level. Nothing is ever written twice in place, so the
 * kernel writes each page back at most once (a mapped hash table's random inserts made it write
 * the whole table again every 30 s).
 *
 * <p>A lookup is synchronous and exact: the table, then every run whose filter lets the key
 * through (a fingerprint never seen before, the common case, is ruled out by each filter: no
 * search, no read but a cached cache line), taking the largest count found. Counts only grow, so
 * the largest is the latest wherever it sits, while merges replace runs underneath.
 *
 * <p>Not thread-safe: the reader thread alone uses it; merges touch only runs they were given.
 * A write or read error (the disk full) throws an {@link UncheckedIOException} naming the file,
 * and so does every later call: a count that might be wrong is never returned.
 */
final class RepeatCounter implements AutoCloseable {
  static final int DEFAULT_TABLE_SLOTS = 1 << 18;
  static final int FANOUT = 4;
  /** Past this many runs the reader waits for a merge: lookups stay bounded at any speed. */
  static final int MAX_RUNS = 48;

  private final Path directory;
  private final RepeatRun.Disk disk;
  private final int slots;
  private final int fanout;
  /** Slot i is {@code [3i]} hi, {@code [3i + 1]} lo, {@code [3i + 2]} count (0: empty): a probe reads one cache line. */
  private long @Nullable [] table;
  private int used;
  private long size;
  private final List<RepeatRun> runs = new ArrayList<>();
  private final List<Merge> merging = new ArrayList<>();
  private final LinkedBlockingQueue<Merge> merged = new LinkedBlockingQueue<>();
  private long runsWritten;
  private @Nullable UncheckedIOException failure;
  private boolean closed;

  RepeatCounter(Path directory) {
    this(directory, RepeatRun.Disk.SYSTEM, DEFAULT_TABLE_SLOTS, FANOUT);
  }

  /** For tests: another disk (one that fails), a smaller table, another fan-in. */
  RepeatCounter(Path directory, RepeatRun.Disk disk, int tableSlots, int fanout) {
    this.directory = Objects.requireNonNull(directory, "directory == null");
    this.disk = Objects.requireNonNull(disk, "disk == null");
    if (Integer.bitCount(tableSlots) != 1 || tableSlots < 4) {
      throw new IllegalArgumentException("tableSlots must be a power of two >= 4: " + tableSlots);
    }
    if (fanout < 2) throw new IllegalArgumentException("fanout must be >= 2: " + fanout);
    this.slots = tableSlots;
    this.fanout = fanout;
  }

  /** Counts one more sighting of the fingerprint {@code hi:lo} and returns how many there have been. */
  long increment(long hi, long lo) {
    if (failure != null) throw failure;
    try {
      return count(hi, lo);
    } catch (InternalError e) {
      // A read fault in a mapping (a failing disk) reaches compiled code as an InternalError at a
      // later check, anywhere in here rather than where the page was read: say where the files are.
      throw fail(new UncheckedIOException("the repeat counter's files in " + directory + " cannot be read: "
          + e.getMessage(), new IOException(e)));
    }
  }

  private long count(long hi, long lo) {
    if (closed) throw new IllegalStateException("closed");
    long[] t = table;
    if (t == null) t = start();
    int mask = slots - 1;
    int slot = (int) mix(hi, lo) & mask;
    int at;
    while (t[(at = slot * 3) + 2] != 0) {
      if (t[at] == hi && t[at + 1] == lo) return ++t[at + 2];
      slot = (slot + 1) & mask;
    }
    Merge done;
    while ((done = merged.poll()) != null) install(done);
    long count = 0;
    try {
      for (int i = 0, n = runs.size(); i < n; i++) count = Math.max(count, runs.get(i).count(hi, lo));
    } catch (UncheckedIOException e) {
      throw fail(e); // a run that cannot be read: no count is sure any more
    }
    t[at] = hi;
    t[at + 1] = lo;
    t[at + 2] = ++count;
    if (count == 1) size++;
    if (++used * 8L >= slots * 5L) flush(); // at most 5/8 full: a miss probes about 4 slots, side by side
    return count;
  }

  /** Distinct fingerprints seen. */
  long size() {
    return size;
  }

  /** Bytes of disk the runs take now (merges under way aside). */
  long fileBytes() {
    long bytes = 0;
    for (RepeatRun run : runs) bytes += run.bytes();
    return bytes;
  }

  /** Runs on disk now. */
  int runs() {
    return runs.size();
  }

  /** Runs written since the start, by the table and by merges. */
  long runsWritten() {
    return runsWritten;
  }

  /** Waits for the merges under way, and those they lead to, and puts their runs in place. */
  void settle() throws InterruptedException {
    if (failure != null) throw failure;
    while (!merging.isEmpty()) {
      Merge done = merged.poll(1, TimeUnit.SECONDS);
      if (done != null) install(done);
    }
  }

  /** Fails fast on a directory that cannot hold the runs, before the first run is due. */
  private long[] start() {
    try {
      Files.delete(Files.createTempFile(directory, "analytics4j-repeats-", ".tmp"));
    } catch (IOException e) {
      throw fail(new UncheckedIOException("the repeat counter's file in " + directory + " cannot be created: "
          + e.getMessage(), e));
    }
    return table = new long[slots * 3];
  }

  private void flush() {
    long[] t = Objects.requireNonNull(table);
    int n = 0;
    for (int i = 0; i < slots * 3; i += 3) {
      if (t[i + 2] == 0) continue;
      t[n * 3] = t[i];
      t[n * 3 + 1] = t[i + 1];
      t[n++ * 3 + 2] = t[i + 2];
    }
    sort(t, 0, n - 1);
    int entries = n;
    RepeatRun.Cursor cursor = new RepeatRun.Cursor() {
      private int index = -1;

      @Override
      public boolean next() {
        return ++index < entries;
      }

      @Override
      public long hi() {
        return t[index * 3];
      }

      @Override
      public long lo() {
        return t[index * 3 + 1];
      }

      @Override
      public long count() {
        return t[index * 3 + 2];
      }
    };
    RepeatRun run;
    try {
      run = Objects.requireNonNull(RepeatRun.write(disk, directory, 0, entries, cursor, () -> false));
    } catch (UncheckedIOException e) {
      throw fail(e);
    }
    runs.add(run);
    runsWritten++;
    Arrays.fill(t, 0);
    used = 0;
    startMerges();
    // Bounded lookups whatever the pace: wait for merges rather than let runs pile up.
    while (runs.size() > MAX_RUNS && !merging.isEmpty()) {
      try {
        Merge done = merged.poll(1, TimeUnit.SECONDS);
        if (done != null) install(done);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw fail(new UncheckedIOException(new java.io.InterruptedIOException("interrupted waiting for a merge")));
      }
    }
  }

  /** Starts a merge at each level that has {@code fanout} runs not being merged, if none is under way there. */
  private void startMerges() {
    for (int level = 0; ; level++) {
      boolean any = false;
      boolean busy = false;
      List<RepeatRun> inputs = new ArrayList<>(fanout);
      for (RepeatRun run : runs) {
        if (run.level != level) continue;
        any = true;
        if (isMerging(run)) {
          busy = true;
        } else if (inputs.size() < fanout) {
          inputs.add(run);
        }
      }
      if (!any && level > maxLevel()) return;
      if (busy || inputs.size() < fanout) continue;
      Merge merge = new Merge(inputs, level + 1);
      merging.add(merge);
      Thread thread = new Thread(merge, "analytics4j-repeats-merge-" + (level + 1));
      thread.setDaemon(true);
      merge.thread = thread;
      thread.start();
    }
  }

  private int maxLevel() {
    int max = 0;
    for (RepeatRun run : runs) max = Math.max(max, run.level);
    return max;
  }

  private boolean isMerging(RepeatRun run) {
    for (Merge merge : merging) {
      if (merge.inputs.contains(run)) return true;
    }
    return false;
  }

  private void install(Merge merge) {
    merging.remove(merge);
    Throwable error = merge.error;
    if (error != null) {
      if (error instanceof UncheckedIOException) throw fail((UncheckedIOException) error);
      if (error instanceof InternalError) {
        throw fail(new UncheckedIOException("the repeat counter's files in " + directory + " cannot be read: "
            + error.getMessage(), new IOException(error)));
      }
      throw fail(new UncheckedIOException(new IOException("merging the repeat counter's runs failed: " + error, error)));
    }
    runs.removeAll(merge.inputs);
    runs.add(Objects.requireNonNull(merge.output));
    runsWritten++;
    for (RepeatRun input : merge.inputs) input.close();
    startMerges();
  }

  private UncheckedIOException fail(UncheckedIOException e) {
    if (failure == null) failure = e;
    return e;
  }

  /** Stops merges under way, waits for them, and frees every run (and, where kept, its file). */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    boolean interrupted = false;
    for (Merge merge : merging) merge.cancelled = true;
    for (Merge merge : merging) {
      Thread thread = Objects.requireNonNull(merge.thread);
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true; // the merge reads runs about to be unmapped: wait for it all the same
        }
      }
      RepeatRun output = merge.output;
      if (output != null) output.close();
    }
    merging.clear();
    merged.clear();
    for (RepeatRun run : runs) run.close();
    runs.clear();
    table = null;
    if (interrupted) Thread.currentThread().interrupt();
  }

  /** Merges its inputs into one run, on its own thread; the reader thread installs the result. */
  private final class Merge implements Runnable {
    final List<RepeatRun> inputs;
    final int level;
    volatile boolean cancelled;
    @Nullable Thread thread;
    volatile @Nullable RepeatRun output;
    volatile @Nullable Throwable error;

    Merge(List<RepeatRun> inputs, int level) {
      this.inputs = inputs;
      this.level = level;
    }

    @Override
    public void run() {
      try {
        long total = 0;
        RepeatRun.Cursor[] cursors = new RepeatRun.Cursor[inputs.size()];
        for (int i = 0; i < cursors.length; i++) {
          cursors[i] = inputs.get(i).cursor();
          total += inputs.get(i).records;
        }
        output = RepeatRun.write(disk, directory, level, total, new MergeCursor(cursors), () -> cancelled);
      } catch (Throwable e) {
        error = e;
      } finally {
        merged.add(this);
      }
    }
  }

  /** The union of sorted cursors in order, each key once with its largest count. */
  private static final class MergeCursor implements RepeatRun.Cursor {
    private final RepeatRun.Cursor[] cursors;
    private final boolean[] live;
    private long hi;
    private long lo;
    private long count;

    MergeCursor(RepeatRun.Cursor[] cursors) {
      this.cursors = cursors;
      this.live = new boolean[cursors.length];
      for (int i = 0; i < cursors.length; i++) live[i] = cursors[i].next();
    }

    @Override
    public boolean next() {
      int first = -1;
      for (int i = 0; i < cursors.length; i++) {
        if (live[i] && (first < 0 || RepeatRun.compare(cursors[i].hi(), cursors[i].lo(), hi, lo) < 0)) {
          first = i;
          hi = cursors[i].hi();
          lo = cursors[i].lo();
        }
      }
      if (first < 0) return false;
      count = 0;
      for (int i = 0; i < cursors.length; i++) {
        if (live[i] && cursors[i].hi() == hi && cursors[i].lo() == lo) {
          count = Math.max(count, cursors[i].count());
          live[i] = cursors[i].next();
        }
      }
      return true;
    }

    @Override
    public long hi() {
      return hi;
    }

    @Override
    public long lo() {
      return lo;
    }

    @Override
    public long count() {
      return count;
    }
  }

  /** Spreads the bits the mask keeps (fingerprints are SHA-1 bits already, but tests forge some). */
  private static long mix(long hi, long lo) {
    long z = hi ^ Long.rotateLeft(lo, 17) * 0x9E3779B97F4A7C15L;
    return z ^ (z >>> 29) ^ (z >>> 47);
  }

  /** Sorts the entries [from, to] of {@code t} (triples) by key, unsigned: a quicksort. */
  private static void sort(long[] t, int from, int to) {
    while (to - from > 16) {
      int middle = (from + to) >>> 1;
      long pivotHi = t[middle * 3];
      long pivotLo = t[middle * 3 + 1];
      int i = from;
      int j = to;
      while (i <= j) {
        while (RepeatRun.compare(t[i * 3], t[i * 3 + 1], pivotHi, pivotLo) < 0) i++;
        while (RepeatRun.compare(t[j * 3], t[j * 3 + 1], pivotHi, pivotLo) > 0) j--;
        if (i <= j) swap(t, i++, j--);
      }
      // The smaller side by recursion, the larger by the loop: the stack stays O(log n).
      if (j - from < to - i) {
        sort(t, from, j);
        from = i;
      } else {
        sort(t, i, to);
        to = j;
      }
    }
    for (int i = from + 1; i <= to; i++) {
      for (int j = i; j > from && RepeatRun.compare(t[(j - 1) * 3], t[(j - 1) * 3 + 1], t[j * 3], t[j * 3 + 1]) > 0; j--) {
        swap(t, j - 1, j);
      }
    }
  }

  private static void swap(long[] t, int i, int j) {
    for (int k = 0; k < 3; k++) {
      long v = t[i * 3 + k];
      t[i * 3 + k] = t[j * 3 + k];
      t[j * 3 + k] = v;
    }
  }
}
