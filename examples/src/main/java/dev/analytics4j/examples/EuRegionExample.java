package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Region;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;

/**
 * An EU workspace: its write key only works on the EU host (events.eu1.segmentapis.com). Locally the
 * collector's endpoint replaces the region's host, which shows that the last host setting wins.
 */
public final class EuRegionExample {
  private EuRegionExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    System.out.println("EU host: " + Region.EU.host() + "/v1/batch");
    Analytics.Builder builder = Analytics.builder(target.writeKey()).region(Region.EU);
    try (Analytics analytics = target.local(builder).build()) {
      System.out.println("Client: " + analytics);
      analytics.enqueue(TrackMessage.builder("Report Exported").userId("u1"));
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      System.out.println("Flush: " + result);
    }
    target.report();
  }
}
