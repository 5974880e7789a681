package dev.analytics4j.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a JVM's CPU went during a run, by thread, read from Linux's {@code /proc/self/task}: every
 * native thread is there (GC workers and JIT compilers too, which {@code ThreadMXBean} does not
 * show), named by its {@code comm}. On 2 cores the throughput of a run is its CPU per message, so this
 * tells which threads a faster client has to take it from. Elsewhere than Linux it reports nothing.
 */
public final class CpuSplit {
  /** Clock ticks per second of {@code /proc}'s utime/stime: 100 on every Linux the harness meets. */
  private static final double TICK_NANOS = 1e9 / 100;

  /** Per thread, user and kernel ticks; the kernel's share is loopback TCP for an upload thread. */
  private final Map<String, long[]> ticksByTask;
  private final long[] processTicks;

  private CpuSplit(Map<String, long[]> ticksByTask, long[] processTicks) {
    this.ticksByTask = ticksByTask;
    this.processTicks = processTicks;
  }

  /** The CPU ticks of each live thread of this JVM and of the whole process so far. */
  public static CpuSplit snapshot() {
    Map<String, long[]> tasks = new HashMap<>();
    Path dir = Paths.get("/proc/self/task");
    if (!Files.isDirectory(dir)) return new CpuSplit(tasks, new long[2]);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path task : entries) {
        String stat = read(task.resolve("stat"));
        if (stat == null) continue; // the thread ended while we listed it
        // comm is in parentheses and may hold spaces; the fields after it are space-separated.
        int close = stat.lastIndexOf(')');
        String name = stat.substring(stat.indexOf('(') + 1, close);
        tasks.put(task.getFileName() + " " + name, ticks(stat.substring(close + 2)));
      }
    } catch (IOException e) {
      return new CpuSplit(new HashMap<>(), new long[2]);
    }
    String self = read(Paths.get("/proc/self/stat"));
    long[] process = self == null ? new long[2] : ticks(self.substring(self.lastIndexOf(')') + 2));
    return new CpuSplit(tasks, process);
  }

  /**
   * One line per kind of thread (digits in names folded, so the GC's eight workers are one row),
   * with CPU microseconds per message between {@code earlier} and this snapshot. Threads that ended
   * in between (the producers, once joined) are the remainder of the process's total.
   */
  public String describe(CpuSplit earlier, long messages) {
    Map<String, long[]> groups = new TreeMap<>();
    long[] live = new long[2];
    for (Map.Entry<String, long[]> task : ticksByTask.entrySet()) {
      long[] before = earlier.ticksByTask.getOrDefault(task.getKey(), new long[2]);
      long[] delta = {task.getValue()[0] - before[0], task.getValue()[1] - before[1]};
      if (delta[0] + delta[1] <= 0) continue;
      live[0] += delta[0];
      live[1] += delta[1];
      String name = task.getKey().substring(task.getKey().indexOf(' ') + 1).replaceAll("[0-9]+", "#");
      groups.merge(name, delta, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    }
    long[] total = {processTicks[0] - earlier.processTicks[0], processTicks[1] - earlier.processTicks[1]};
    long[] ended = {total[0] - live[0], total[1] - live[1]};
    if (ended[0] + ended[1] > 0) groups.put("(ended threads: producers)", ended);
    StringBuilder out = new StringBuilder("CPU us/msg (of it kernel) " + format("in all", total, messages));
    groups.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
        .forEach(g -> out.append(format(g.getKey(), g.getValue(), messages)));
    return out.toString();
  }

  private static String format(String name, long[] ticks, long messages) {
    return String.format(Locale.ROOT, " %s %.2f (%.2f);", name,
        (ticks[0] + ticks[1]) * TICK_NANOS / 1e3 / messages, ticks[1] * TICK_NANOS / 1e3 / messages);
  }

  private static long[] ticks(String afterComm) {
    // Fields after comm start at field 3 (state); utime and stime are fields 14 and 15.
    String[] fields = afterComm.split(" ");
    return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
  }
}
