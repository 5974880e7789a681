package dev.analytics4j.it.convergence;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.it.Collector;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Sends through the bundle from a build that enforces dependency convergence; fails unless they arrive. */
public final class ConvergenceApp {
  public static void main(String[] args) throws Exception {
    try (Collector collector = Collector.start();
         Analytics analytics = Analytics.builder("convergence-write-key")
             .endpoint(collector.url())
             .shutdownHook(false)
             .build()) {
      List<String> ids = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
      analytics.enqueue(TrackMessage.builder("Build Converged").userId("u1").messageId(ids.get(0)));
      analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").messageId(ids.get(1)));
      FlushResult result = analytics.flush(Duration.ofSeconds(30));
      if (!result.isSuccess()) throw new AssertionError("flush did not deliver everything: " + result);
      collector.awaitMessageIds(ids, Duration.ofSeconds(10));
      System.out.println("convergence-app: delivered from a build with dependencyConvergence enforced");
    }
  }
}
