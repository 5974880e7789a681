package dev.analytics4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an import did with every line it read, and the exit code that follows from it.
 *
 * <p>Every non-blank line read is counted exactly once: delivered, rejected (invalid, never sent)
 * or not delivered (valid, but the API refused it or the run stopped before it was sent). When the
 * three do not add up to the lines read, the result says so and exits with {@link #EXIT_INTERNAL}
 * rather than claim an outcome it cannot vouch for.
 */
final class ImportResult {
  /** Every line was delivered (dry run: every line is valid). */
  static final int EXIT_OK = 0;
  /** Bad options, no write key, an input or rejects path refused: nothing was read or sent. */
  static final int EXIT_USAGE = 2;
  /** Some lines were rejected as invalid; every valid line was delivered. */
  static final int EXIT_REJECTED = 3;
  /** Some valid lines were not delivered (the API refused them, or they were given up). */
  static final int EXIT_NOT_DELIVERED = 4;
  /** The endpoint refused the write key (HTTP 401 or 403); the import stopped at once. */
  static final int EXIT_AUTH = 5;
  /** The endpoint was down longer than --max-downtime, or answered 404; the import stopped. */
  static final int EXIT_ENDPOINT = 6;
  /** An input could not be read to its end (the summary says where and why), or the rejects file could not be written. */
  static final int EXIT_INPUT = 7;
  /** The counts do not add up: a bug; the summary shows them. BSD's EX_SOFTWARE. */
  static final int EXIT_INTERNAL = 70;
  /** Stopped by Ctrl-C: 128 + SIGINT, as shells expect. */
  static final int EXIT_SIGINT = 130;
  /** Stopped by SIGTERM (kill, a container stop): 128 + SIGTERM. */
  static final int EXIT_SIGTERM = 143;

  /** Why a run stopped before the end of its input. */
  static final class Stop {
    enum Kind { INTERRUPTED, AUTH, ENDPOINT, INPUT, OUTPUT }

    final Kind kind;
    final String reason;
    final int exitCode;

    Stop(Kind kind, String reason, int exitCode) {
      this.kind = Objects.requireNonNull(kind, "kind == null");
      this.reason = oneLine(Objects.requireNonNull(reason, "reason == null"));
      this.exitCode = exitCode;
    }

    @Override
    public String toString() {
      return kind + ": " + reason;
    }
  }

  final long read;
  final long delivered;
  final long rejected;
  final long notDelivered;
  final long repeats;
  final long repeatedIds;
  final long numericIds;
  final boolean dryRun;
  final Duration elapsed;
  final @Nullable Path rejectsFile;
  final @Nullable Stop stop;
  /**
   * Where reading ended early and what that means, e.g. "events.ndjson line 1,234; the lines after
   * it were not read"; null when every input was read to its end.
   */
  final @Nullable String stoppedAt;
  /** Lines an earlier run settled for good, which this resumed run read but did not send again. */
  final long skipped;
  /** What became of the checkpoint; null when the run kept none. */
  final @Nullable String checkpoint;

  ImportResult(long read, long delivered, long rejected, long notDelivered, long repeats, long repeatedIds,
      long numericIds, boolean dryRun, Duration elapsed, @Nullable Path rejectsFile, @Nullable Stop stop,
      @Nullable String stoppedAt) {
    this(read, delivered, rejected, notDelivered, repeats, repeatedIds, numericIds, dryRun, elapsed, rejectsFile, stop,
        stoppedAt, 0, null);
  }

  ImportResult(long read, long delivered, long rejected, long notDelivered, long repeats, long repeatedIds,
      long numericIds, boolean dryRun, Duration elapsed, @Nullable Path rejectsFile, @Nullable Stop stop,
      @Nullable String stoppedAt, long skipped, @Nullable String checkpoint) {
    this.skipped = skipped;
    this.checkpoint = checkpoint;
    this.read = read;
    this.delivered = delivered;
    this.rejected = rejected;
    this.notDelivered = notDelivered;
    this.repeats = repeats;
    this.repeatedIds = repeatedIds;
    this.numericIds = numericIds;
    this.dryRun = dryRun;
    this.elapsed = elapsed;
    this.rejectsFile = rejectsFile;
    this.stop = stop;
    this.stoppedAt = stoppedAt;
  }

  /** Whether every line read is counted exactly once. */
  boolean balanced() {
    return read == delivered + rejected + notDelivered + skipped;
  }

  int exitCode() {
    if (!balanced()) return EXIT_INTERNAL;
    if (stop != null) return stop.exitCode;
    if (notDelivered > 0) return EXIT_NOT_DELIVERED;
    if (rejected > 0) return EXIT_REJECTED;
    return EXIT_OK;
  }

  private String outcome() {
    if (!balanced()) return "failed: the counts do not add up (a bug in the importer; please report it)";
    if (stop != null) {
      switch (stop.kind) {
        case INTERRUPTED:
          return "interrupted: " + stop.reason;
        case AUTH:
        case ENDPOINT:
          return "stopped: " + stop.reason;
        case INPUT:
          return "stopped reading: " + stop.reason;
        case OUTPUT:
          return "failed: " + stop.reason;
        default:
          throw new AssertionError(stop.kind);
      }
    }
    if (read == 0) return "complete: the input holds no lines, nothing was sent";
    if (dryRun) {
      return rejected > 0 ? "dry run: some lines are invalid, nothing was sent" : "dry run: every line is valid, nothing was sent";
    }
    if (notDelivered > 0) return "incomplete: some valid lines were not delivered";
    if (rejected > 0) return "done: every valid line was delivered; some lines were rejected as invalid";
    return "complete: every line was delivered";
  }

  /** The summary printed at the end; its words are the progress line's words. */
  String format() {
    StringBuilder out = new StringBuilder();
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    line(out, "analytics4j import %s (%.1f s)", outcome(), seconds);
    line(out, "  lines read     %,d  (%,.0f lines/s)", read, read / seconds);
    line(out, "  %-14s %,d", dryRun ? "valid" : "delivered", delivered);
    line(out, "  rejected       %,d", rejected);
    if (!dryRun || notDelivered > 0) line(out, "  not delivered  %,d", notDelivered);
    if (skipped > 0) {
      line(out, "  skipped        %,d  (delivered or rejected by an earlier run of this import; not sent again)", skipped);
    }
    if (repeats > 0) {
      line(out, "  exact repeats  %,d  (lines identical to an earlier line; each was sent as its own event)", repeats);
    }
    if (repeatedIds > 0) {
      line(out, "  repeated ids   %,d  (lines whose own messageId an earlier line had; the API keeps one)", repeatedIds);
    }
    if (numericIds > 0) line(out, "  numeric ids    %,d  (numbers in id fields, sent as their decimal text)", numericIds);
    line(out, "  rejects file   %s", rejectsFile != null ? rejectsFile : "none");
    if (stoppedAt != null) line(out, "  stopped at     %s", stoppedAt);
    if (checkpoint != null) line(out, "  checkpoint     %s", checkpoint);
    if (!balanced()) {
      line(out, "  unaccounted    %,d  (lines read - delivered - rejected - not delivered%s)",
          read - delivered - rejected - notDelivered - skipped, skipped > 0 ? " - skipped" : "");
    }
    if (stop != null && !dryRun) {
      line(out, "  Running the same import again is safe: each line gets the same messageId, so the API keeps "
          + "one copy of what was delivered.");
    }
    line(out, "  exit code      %d", exitCode());
    return out.toString();
  }

  /**
   * {@code text} with control characters escaped: reasons can quote a server's answer, and an
   * escape sequence or a newline from it must not reach the terminal or split a line.
   */
  static String oneLine(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0);
      if (control && out == null) out = new StringBuilder(text.substring(0, i));
      if (out != null) {
        if (control) {
          out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  @Override
  public String toString() {
    return "ImportResult{read=" + read + ", delivered=" + delivered + ", rejected=" + rejected
        + ", notDelivered=" + notDelivered + ", repeats=" + repeats + ", stop=" + stop + "}";
  }
}
