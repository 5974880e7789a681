package dev.analytics4j;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;

/**
 * What core logged through SLF4J during a test, formatted as SLF4J formats it: open one with
 * {@link #capture()} around the code under test and assert the lines it holds. Lines at INFO and
 * above also go to stderr, as slf4j-simple printed them before.
 */
public final class RecordedLogs implements AutoCloseable {
  /** The factory behind the tests' SLF4J binding ({@code org.slf4j.impl.StaticLoggerBinder}). */
  public static final ILoggerFactory FACTORY = new ILoggerFactory() {
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    @Override
    public Logger getLogger(String name) {
      return loggers.computeIfAbsent(name, RecordedLogs::logger);
    }
  };

  private static final List<RecordedLogs> OPEN = new ArrayList<>();

  /** One logged line: level (DEBUG, INFO, WARN, ERROR), logger name, message, and the cause's class. */
  public static final class Line {
    public final String level;
    public final String logger;
    public final String message;
    public final @Nullable Throwable thrown;

    Line(String level, String logger, String message, @Nullable Throwable thrown) {
      this.level = level;
      this.logger = logger;
      this.message = message;
      this.thrown = thrown;
    }

    /** {@code "WARN Reporter: message"}, the logger by its simple name. */
    @Override
    public String toString() {
      return level + " " + logger.substring(logger.lastIndexOf('.') + 1) + ": " + message
          + (thrown != null ? " [" + thrown + "]" : "");
    }
  }

  private final List<Line> lines = new ArrayList<>();

  private RecordedLogs() {}

  /** Starts recording every line logged, on any thread, until {@link #close()}. */
  public static RecordedLogs capture() {
    RecordedLogs logs = new RecordedLogs();
    synchronized (OPEN) {
      OPEN.add(logs);
    }
    return logs;
  }

  /** The lines recorded so far, as {@link Line#toString()}, of {@code level} and above. */
  public List<String> atLeast(String level) {
    int min = rank(level);
    return matching(line -> rank(line.level) >= min);
  }

  /** The lines recorded so far that {@code filter} accepts, as {@link Line#toString()}. */
  public synchronized List<String> matching(Predicate<Line> filter) {
    return lines.stream().filter(filter).map(Line::toString).collect(Collectors.toList());
  }

  /** The lines recorded so far. */
  public synchronized List<Line> lines() {
    return new ArrayList<>(lines);
  }

  private synchronized void add(Line line) {
    lines.add(line);
  }

  @Override
  public void close() {
    synchronized (OPEN) {
      OPEN.remove(this);
    }
  }

  private static int rank(String level) {
    return List.of("DEBUG", "INFO", "WARN", "ERROR").indexOf(level);
  }

  /** A Logger of SLF4J 1.7's interface: every level enabled, each call formatted and recorded. */
  private static Logger logger(String name) {
    return (Logger) Proxy.newProxyInstance(RecordedLogs.class.getClassLoader(), new Class<?>[] {Logger.class},
        (proxy, method, args) -> {
          String call = method.getName();
          if (call.equals("getName")) return name;
          if (call.startsWith("is") && call.endsWith("Enabled")) return Boolean.TRUE;
          if (call.equals("toString")) return "RecordedLogs[" + name + "]";
          if (call.equals("hashCode")) return System.identityHashCode(proxy);
          if (call.equals("equals")) return proxy == args[0];
          String level = call.toUpperCase(java.util.Locale.ROOT);
          if (level.equals("TRACE")) level = "DEBUG";
          record(level, name, args);
          return null;
        });
  }

  private static void record(String level, String name, Object[] args) {
    if (args[0] instanceof org.slf4j.Marker) args = java.util.Arrays.copyOfRange(args, 1, args.length);
    String format = (String) args[0];
    Object[] rest;
    if (args.length == 2 && args[1] instanceof Object[]) {
      rest = (Object[]) args[1];
    } else {
      rest = java.util.Arrays.copyOfRange(args, 1, args.length);
    }
    FormattingTuple tuple = MessageFormatter.arrayFormat(format, rest);
    Throwable thrown = tuple.getThrowable();
    if (thrown == null && rest.length == 1 && rest[0] instanceof Throwable && !format.contains("{}")) {
      thrown = (Throwable) rest[0];
    }
    Line line = new Line(level, name, tuple.getMessage(), thrown);
    if (rank(level) >= rank("INFO")) {
      System.err.println("[" + Thread.currentThread().getName() + "] " + line);
      if (thrown != null) thrown.printStackTrace();
    }
    List<RecordedLogs> open;
    synchronized (OPEN) {
      open = new ArrayList<>(OPEN);
    }
    for (RecordedLogs logs : open) logs.add(line);
  }
}
