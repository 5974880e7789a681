package dev.analytics4j.internal;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. The one door through which the library logs, so that it
 * never decides which SLF4J an application resolves.
 *
 * <p>SLF4J is optional: when the application has {@code slf4j-api} (1.7 or 2.x) bound to a
 * provider, each line goes to SLF4J as if logged there directly, under the class's name. When it
 * has no {@code slf4j-api}, or one bound to nothing (SLF4J would then discard every line), lines go
 * to the JDK's {@link System.Logger}, which prints INFO and above on the console unless configured
 * otherwise, so that a warning about a dead endpoint is never lost. An application that chose
 * {@code slf4j-nop} keeps its silence.
 *
 * <p>Messages use SLF4J's {@code {}} placeholders, and a {@link Throwable} after the last argument
 * filled in is logged as the cause with its stack trace, as SLF4J does. Only API that exists in
 * SLF4J 1.7 is used, and {@code org.slf4j} types are touched only once SLF4J is known to be there.
 */
public final class Log implements System.Logger {
  private static final int DEBUG = 0;
  private static final int INFO = 1;
  private static final int WARN = 2;
  private static final int ERROR = 3;
  private static final @Nullable Object[] NO_ARGS = new Object[0];

  /** Decided once, before the first logger, so that every class of one client logs to one place. */
  private static final boolean SLF4J = Slf4jSink.bound();

  private final Sink sink;

  private Log(Sink sink) {
    this.sink = sink;
  }

  /** The logger for {@code type}, named after it; keep it in a {@code private static final} field. */
  public static Log get(Class<?> type) {
    String name = type.getName();
    return new Log(SLF4J ? new Slf4jSink(name) : new JdkSink(name));
  }

  /** A logger that writes to the JDK's {@link System.Logger} whatever SLF4J there is. */
  static Log jdk(String name) {
    return new Log(new JdkSink(name));
  }

  /** Whether lines go to SLF4J (else to {@link System.Logger}). */
  public static boolean usesSlf4j() {
    return SLF4J;
  }

  /**
   * {@code "1 message"}, {@code "2 messages"}: the count and the noun agreeing with it, so a log line
   * never says "1 messages".
   */
  public static String count(long n, String noun) {
    return count(n, noun, noun + "s");
  }

  /** {@code "1 retry"}, {@code "2 retries"}: for nouns whose plural is not the noun plus "s". */
  public static String count(long n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }

  public boolean isDebugEnabled() {
    return sink.enabled(DEBUG);
  }

  public void debug(String message) {
    if (sink.enabled(DEBUG)) sink.log(DEBUG, message, NO_ARGS);
  }

  public void debug(String format, @Nullable Object arg) {
    if (sink.enabled(DEBUG)) sink.log(DEBUG, format, new @Nullable Object[] {arg});
  }

  public void debug(String format, @Nullable Object arg1, @Nullable Object arg2) {
    if (sink.enabled(DEBUG)) sink.log(DEBUG, format, new @Nullable Object[] {arg1, arg2});
  }

  public void debug(String format, @Nullable Object... args) {
    if (sink.enabled(DEBUG)) sink.log(DEBUG, format, args);
  }

  public void info(String message) {
    if (sink.enabled(INFO)) sink.log(INFO, message, NO_ARGS);
  }

  public void info(String format, @Nullable Object... args) {
    if (sink.enabled(INFO)) sink.log(INFO, format, args);
  }

  public void warn(String message) {
    if (sink.enabled(WARN)) sink.log(WARN, message, NO_ARGS);
  }

  public void warn(String format, @Nullable Object... args) {
    if (sink.enabled(WARN)) sink.log(WARN, format, args);
  }

  public void error(String format, @Nullable Object... args) {
    if (sink.enabled(ERROR)) sink.log(ERROR, format, args);
  }

  /**
   * {@code format} with each {@code {}} replaced by the next argument, and the {@link Throwable}
   * left over after the last one filled in, if any: SLF4J's rules, for the {@link System.Logger}
   * path, which has no placeholders of its own.
   */
  static String format(String format, @Nullable Object[] args, @Nullable Throwable[] thrown) {
    StringBuilder out = new StringBuilder(format.length() + 16 * args.length);
    int used = 0;
    int from = 0;
    while (true) {
      int at = format.indexOf("{}", from);
      if (at < 0 || used == args.length) break;
      out.append(format, from, at).append(text(args[used++]));
      from = at + 2;
    }
    out.append(format, from, format.length());
    Object last = args.length > 0 ? args[args.length - 1] : null;
    thrown[0] = used < args.length && last instanceof Throwable ? (Throwable) last : null;
    return out.toString();
  }

  /*
   * System.Logger, so that the JDK's default loggers, which look for a line's source by skipping
   * the frames of System.Logger classes, name the class that logged rather than this one.
   */

  @Override
  public String getName() {
    return sink.name();
  }

  @Override
  public boolean isLoggable(Level level) {
    return sink.enabled(level(level));
  }

  @Override
  public void log(Level level, java.util.@Nullable ResourceBundle bundle, @Nullable String message,
      @Nullable Throwable thrown) {
    int ours = level(level);
    if (sink.enabled(ours)) sink.log(ours, "{}", new @Nullable Object[] {message, thrown});
  }

  @Override
  public void log(Level level, java.util.@Nullable ResourceBundle bundle, @Nullable String format,
      @Nullable Object... params) {
    int ours = level(level);
    if (sink.enabled(ours)) {
      String message = format == null || params == null || params.length == 0 ? format
          : java.text.MessageFormat.format(format, params);
      sink.log(ours, "{}", new @Nullable Object[] {message});
    }
  }

  private static int level(Level level) {
    switch (level) {
      case ALL:
      case TRACE:
      case DEBUG:
        return DEBUG;
      case INFO:
        return INFO;
      case WARNING:
        return WARN;
      default:
        return ERROR;
    }
  }

  private static String text(@Nullable Object arg) {
    try {
      if (arg instanceof Object[]) return Arrays.deepToString((Object[]) arg);
      return String.valueOf(arg);
    } catch (Throwable t) {
      // A log line must not throw into the code that logs it.
      return "[toString() failed: " + t + "]";
    }
  }

  private interface Sink {
    String name();

    boolean enabled(int level);

    void log(int level, String format, @Nullable Object[] args);
  }

  /**
   * The SLF4J path. A class of its own, so that {@code org.slf4j} is linked only when this class is,
   * which is after {@link #bound()} found SLF4J usable.
   */
  private static final class Slf4jSink implements Sink {
    private final org.slf4j.Logger slf4j;

    Slf4jSink(String name) {
      this.slf4j = org.slf4j.LoggerFactory.getLogger(name);
    }

    @Override
    public String name() {
      return slf4j.getName();
    }

    /**
     * Whether SLF4J is there and bound to a provider. Its no-operation factory means one of two
     * things: the application chose {@code slf4j-nop} (respected), or SLF4J found no provider and
     * would discard every line (then the JDK's logger is used). SLF4J 2 finds providers with
     * ServiceLoader and ignores 1.7 bindings; 1.7 finds only its {@code StaticLoggerBinder}.
     */
    static boolean bound() {
      try {
        ClassLoader loader = Log.class.getClassLoader();
        Class.forName("org.slf4j.LoggerFactory", false, loader);
        org.slf4j.ILoggerFactory factory = org.slf4j.LoggerFactory.getILoggerFactory();
        // Touches Logger from here, so a SLF4J this module cannot read fails now, not on first use.
        factory.getLogger(Log.class.getName()).isDebugEnabled();
        if (!(factory instanceof org.slf4j.helpers.NOPLoggerFactory)) return true;
        ClassLoader slf4j = org.slf4j.LoggerFactory.class.getClassLoader();
        if (present("org.slf4j.spi.SLF4JServiceProvider", slf4j)) {
          return present("org.slf4j.nop.NOPServiceProvider", slf4j)
              || System.getProperty("slf4j.provider") != null;
        }
        return present("org.slf4j.impl.StaticLoggerBinder", slf4j);
      } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
        // No SLF4J, one this module cannot read (the module path), or one that failed to start.
        return false;
      }
    }

    private static boolean present(String className, @Nullable ClassLoader loader) {
      try {
        Class.forName(className, false, loader);
        return true;
      } catch (ClassNotFoundException | LinkageError e) {
        return false;
      }
    }

    @Override
    public boolean enabled(int level) {
      switch (level) {
        case DEBUG:
          return slf4j.isDebugEnabled();
        case INFO:
          return slf4j.isInfoEnabled();
        case WARN:
          return slf4j.isWarnEnabled();
        default:
          return slf4j.isErrorEnabled();
      }
    }

    @Override
    public void log(int level, String format, @Nullable Object[] args) {
      switch (level) {
        case DEBUG:
          slf4j.debug(format, args);
          break;
        case INFO:
          slf4j.info(format, args);
          break;
        case WARN:
          slf4j.warn(format, args);
          break;
        default:
          slf4j.error(format, args);
          break;
      }
    }
  }

  /** The JDK path; a {@link System.Logger} itself for the same reason as {@link Log}. */
  private static final class JdkSink implements Sink, System.Logger {
    private final System.Logger jdk;

    JdkSink(String name) {
      this.jdk = System.getLogger(name);
    }

    @Override
    public boolean enabled(int level) {
      return jdk.isLoggable(level(level));
    }

    @Override
    public void log(int level, String format, @Nullable Object[] args) {
      @Nullable Throwable[] thrown = new Throwable[1];
      String message = format(format, args, thrown);
      log(level(level), null, message, thrown[0]);
    }

    private static Level level(int level) {
      switch (level) {
        case DEBUG:
          return Level.DEBUG;
        case INFO:
          return Level.INFO;
        case WARN:
          return Level.WARNING;
        default:
          return Level.ERROR;
      }
    }

    @Override
    public String name() {
      return jdk.getName();
    }

    @Override
    public String getName() {
      return jdk.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
      return jdk.isLoggable(level);
    }

    @Override
    public void log(Level level, java.util.@Nullable ResourceBundle bundle, @Nullable String message,
        @Nullable Throwable thrown) {
      jdk.log(level, bundle, message, thrown);
    }

    @Override
    public void log(Level level, java.util.@Nullable ResourceBundle bundle, @Nullable String format,
        @Nullable Object... params) {
      jdk.log(level, bundle, format, params);
    }
  }
}
