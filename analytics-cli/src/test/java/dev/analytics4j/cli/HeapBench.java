package dev.analytics4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test (not run by {@code mvn verify}): measures the heap the importer's per-line state takes
 * on a long input, by reading generated lines with its {@link LineReader} and giving each its
 * messageId with its {@link MessageIds} (the part that used to grow with the input: 8 to 16 bytes
 * of heap per line). One line in ten repeats an earlier one, so repeats are counted too. Prints the
 * heap in use after a full GC every 5 million lines. Run, after
 * {@code mvn -B -q -o -pl analytics-cli -am test-compile}:
 *
 * <pre>
 * java -Xmx32m -cp analytics-cli/target/test-classes:analytics-cli/target/classes:analytics-core/target/classes \
 *     dev.analytics4j.cli.HeapBench 50000000 /var/tmp
 * </pre>
 *
 * The second argument is where the repeat counter's files go (default: the temporary directory).
 * Each figure line also says the bytes this process wrote to storage ({@code /proc/self/io}), and
 * {@code HeapBench --counter 50000000 /var/tmp} drives the {@link RepeatCounter} alone (no reading,
 * no hashing) to give its own lines/s, heap and bytes written.
 * {@code HeapBench --print 50000000} writes the same lines to standard output instead, to pipe
 * into the whole importer ({@code import --dry-run -}) under a small {@code -Xmx}.
 */
public final class HeapBench {
  private HeapBench() {}

  public static void main(String[] args) throws IOException {
    if (args.length > 0 && args[0].equals("--print")) {
      // The same lines on standard output, to feed the whole importer: HeapBench --print N | java -jar ... import -
      long count = args.length > 1 ? Long.parseLong(args[1]) : 50_000_000L;
      java.io.OutputStream out = new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
      new Generated(count).transferTo(out);
      out.flush();
      return;
    }
    if (args.length > 0 && args[0].equals("--counter")) {
      counterAlone(args.length > 1 ? Long.parseLong(args[1]) : 50_000_000L,
          Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir")));
      return;
    }
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 50_000_000L;
    Path directory = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    System.out.printf(Locale.ROOT, "heap max %,d bytes; in use before reading %,d bytes%n",
        memory.getHeapMemoryUsage().getMax(), baseline);
    Io io = new Io();
    long start = System.nanoTime();
    long maxUsed = 0;
    try (MessageIds ids = new MessageIds(directory)) {
      LineReader reader = new LineReader(new Generated(lines), StandardCharsets.UTF_8, LineReader.DEFAULT_MAX_LINE_BYTES,
          LineReader.DEFAULT_MAX_SKIP_BYTES);
      long read = 0;
      LineReader.Line line;
      while ((line = reader.next()) != null) {
        ids.idFor(line.utf8);
        read++;
        if (read % 5_000_000 == 0 || read == lines) {
          System.gc();
          long used = memory.getHeapMemoryUsage().getUsed();
          maxUsed = Math.max(maxUsed, used);
          System.out.printf(Locale.ROOT, "%,14d lines  %,6.0f s  heap in use after GC %,12d bytes  repeats %,d  %s%n",
              read, (System.nanoTime() - start) / 1e9, used, ids.repeats(), io.since(read));
        }
      }
      System.out.printf(Locale.ROOT, "%,d lines: heap in use after GC at most %,d bytes (%.1f MiB); exact repeats %,d; "
          + "%.0f lines/s. A heap table of 8-16 bytes a line would hold %,d to %,d bytes.%n", read, maxUsed,
          maxUsed / 1048576.0, ids.repeats(), read / ((System.nanoTime() - start) / 1e9), read * 8, read * 16);
      System.out.printf(Locale.ROOT, "%s%n", io.since(read));
    }
  }

  /**
   * The repeat counter alone, without reading or hashing lines: {@code lines} fingerprints, one in
   * ten a repeat of an earlier one (as {@link Generated}: line i repeats line i / 2), so the figure
   * is what the counter itself costs a line.
   */
  private static void counterAlone(long lines, Path directory) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Io io = new Io();
    long start = System.nanoTime();
    long repeats = 0;
    long maxUsed = 0;
    try (RepeatCounter counter = new RepeatCounter(directory)) {
      for (long i = 0; i < lines; i++) {
        long n = i % 10 == 9 ? i / 2 : i;
        if (counter.increment(fingerprint(n), fingerprint(~n)) > 1) repeats++;
        if ((i + 1) % 5_000_000 == 0 || i + 1 == lines) {
          System.gc();
          long used = memory.getHeapMemoryUsage().getUsed();
          maxUsed = Math.max(maxUsed, used);
          System.out.printf(Locale.ROOT, "%,14d lines  %,6.0f s  heap in use after GC %,12d bytes  repeats %,d  "
              + "%d runs, %,d bytes  %s%n", i + 1, (System.nanoTime() - start) / 1e9, used, repeats, counter.runs(),
              counter.fileBytes(), io.since(i + 1));
        }
      }
    }
    System.out.printf(Locale.ROOT, "counter alone, %,d lines: %.0f lines/s; heap in use after GC at most %,d bytes; "
        + "exact repeats %,d; %s%n", lines, lines / ((System.nanoTime() - start) / 1e9), maxUsed, repeats, io.since(lines));
  }

  /** A line's fingerprint as MessageIds makes it (SHA-1 bits: uniform), here from a counter. */
  private static long fingerprint(long n) {
    long z = n * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return z == 0 ? 1 : z;
  }

  /**
   * Bytes written since the start: this process's {@code write_bytes} from {@code /proc/self/io}
   * (what it sent, or caused the kernel to send, to storage: a mapped page counts each time it is
   * dirtied again after a writeback), its {@code cancelled_write_bytes} (dirty pages of deleted
   * files never written), and the whole machine's pages written ({@code /proc/vmstat nr_written},
   * other processes included). Linux only; elsewhere "n/a".
   */
  static final class Io {
    private final long writeBytes = proc("/proc/self/io", "write_bytes: ");
    private final long cancelled = proc("/proc/self/io", "cancelled_write_bytes: ");
    private final long pagesWritten = proc("/proc/vmstat", "nr_written ");

    String since(long lines) {
      long written = proc("/proc/self/io", "write_bytes: ");
      if (written < 0 || writeBytes < 0) return "written n/a";
      long w = written - writeBytes;
      return String.format(Locale.ROOT, "written %,d bytes (%,.1f B/line), cancelled %,d, machine %,d pages",
          w, (double) w / lines, proc("/proc/self/io", "cancelled_write_bytes: ") - cancelled,
          proc("/proc/vmstat", "nr_written ") - pagesWritten);
    }

    private static long proc(String file, String key) {
      try {
        for (String line : java.nio.file.Files.readAllLines(Path.of(file))) {
          if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim());
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
      return -1;
    }
  }

  /** Lines shaped like an export, one in ten a copy of an earlier line; generated, never stored. */
  static final class Generated extends InputStream {
    private final long lines;
    private long next;
    private byte[] current = new byte[0];
    private int position;

    Generated(long lines) {
      this.lines = lines;
    }

    private boolean advance() {
      if (next == lines) return false;
      long i = next++;
      long n = i % 10 == 9 ? i / 2 : i;
      current = String.format(Locale.ROOT, "{\"type\":\"track\",\"userId\":\"usr_%d\",\"event\":\"Order Completed\","
          + "\"timestamp\":\"2023-03-14T09:%02d:%02d.%03dZ\",\"properties\":{\"revenue\":%d.5,\"n\":%d}}\n",
          n % 50_000, n / 60 % 60, n % 60, n % 1000, n % 997, n).getBytes(StandardCharsets.UTF_8);
      position = 0;
      return true;
    }

    @Override
    public int read() {
      if (position == current.length && !advance()) return -1;
      return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int copied = 0;
      while (copied < len) {
        if (position == current.length && !advance()) break;
        int n = Math.min(len - copied, current.length - position);
        System.arraycopy(current, position, b, off + copied, n);
        position += n;
        copied += n;
      }
      return copied == 0 ? -1 : copied;
    }
  }
}
