package dev.analytics4j.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C (SIGINT) and SIGTERM stop the import gracefully: reading stops, what was read is sent
 * within --shutdown-timeout, the summary is printed, and the process exits with 130 or 143. A
 * second signal exits at once, after writing out the rejects file and saying what it leaves out. Handling the signals (rather than a shutdown hook) is what lets the
 * exit code tell SIGINT from SIGTERM and lets main print the summary before it exits. {@code
 * sun.misc.Signal} lives in {@code jdk.unsupported}, the module the JDK keeps for exactly such
 * uses; javac warns about it all the same.
 */
final class Signals {
  private Signals() {}

  static void install(Importer importer, PrintStream err) {
    AtomicBoolean stopping = new AtomicBoolean();
    try {
      handle("INT", ImportResult.EXIT_SIGINT, importer, err, stopping);
      handle("TERM", ImportResult.EXIT_SIGTERM, importer, err, stopping);
    } catch (RuntimeException | LinkageError unavailable) {
      // A JVM without sun.misc.Signal, or run with -Xrs: the JVM's own handling stays, and a shutdown
      // hook still lets the import stop gracefully (the exit code is then the JVM's).
      Runtime.getRuntime().addShutdownHook(new Thread(importer::cancel, "analytics4j-import-interrupt"));
    }
  }

  private static void handle(String name, int exitCode, Importer importer, PrintStream err, AtomicBoolean stopping) {
    Signal.handle(new Signal(name), signal -> {
      if (stopping.compareAndSet(false, true)) {
        // The stop first, then the words: once "stopping" is printed the run ends as interrupted,
        // even if its input ends the next moment (MainTest waits for these words).
        importer.cancel(exitCode);
        err.println();
        err.println("SIG" + name + ": stopping; sending what was read (at most --shutdown-timeout). "
            + "Send it again to stop at once.");
      } else {
        // Halting skips the summary and every finally: flush the rejects file first, and say what
        // it leaves out, within a bound, because the user asked to exit now.
        Thread last = new Thread(() -> err.println("SIG" + name + " again: exiting at once without a summary; "
            + importer.abandon()), "analytics4j-import-halt");
        last.setDaemon(true);
        last.start();
        try {
          last.join(2_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        err.flush();
        Runtime.getRuntime().halt(exitCode);
      }
    });
  }
}
