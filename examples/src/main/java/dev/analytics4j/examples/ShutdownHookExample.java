package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.Map;

/**
 * A service that runs until the JVM is told to stop (SIGTERM from an orchestrator, Ctrl-C,
 * {@code System.exit}): its own shutdown hook closes the client with a deadline shorter than the
 * orchestrator's grace period, so the last events are sent. The client's built-in hook is turned
 * off because the app owns closing, and its hook can report after the client is closed.
 */
public final class ShutdownHookExample {
  private ShutdownHookExample() {}

  public static void main(String[] args) throws Exception {
    ExampleTarget target = ExampleTarget.start();
    Analytics analytics = target.builder()
        .flushInterval(Duration.ofMinutes(1))
        .shutdownHook(false)
        .build();

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("JVM stopping: closing the analytics client, at most 5 s");
      analytics.close(Duration.ofSeconds(5));
      target.report();
      target.close();
    }, "app-shutdown"));

    for (int i = 1; i <= 3; i++) {
      analytics.enqueue(TrackMessage.builder("Job Processed").userId("worker-1").properties(Map.of("job", i)));
    }
    System.out.println("3 events queued and the flush interval is a minute away; stopping the JVM now"
        + " as a SIGTERM would. The shutdown hook sends them.");
    // System.exit rather than returning: "mvn exec:java" closes the recipe's class loader once main
    // returns, before the JVM's hooks run, and a hook can then no longer load the classes it needs.
    System.exit(0);
  }
}
