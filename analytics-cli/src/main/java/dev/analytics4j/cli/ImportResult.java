package dev.analytics4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** What an import did with every line it read. */
final class ImportResult {
  /** Every line was delivered (or, on a dry run, is valid). */
  static final int EXIT_OK = 0;
  /** Some lines were rejected, not delivered, or an input could not be read. */
  static final int EXIT_INCOMPLETE = 1;
  /** Bad options or no write key: nothing was read. picocli's own code for usage errors. */
  static final int EXIT_USAGE = 2;
  /** Stopped by Ctrl-C (or {@link Importer#cancel()}); 128 + SIGINT, as shells expect. */
  static final int EXIT_INTERRUPTED = 130;

  final long read;
  final long rejected;
  final long delivered;
  final long failed;
  final long notSent;
  final boolean cancelled;
  final Duration elapsed;
  final @Nullable Path rejectsFile;
  final @Nullable String readError;

  ImportResult(long read, long rejected, long delivered, long failed, long notSent, boolean cancelled,
      Duration elapsed, @Nullable Path rejectsFile, @Nullable String readError) {
    this.read = read;
    this.rejected = rejected;
    this.delivered = delivered;
    this.failed = failed;
    this.notSent = notSent;
    this.cancelled = cancelled;
    this.elapsed = elapsed;
    this.rejectsFile = rejectsFile;
    this.readError = readError;
  }

  int exitCode() {
    if (cancelled) return EXIT_INTERRUPTED;
    if (rejected > 0 || failed > 0 || notSent > 0 || readError != null) return EXIT_INCOMPLETE;
    return EXIT_OK;
  }

  /** The summary printed at the end; {@code dryRun} words "delivered" as "valid". */
  String format(boolean dryRun) {
    StringBuilder out = new StringBuilder();
    String outcome;
    if (cancelled) {
      outcome = "interrupted: stopped reading, sent what was read";
    } else if (exitCode() == EXIT_OK) {
      outcome = dryRun ? "dry run: every line is valid, nothing was sent" : "complete: every line was delivered";
    } else {
      outcome = dryRun ? "dry run: some lines are invalid, nothing was sent" : "incomplete: some lines were rejected or not delivered";
    }
    double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
    out.append(String.format(Locale.ROOT, "analytics4j import %s (%.1f s)%n", outcome, seconds));
    out.append(String.format(Locale.ROOT, "  lines read     %,d%n", read));
    out.append(String.format(Locale.ROOT, "  %-14s %,d", dryRun ? "valid" : "delivered", delivered));
    if (!dryRun && delivered > 0) out.append(String.format(Locale.ROOT, "  (%,.0f/s)", delivered / seconds));
    out.append(String.format(Locale.ROOT, "%n  rejected       %,d%n", rejected));
    if (!dryRun) out.append(String.format(Locale.ROOT, "  not delivered  %,d%n", failed + notSent));
    if (rejectsFile != null) out.append("  rejects file   ").append(rejectsFile).append(String.format("%n"));
    if (readError != null) out.append("  input error    ").append(readError).append(String.format("%n"));
    if (cancelled) {
      out.append(String.format(Locale.ROOT, "  %,d line(s) delivered before the stop; lines after line %,d were "
          + "not read. Importing the file again is safe: messageIds are deterministic.%n", delivered, read));
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "ImportResult{read=" + read + ", rejected=" + rejected + ", delivered=" + delivered
        + ", failed=" + failed + ", notSent=" + notSent + ", cancelled=" + cancelled + "}";
  }
}
