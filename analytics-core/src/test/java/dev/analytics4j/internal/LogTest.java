package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {
  private static final String NAME = "dev.analytics4j.internal.LogTest.jdk";

  /** Held here: java.util.logging keeps its loggers weakly. */
  private final java.util.logging.Logger jul = java.util.logging.Logger.getLogger(NAME);
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler recorder = new Handler() {
    @Override
    public void publish(LogRecord record) {
      // Asks for the source now, as a console handler formatting the line would.
      record.getSourceClassName();
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @AfterEach
  void removeRecorder() {
    jul.removeHandler(recorder);
    jul.setUseParentHandlers(true);
  }

  private void record() {
    jul.addHandler(recorder);
    // The console stays quiet: what it would print is asserted here.
    jul.setUseParentHandlers(false);
  }

  @Test
  void countsAgreeWithTheirNouns() {
    assertEquals("0 messages", Log.count(0, "message"));
    assertEquals("1 message", Log.count(1, "message"));
    assertEquals("2 messages", Log.count(2, "message"));
    assertEquals("1 attempt", Log.count(1, "attempt"));
    assertEquals("1 retry", Log.count(1, "retry", "retries"));
    assertEquals("3 retries", Log.count(3, "retry", "retries"));
    assertEquals("-1 messages", Log.count(-1, "message"));
  }

  @Test
  void formatsAsSlf4jDoes() {
    Throwable[] thrown = new Throwable[1];
    IOException boom = new IOException("boom");
    assertEquals("a 1 b null c", Log.format("a {} b {} c", new Object[] {1, null}, thrown));
    assertNull(thrown[0]);
    // A Throwable after the last argument filled in is the cause, not text.
    assertEquals("failed: x", Log.format("failed: {}", new Object[] {"x", boom}, thrown));
    assertSame(boom, thrown[0]);
    assertEquals("failed", Log.format("failed", new Object[] {boom}, thrown));
    assertSame(boom, thrown[0]);
    // One a placeholder takes is text.
    assertEquals("failed: java.io.IOException: boom", Log.format("failed: {}", new Object[] {boom}, thrown));
    assertNull(thrown[0]);
    // More placeholders than arguments stay as they are; more arguments than placeholders are left out.
    assertEquals("1 {} {}", Log.format("{} {} {}", new Object[] {1}, thrown));
    assertEquals("1", Log.format("{}", new Object[] {1, 2}, thrown));
    assertEquals("[a, [b]]", Log.format("{}", new Object[] {new Object[] {"a", new Object[] {"b"}}}, thrown));
  }

  @Test
  void anArgumentWhoseToStringThrowsDoesNotThrowIntoTheCaller() {
    Object bad = new Object() {
      @Override
      public String toString() {
        throw new IllegalStateException("no");
      }
    };
    assertEquals("x [toString() failed: java.lang.IllegalStateException: no]",
        Log.format("x {}", new Object[] {bad}, new Throwable[1]));
  }

  @Test
  void withoutSlf4jLinesGoToSystemLoggerNamingTheClassThatLogged() {
    record();
    Log log = Log.jdk(NAME);
    IOException boom = new IOException("boom");

    log.warn("A batch of {} failed after {}: {}", Log.count(1, "message"), Log.count(1, "attempt"), "HTTP 400", boom);
    log.info("analytics4j {}: sending to {}", "1.0", "https://api.segment.io");
    log.error("Flusher caught an unexpected error; continuing", boom);
    log.debug("Sent {} in attempt {}", "1 message", 1);

    assertEquals(3, records.size(), "DEBUG is off by default: " + records);
    LogRecord warn = records.get(0);
    assertEquals(Level.WARNING, warn.getLevel());
    assertEquals("A batch of 1 message failed after 1 attempt: HTTP 400", warn.getMessage());
    assertSame(boom, warn.getThrown());
    // The console's first line names this class and method, not the logging seam.
    assertEquals(LogTest.class.getName(), warn.getSourceClassName());
    assertEquals("withoutSlf4jLinesGoToSystemLoggerNamingTheClassThatLogged", warn.getSourceMethodName());
    assertEquals(Level.INFO, records.get(1).getLevel());
    assertEquals("analytics4j 1.0: sending to https://api.segment.io", records.get(1).getMessage());
    assertEquals(Level.SEVERE, records.get(2).getLevel());
    assertSame(boom, records.get(2).getThrown());
    assertEquals(NAME, log.getName());
  }

  @Test
  void messagesAreNotReadAsJavaUtilLoggingPatterns() {
    record();
    Log.jdk(NAME).warn("body: {}", "{0} {1} '{'");
    assertEquals("body: {0} {1} '{'", records.get(0).getMessage());
    assertNull(records.get(0).getParameters());
  }

  @Test
  void withSlf4jBoundLinesGoToSlf4j() {
    // Core's tests bind SLF4J 1.7 to RecordedLogs.
    assertTrue(Log.usesSlf4j());
  }

  /** SLF4J is optional: a class that imported it would fail without it. Only this seam may. */
  @Test
  void noOtherMainClassUsesSlf4j() throws IOException {
    Path main = Path.of("src/main/java");
    assertTrue(Files.isDirectory(main), "run from the module directory: " + main.toAbsolutePath());
    try (Stream<Path> files = Files.walk(main)) {
      List<String> users = files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.endsWith(Path.of("dev/analytics4j/internal/Log.java")))
          .filter(p -> read(p).contains("org.slf4j"))
          .map(Path::toString)
          .collect(Collectors.toList());
      assertEquals(List.of(), users);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
