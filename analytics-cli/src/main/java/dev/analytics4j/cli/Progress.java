package dev.analytics4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A one-line progress display on a terminal, redrawn in place a few times a second. */
final class Progress implements AutoCloseable {
  /** The counters at one moment. */
  static final class Snapshot {
    final long read;
    final long sent;
    final long failed;
    final long bytesRead;
    final long totalBytes;
    final long elapsedNanos;

    Snapshot(long read, long sent, long failed, long bytesRead, long totalBytes, long elapsedNanos) {
      this.read = read;
      this.sent = sent;
      this.failed = failed;
      this.bytesRead = bytesRead;
      this.totalBytes = totalBytes;
      this.elapsedNanos = elapsedNanos;
    }
  }

  private static final int BAR_WIDTH = 24;

  private final PrintStream out;
  private final Supplier<Snapshot> counters;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "analytics4j-import-progress");
    thread.setDaemon(true);
    return thread;
  });
  private int lastWidth;

  private Progress(PrintStream out, Supplier<Snapshot> counters) {
    this.out = out;
    this.counters = counters;
  }

  static Progress start(PrintStream out, Supplier<Snapshot> counters) {
    Progress progress = new Progress(Objects.requireNonNull(out, "out == null"),
        Objects.requireNonNull(counters, "counters == null"));
    progress.timer.scheduleAtFixedRate(progress::draw, 0, 250, TimeUnit.MILLISECONDS);
    return progress;
  }

  private synchronized void draw() {
    try {
      String line = render(counters.get());
      int pad = Math.max(0, lastWidth - line.length());
      out.print("\r" + line + " ".repeat(pad));
      out.flush();
      lastWidth = line.length();
    } catch (RuntimeException e) {
      // A display must never stop the import; the summary still reports everything.
    }
  }

  static String render(Snapshot s) {
    double seconds = s.elapsedNanos / 1e9;
    double rate = seconds > 0.5 ? s.sent / seconds : 0;
    StringBuilder line = new StringBuilder();
    if (s.totalBytes > 0) {
      double done = Math.min(1.0, (double) s.bytesRead / s.totalBytes);
      int filled = (int) (done * BAR_WIDTH);
      line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3.0f%%  ", done * 100));
    }
    line.append(String.format(Locale.ROOT, "read %,d  sent %,d  failed %,d  %,.0f msg/s", s.read, s.sent, s.failed, rate));
    if (s.totalBytes > 0 && s.bytesRead > 0 && seconds > 1) {
      double bytesPerSecond = s.bytesRead / seconds;
      long eta = (long) ((s.totalBytes - s.bytesRead) / bytesPerSecond);
      line.append(String.format(Locale.ROOT, "  ETA %d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
    }
    return line.toString();
  }

  /** Draws the final state and moves to a new line, so the summary starts clean. */
  @Override
  public void close() {
    timer.shutdownNow();
    draw();
    synchronized (this) {
      out.println();
    }
  }
}
