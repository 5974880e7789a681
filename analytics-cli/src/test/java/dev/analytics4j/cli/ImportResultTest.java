package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ImportResultTest {
  private static ImportResult result(long read, long delivered, long rejected, long notDelivered,
      ImportResult.@Nullable Stop stop) {
    return new ImportResult(read, delivered, rejected, notDelivered, 0, 0, 0, false, Duration.ofSeconds(2),
        rejected + notDelivered > 0 ? Path.of("rejects.txt") : null, stop, stop == null ? null : "in line 7");
  }

  private static ImportResult.Stop stop(ImportResult.Stop.Kind kind, int code) {
    return new ImportResult.Stop(kind, "why", code);
  }

  @Test
  void theExitCodeFollowsTheOutcome() {
    assertEquals(0, result(10, 10, 0, 0, null).exitCode());
    assertEquals(3, result(10, 8, 2, 0, null).exitCode());
    assertEquals(4, result(10, 8, 0, 2, null).exitCode());
    assertEquals(4, result(10, 6, 2, 2, null).exitCode());
    assertEquals(5, result(10, 0, 0, 10, stop(ImportResult.Stop.Kind.AUTH, ImportResult.EXIT_AUTH)).exitCode());
    assertEquals(6, result(10, 0, 0, 10, stop(ImportResult.Stop.Kind.ENDPOINT, ImportResult.EXIT_ENDPOINT)).exitCode());
    assertEquals(7, result(10, 10, 0, 0, stop(ImportResult.Stop.Kind.INPUT, ImportResult.EXIT_INPUT)).exitCode());
    assertEquals(130, result(10, 10, 0, 0, stop(ImportResult.Stop.Kind.INTERRUPTED, ImportResult.EXIT_SIGINT)).exitCode());
    assertEquals(143, result(10, 10, 0, 0, stop(ImportResult.Stop.Kind.INTERRUPTED, ImportResult.EXIT_SIGTERM)).exitCode());
  }

  @Test
  void countsThatDoNotAddUpNeverReportSuccess() {
    ImportResult result = result(201, 101, 0, 0, null);

    assertFalse(result.balanced());
    assertEquals(ImportResult.EXIT_INTERNAL, result.exitCode());
    String summary = result.format();
    assertTrue(summary.startsWith("analytics4j import failed: the counts do not add up"), summary);
    assertTrue(summary.contains("  unaccounted    100  (lines read - delivered - rejected - not delivered)"), summary);
    assertFalse(summary.contains("complete"), summary);
  }

  @Test
  void aServersAnswerQuotedInAReasonCannotReachTheTerminalRaw() {
    ImportResult.Stop stop = new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "answer: \u001b[2Jgone\nnext\u009b",
        ImportResult.EXIT_ENDPOINT);
    assertEquals("answer: \\u001b[2Jgone\\u000anext\\u009b", stop.reason);
  }

  @Test
  void theSummaryUsesTheProgressLinesWords() {
    String summary = result(10, 7, 2, 1, null).format();
    String progress = Progress.render(new Progress.Snapshot(10, 7, 2, 1, 0, 0, -1, 2_000_000_000L, true, null, false, 0, 0, 0));
    for (String word : new String[] {"read", "delivered", "rejected", "not delivered"}) {
      assertTrue(progress.contains(word + " "), progress);
      assertTrue(summary.contains(word + " "), summary);
    }
    assertFalse(progress.contains("failed"), progress);
    assertFalse(progress.contains("sent"), progress);
    assertEquals("read 10  delivered 7  rejected 2  not delivered 1  5 lines/s  waiting for 0 line(s) in flight", progress);
  }
}
