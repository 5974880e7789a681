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
 * The second argument is where the repeat counter's file goes (default: the temporary directory).
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
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 50_000_000L;
    Path directory = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    System.out.printf(Locale.ROOT, "heap max %,d bytes; in use before reading %,d bytes%n",
        memory.getHeapMemoryUsage().getMax(), baseline);
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
          System.out.printf(Locale.ROOT, "%,14d lines  %,6.0f s  heap in use after GC %,12d bytes  repeats %,d%n",
              read, (System.nanoTime() - start) / 1e9, used, ids.repeats());
        }
      }
      System.out.printf(Locale.ROOT, "%,d lines: heap in use after GC at most %,d bytes (%.1f MiB); exact repeats %,d; "
          + "%.0f lines/s. A heap table of 8-16 bytes a line would hold %,d to %,d bytes.%n", read, maxUsed,
          maxUsed / 1048576.0, ids.repeats(), read / ((System.nanoTime() - start) / 1e9), read * 8, read * 16);
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
