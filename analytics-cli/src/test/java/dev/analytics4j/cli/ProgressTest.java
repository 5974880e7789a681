package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void showsTheEndpointsRetryStateInsteadOfAFrozenEta() {
    Progress.Snapshot s = new Progress.Snapshot(998, 0, 0, 0, 998, 1000, 1000, TimeUnit.SECONDS.toNanos(20), true,
        "connection refused; retry 3", TimeUnit.SECONDS.toNanos(12), TimeUnit.SECONDS.toNanos(120), null);

    assertEquals("[####################] 100%  read 998  delivered 0  rejected 0  not delivered 0  50 lines/s"
        + "  endpoint down 0:12 (connection refused; retry 3), giving up at 2:00", Progress.render(s));
  }

  @Test
  void withoutATerminalSaysWhenAnOutageLastsAndWhenItEnds() {
    long max = TimeUnit.SECONDS.toNanos(120);
    Progress.Snapshot up = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, null, 0, max, null);
    Progress.Snapshot blip = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, "HTTP 503; retry 1",
        TimeUnit.SECONDS.toNanos(1), max, null);
    Progress.Snapshot down = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, "connection refused; retry 4",
        TimeUnit.SECONDS.toNanos(6), max, null);

    assertEquals(null, Progress.notice(false, up));
    assertEquals(null, Progress.notice(false, blip)); // one failed attempt is retried at once: no line
    assertEquals("analytics4j import: endpoint down for 0:06 (connection refused; retry 4); retrying, giving up "
        + "after 2:00 without an answer", Progress.notice(false, down));
    assertEquals(null, Progress.notice(true, down));
    assertEquals("analytics4j import: the endpoint answers again", Progress.notice(true, up));
  }

  @Test
  void showsWhenTheEndpointAsksToSlowDown() {
    Progress.Snapshot s = new Progress.Snapshot(10, 5, 0, 0, 5, 0, -1, TimeUnit.SECONDS.toNanos(2), false, null, 0,
        TimeUnit.SECONDS.toNanos(120), "rate limited (HTTP 429, Retry-After 30)");

    assertEquals("read 10  delivered 5  rejected 0  not delivered 0  5 lines/s  endpoint rate limited (HTTP 429, "
        + "Retry-After 30), waiting as it asks", Progress.render(s));
  }

  @Test
  void aLogLineNeverGluesOntoTheProgressLine() {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    Progress.Snapshot s = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, null, 0, 0, null);
    Progress progress = Progress.start(err, () -> s);
    progress.close(); // stops the timer, draws once more, ends the line
    terminal.reset();

    progress.draw();
    PrintStream log = new PrintStream(progress.interleaved(), true, StandardCharsets.UTF_8);
    log.print("WARN something\n");

    String line = "read 5  delivered 5  rejected 0  not delivered 0  0 lines/s";
    assertEquals("\r" + line + "\r" + " ".repeat(line.length()) + "\r" + "WARN something\n",
        terminal.toString(StandardCharsets.UTF_8));
  }
}
