package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void showsTheEndpointsRetryStateInsteadOfAFrozenEta() {
    Progress.Snapshot s = new Progress.Snapshot(998, 0, 0, 0, 998, 1000, 1000, TimeUnit.SECONDS.toNanos(20), true,
        "connection refused, retry 3 in 4 s", false, TimeUnit.SECONDS.toNanos(12), TimeUnit.SECONDS.toNanos(120), 0);

    assertEquals("[####################] 100%  read 998  delivered 0  rejected 0  not delivered 0  50 lines/s"
        + "  endpoint down 0:12 (connection refused, retry 3 in 4 s), giving up at 2:00", Progress.render(s));
  }

  @Test
  void countsDownToTheNextRetryAsTheClientReportsIt() {
    AtomicLong now = new AtomicLong();
    EndpointWatch watch = new EndpointWatch(now::get);
    for (int attempt = 1; attempt <= 3; attempt++) {
      watch.requestStart(250, attempt);
      watch.requestFailed(250, attempt, new ConnectException("Connection refused"), 1_000);
      if (attempt < 3) watch.retryScheduled(250, attempt + 1, TimeUnit.SECONDS.toNanos(1));
      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    }
    watch.retryScheduled(250, 4, TimeUnit.MILLISECONDS.toNanos(3_800));
    String line = "read 500  delivered 0  rejected 0  not delivered 0  50 lines/s  endpoint down ";

    assertEquals(line + "0:03 (connection refused, retry 3 in 4 s), giving up at 2:00", Progress.render(at(watch)));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(2_900));
    assertEquals(line + "0:05 (connection refused, retry 3 in 1 s), giving up at 2:00", Progress.render(at(watch)));
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
    assertEquals(line + "0:06 (connection refused, retry 3 in progress), giving up at 2:00", Progress.render(at(watch)));
  }

  /** 500 lines read in 10 s, all in flight, as the watch has the endpoint now. */
  private static Progress.Snapshot at(EndpointWatch watch) {
    EndpointWatch.State endpoint = watch.state();
    return new Progress.Snapshot(500, 0, 0, 0, 500, 0, -1, TimeUnit.SECONDS.toNanos(10), false,
        endpoint.problem, endpoint.throttled, endpoint.troubleNanos, TimeUnit.SECONDS.toNanos(120),
        watch.unansweredNanos());
  }

  @Test
  void saysHowLongTheEndpointHasTakenToAnswerInsteadOfAStaleEta() {
    long elapsed = TimeUnit.SECONDS.toNanos(20);
    Progress.Snapshot quick = new Progress.Snapshot(1000, 0, 0, 0, 1000, 500, 1000, elapsed, false, null, false, 0,
        TimeUnit.SECONDS.toNanos(120), TimeUnit.MILLISECONDS.toNanos(2_999));
    Progress.Snapshot slow = new Progress.Snapshot(1000, 0, 0, 0, 1000, 500, 1000, elapsed, false, null, false, 0,
        TimeUnit.SECONDS.toNanos(120), TimeUnit.MILLISECONDS.toNanos(12_400));

    String counts = "[##########..........]  50%  read 1,000  delivered 0  rejected 0  not delivered 0  50 lines/s";
    assertEquals(counts + "  ETA 0:20", Progress.render(quick));
    assertEquals(counts + "  waiting 0:12 for the endpoint's answer", Progress.render(slow));
  }

  @Test
  void withoutATerminalSaysWhenAnOutageLastsAndWhenItEnds() {
    long max = TimeUnit.SECONDS.toNanos(120);
    Progress.Snapshot up = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, null, false, 0, max, 0);
    Progress.Snapshot blip = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, "HTTP 503, retry 1 in 1 s", false,
        TimeUnit.SECONDS.toNanos(1), max, 0);
    Progress.Snapshot down = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false,
        "connection refused, retry 4 in 3 s", false, TimeUnit.SECONDS.toNanos(6), max, 0);

    assertEquals(null, Progress.notice(false, up));
    assertEquals(null, Progress.notice(false, blip)); // one failed attempt is retried at once: no line
    assertEquals("analytics4j import: endpoint down for 0:06 (connection refused, retry 4 in 3 s); giving up if it "
        + "accepts nothing for 2:00", Progress.notice(false, down));
    assertEquals(null, Progress.notice(true, down));
    assertEquals("analytics4j import: the endpoint accepts requests again", Progress.notice(true, up));
  }

  @Test
  void showsWhenTheEndpointAsksToSlowDown() {
    Progress.Snapshot s = new Progress.Snapshot(10, 5, 0, 0, 5, 0, -1, TimeUnit.SECONDS.toNanos(2), false,
        "HTTP 429, retry 1 in 30 s", true, TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(120), 0);

    assertEquals("read 10  delivered 5  rejected 0  not delivered 0  5 lines/s  endpoint rate-limited 0:01 (HTTP 429, "
        + "retry 1 in 30 s), giving up at 2:00", Progress.render(s));
  }

  @Test
  void aLogLineNeverGluesOntoTheProgressLine() {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    Progress.Snapshot s = new Progress.Snapshot(5, 5, 0, 0, 0, 0, -1, 0, false, null, false, 0, 0, 0);
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
