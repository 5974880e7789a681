package dev.analytics4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A one-line progress display on a terminal, redrawn in place a few times a second, in the words
 * the summary uses. Anything else written to the terminal while it runs goes through
 * {@link #interleaved()}, which clears the line first, so a log line never glues onto it.
 */
final class Progress implements AutoCloseable {
  /** The counters at one moment. */
  static final class Snapshot {
    final long read;
    final long delivered;
    final long rejected;
    final long notDelivered;
    final long inFlight;
    final long bytesRead;
    final long totalBytes;
    final long elapsedNanos;
    final boolean readingDone;
    /**
     * The endpoint's last failure and its next retry while it accepts nothing, e.g. "connection
     * refused, retry 3 in 4 s"; null while it is up.
     */
    final @Nullable String endpointProblem;
    /** Whether that is a 429 (rate-limited) rather than an outage. */
    final boolean throttled;
    /** How long the endpoint has accepted nothing. */
    final long downNanos;
    final long maxDowntimeNanos;
    /** How long the oldest request on the wire has waited for its answer. */
    final long unansweredNanos;
    /** Lines and bytes a second lately ({@link Pace}); negative while not known, for the average. */
    final double recentLinesPerSecond;
    final double recentBytesPerSecond;
    /** The job's rate limit now and as set (it halves on a 429); 0 without one. */
    final double limit;
    final double ceiling;

    Snapshot(long read, long delivered, long rejected, long notDelivered, long inFlight, long bytesRead,
        long totalBytes, long elapsedNanos, boolean readingDone, @Nullable String endpointProblem,
        boolean throttled, long downNanos, long maxDowntimeNanos, long unansweredNanos) {
      this.read = read;
      this.delivered = delivered;
      this.rejected = rejected;
      this.notDelivered = notDelivered;
      this.inFlight = inFlight;
      this.bytesRead = bytesRead;
      this.totalBytes = totalBytes;
      this.elapsedNanos = elapsedNanos;
      this.readingDone = readingDone;
      this.endpointProblem = endpointProblem;
      this.throttled = throttled;
      this.downNanos = downNanos;
      this.maxDowntimeNanos = maxDowntimeNanos;
      this.unansweredNanos = unansweredNanos;
      this.recentLinesPerSecond = -1;
      this.recentBytesPerSecond = -1;
      this.limit = 0;
      this.ceiling = 0;
    }

    private Snapshot(Snapshot s, Pace.Rate pace, double limit, double ceiling) {
      this.read = s.read;
      this.delivered = s.delivered;
      this.rejected = s.rejected;
      this.notDelivered = s.notDelivered;
      this.inFlight = s.inFlight;
      this.bytesRead = s.bytesRead;
      this.totalBytes = s.totalBytes;
      this.elapsedNanos = s.elapsedNanos;
      this.readingDone = s.readingDone;
      this.endpointProblem = s.endpointProblem;
      this.throttled = s.throttled;
      this.downNanos = s.downNanos;
      this.maxDowntimeNanos = s.maxDowntimeNanos;
      this.unansweredNanos = s.unansweredNanos;
      this.recentLinesPerSecond = pace.linesPerSecond;
      this.recentBytesPerSecond = pace.bytesPerSecond;
      this.limit = limit;
      this.ceiling = ceiling;
    }

    /** This snapshot with the recent pace and the rate limit (0 for none). */
    Snapshot with(Pace.Rate pace, double limit, double ceiling) {
      return new Snapshot(this, pace, limit, ceiling);
    }
  }

  private static final int BAR_WIDTH = 20;
  /** A request unanswered this long is worth a word; a second is an ordinary round trip. */
  static final long SLOW_ANSWER_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final PrintStream out;
  private final Supplier<Snapshot> counters;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "analytics4j-import-progress");
    thread.setDaemon(true);
    return thread;
  });
  /** Characters of the progress line now on screen; 0 when the cursor is at the start of a clean line. */
  private int shown;

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

  synchronized void draw() {
    try {
      String line = render(counters.get());
      int pad = Math.max(0, shown - line.length());
      out.print("\r" + line + " ".repeat(pad));
      out.flush();
      shown = line.length();
    } catch (RuntimeException e) {
      // A display must never stop the import; the summary still reports everything.
    }
  }

  /** Clears the progress line, if shown, so that what follows starts at the left margin. */
  private synchronized void clear() {
    if (shown == 0) return;
    out.print("\r" + " ".repeat(shown) + "\r");
    out.flush();
    shown = 0;
  }

  /**
   * A stream for everything else bound for the same terminal (log lines): each write first clears
   * the progress line, which the next tick draws again below it.
   */
  OutputStream interleaved() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (Progress.this) {
          clear();
          out.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (Progress.this) {
          clear();
          out.write(b, off, len);
        }
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }
    };
  }

  static String render(Snapshot s) {
    double seconds = s.elapsedNanos / 1e9;
    double rate = s.recentLinesPerSecond >= 0 ? s.recentLinesPerSecond : seconds > 0.5 ? s.read / seconds : 0;
    StringBuilder line = new StringBuilder();
    if (s.totalBytes > 0) {
      double done = Math.min(1.0, (double) s.bytesRead / s.totalBytes);
      int filled = (int) (done * BAR_WIDTH);
      line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
          .append(String.format(Locale.ROOT, "%3.0f%%  ", Math.floor(done * 100)));
    }
    line.append(String.format(Locale.ROOT, "read %,d  delivered %,d  rejected %,d  not delivered %,d  %,.0f lines/s",
        s.read, s.delivered, s.rejected, s.notDelivered, rate));
    if (s.ceiling > 0) {
      // The limit as the endpoint's answers have set it: below the ceiling after a 429.
      line.append(s.limit < s.ceiling
          ? String.format(Locale.ROOT, " (limit %,.0f/s of %,.0f/s, after a 429)", s.limit, s.ceiling)
          : String.format(Locale.ROOT, " (limit %,.0f/s)", s.ceiling));
    }
    if (s.endpointProblem != null) {
      line.append(String.format(Locale.ROOT, "  endpoint %s %s (%s), giving up at %s", state(s),
          Importer.clock(TimeUnit.NANOSECONDS.toSeconds(s.downNanos)), s.endpointProblem,
          Importer.clock(TimeUnit.NANOSECONDS.toSeconds(s.maxDowntimeNanos))));
    } else if (s.unansweredNanos >= SLOW_ANSWER_NANOS) {
      // Nothing moves while a request waits (reading waits for room): say why, not a stale ETA.
      line.append("  waiting ").append(Importer.clock(TimeUnit.NANOSECONDS.toSeconds(s.unansweredNanos)))
          .append(" for the endpoint's answer");
    } else if (s.readingDone) {
      line.append(String.format(Locale.ROOT, "  waiting for %,d line(s) in flight", s.inFlight));
    } else if (s.totalBytes > 0 && s.bytesRead > 0 && seconds > 1) {
      // The recent pace, not the average since the start: a run of days must not carry its first
      // pause (or a burst into an empty queue) in every later ETA.
      double bytesPerSecond = s.recentBytesPerSecond > 0 ? s.recentBytesPerSecond : s.bytesRead / seconds;
      long eta = (long) ((s.totalBytes - s.bytesRead) / bytesPerSecond);
      line.append("  ETA ").append(Importer.clock(eta));
    }
    return line.toString();
  }

  /**
   * Without a terminal there is no progress line, so a log or a CI job would show nothing while
   * the endpoint is down or rate-limiting: this prints one line when that has lasted
   * {@link #NOTICE_AFTER_NANOS} and one when the endpoint accepts requests again. Single failed attempts, which the client retries at
   * once, are not worth a line.
   */
  static ScheduledExecutorService notices(PrintStream out, Supplier<Snapshot> counters) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "analytics4j-import-notices");
      thread.setDaemon(true);
      return thread;
    });
    boolean[] announced = {false};
    timer.scheduleWithFixedDelay(() -> {
      try {
        Snapshot now = counters.get();
        String notice = notice(announced[0], now);
        if (notice != null) {
          out.println(notice);
          announced[0] = !announced[0];
        }
      } catch (RuntimeException e) {
        // A notice must never stop the import.
      }
    }, 0, 500, TimeUnit.MILLISECONDS);
    return timer;
  }

  private static String state(Snapshot s) {
    return s.throttled ? "rate-limited" : "down";
  }

  static final long NOTICE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** The line to print now, given whether an outage was announced; null for none. */
  static @Nullable String notice(boolean announced, Snapshot now) {
    if (!announced && now.endpointProblem != null && now.downNanos >= NOTICE_AFTER_NANOS) {
      return "analytics4j import: endpoint " + state(now) + " for " + Importer.clock(TimeUnit.NANOSECONDS.toSeconds(now.downNanos))
          + " (" + now.endpointProblem + "); giving up if it accepts nothing for "
          + Importer.clock(TimeUnit.NANOSECONDS.toSeconds(now.maxDowntimeNanos));
    }
    if (announced && now.endpointProblem == null) return "analytics4j import: the endpoint accepts requests again";
    return null;
  }

  /** Draws the final state and moves to a new line, so the summary starts clean. */
  @Override
  public void close() {
    timer.shutdownNow();
    draw();
    synchronized (this) {
      out.println();
      shown = 0;
    }
  }
}
