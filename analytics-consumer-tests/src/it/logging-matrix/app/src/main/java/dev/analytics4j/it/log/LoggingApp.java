package dev.analytics4j.it.log;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.TrackMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

/**
 * Logs a line of its own (through SLF4J, or the JDK's System.Logger when the setup has no logging
 * library), names the slf4j-api it resolved, then sends to a port nothing listens on, so that the
 * client logs at build() and warns about the failed batch.
 */
public final class LoggingApp {
  public static void main(String[] args) throws Exception {
    String setup = args[0];
    String line = "logging-matrix " + setup + ": the app's own line";
    if (setup.equals("no-logging")) {
      System.getLogger(LoggingApp.class.getName()).log(System.Logger.Level.INFO, line);
      System.out.println("slf4j-api: " + slf4jJar());
    } else {
      Slf4j.info(line);
      System.out.println("slf4j-api: " + slf4jJar());
    }

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (Analytics analytics = Analytics.builder("logging-matrix-write-key")
        .endpoint("http://127.0.0.1:" + closedPort)
        .maxRetries(0)
        .shutdownHook(false)
        .build()) {
      analytics.enqueue(TrackMessage.builder("Logged").userId("u1"));
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      if (result.isSuccess()) throw new AssertionError("a closed port accepted the batch: " + result);
    }
    System.out.println("logging-matrix " + setup + ": done");
  }

  /** The jar slf4j-api was loaded from, or "none". */
  private static String slf4jJar() {
    try {
      Class<?> factory = Class.forName("org.slf4j.LoggerFactory");
      String path = factory.getProtectionDomain().getCodeSource().getLocation().getPath();
      return path.substring(path.lastIndexOf('/') + 1);
    } catch (ClassNotFoundException e) {
      return "none";
    }
  }

  /** Apart, so that the setup without SLF4J never loads org.slf4j. */
  private static final class Slf4j {
    static void info(String line) {
      org.slf4j.LoggerFactory.getLogger(LoggingApp.class).info(line);
    }
  }
}
