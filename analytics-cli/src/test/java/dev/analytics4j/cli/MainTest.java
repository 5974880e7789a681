package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The real process: signals and exit codes, as a shell sees them. */
class MainTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  /** Shaped like Java 22's {@code java.io.Console}, which exists with the streams redirected too. */
  public static final class Java22Console {
    private final boolean terminal;

    Java22Console(boolean terminal) {
      this.terminal = terminal;
    }

    public boolean isTerminal() {
      return terminal;
    }
  }

  @Test
  void drawsTheProgressLineOnlyOnATerminalAlsoWhereEveryProcessHasAConsole() {
    assertFalse(Main.isTerminal(null, Object.class)); // up to Java 21: redirected
    assertTrue(Main.isTerminal(new Object(), Object.class)); // up to Java 21: a console is a terminal
    // Java 22+: redirected, a console all the same
    assertFalse(Main.isTerminal(new Java22Console(false), Java22Console.class));
    assertTrue(Main.isTerminal(new Java22Console(true), Java22Console.class));
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void sigtermSendsWhatWasReadPrintsTheSummaryAndExitsWith143() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.ok());
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "import", "--endpoint", server.url("/").toString(),
        "--rejects", dir.resolve("rejects.txt").toString()))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().put("ANALYTICS_WRITE_KEY", "abc123");
    Process process = builder.start();
    try {
      // Two lines, then a pipe that stays open and quiet, as from a producer that is still running.
      OutputStream stdin = process.getOutputStream();
      for (int i = 1; i <= 2; i++) {
        stdin.write(("{\"type\":\"track\",\"userId\":\"u" + i + "\",\"event\":\"E\",\"timestamp\":\"2021-06-01T10:00:00Z\"}\n")
            .getBytes(StandardCharsets.UTF_8));
      }
      stdin.flush();
      RecordedRequest check = server.takeRequest(60, TimeUnit.SECONDS);
      assertNotNull(check, "the endpoint check");
      RecordedRequest batch = server.takeRequest(60, TimeUnit.SECONDS);
      assertNotNull(batch, "the batch, sent after the 1 s flush interval");

      // The signal alone, the pipe still open: Process.destroy() sends SIGTERM and then closes our
      // end of the pipe at once, and the importer could see the end of its input, finish and exit
      // 0 before the JVM's signal thread ran the handler (seen once at load 21). The input ends
      // only once the handler has said it is stopping, so the signal always comes first.
      process.toHandle().destroy(); // SIGTERM
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(stderr).contains("SIGTERM: stopping")) {
        assertTrue(System.nanoTime() - deadline < 0, "the signal was handled: " + Files.readString(stderr));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      stdin.close();

      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited");
      String summary = Files.readString(stdout);
      assertEquals(ImportResult.EXIT_SIGTERM, process.exitValue(), summary + Files.readString(stderr));
      assertTrue(summary.startsWith("analytics4j import interrupted: stopped by SIGTERM; sent what was read ("), summary);
      assertTrue(summary.contains("  lines read     2  ("), summary);
      assertTrue(summary.contains("  delivered      2\n"), summary);
      // No "stopped at": the input did end (its pipe closed), after the signal.
      assertTrue(summary.endsWith("  exit code      143\n"), summary);
      assertTrue(Files.readString(stderr).contains("SIGTERM: stopping; sending what was read"), Files.readString(stderr));
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void aSecondSignalExitsAtOnceWithTheRejectsFileWrittenOutAndSaysWhatItLeavesOut() throws Exception {
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        if (!TestServer.isCheck(request)) {
          received.countDown();
          answer.await(60, TimeUnit.SECONDS); // the batch hangs: the first signal waits for it
        }
        return TestServer.ok();
      }
    });
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Path rejects = dir.resolve("rejects.txt");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder builder = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "import", "--endpoint", server.url("/").toString(), "--shutdown-timeout", "600",
        "--rejects", rejects.toString()))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    builder.environment().put("ANALYTICS_WRITE_KEY", "abc123");
    Process process = builder.start();
    try {
      OutputStream stdin = process.getOutputStream();
      stdin.write(("not json\n[1]\n{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"E\",\"timestamp\":"
          + "\"2021-06-01T10:00:00Z\"}\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      assertTrue(received.await(60, TimeUnit.SECONDS), "the batch, after the two rejected lines");

      process.destroy(); // SIGTERM: stops reading, waits up to 600 s for the batch
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(stderr).contains("SIGTERM: stopping")) {
        assertTrue(System.nanoTime() - deadline < 0, "the first signal was handled");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      process.destroy(); // SIGTERM again: at once

      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "exited");
      assertEquals(ImportResult.EXIT_SIGTERM, process.exitValue());
      assertEquals("", Files.readString(stdout));
      assertTrue(Files.readString(stderr).contains("SIGTERM again: exiting at once without a summary; 3 line(s) read, "
          + "0 delivered; 1 read but not yet delivered or listed (the rejects file lists only what was settled)\n"),
          Files.readString(stderr));
      // Still buffered when the process halted, before the fix: an empty file that seemed to say "none".
      List<String> rejected = Files.readAllLines(rejects);
      assertEquals(2, rejected.size(), rejected.toString());
      assertTrue(rejected.get(0).startsWith("<stdin>:1: "), rejected.toString());
      assertTrue(rejected.get(1).startsWith("<stdin>:2: "), rejected.toString());
    } finally {
      answer.countDown();
      process.destroyForcibly();
    }
  }
}
