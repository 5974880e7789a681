package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where the recipes send: the real API when {@code ANALYTICS_WRITE_KEY} is set, otherwise a
 * {@link LocalCollector} on 127.0.0.1, so every recipe runs on a fresh machine without an account.
 */
final class ExampleTarget implements AutoCloseable {
  static final String WRITE_KEY_ENV = "ANALYTICS_WRITE_KEY";

  private final String writeKey;
  private final LocalCollector collector;

  private ExampleTarget(String writeKey, LocalCollector collector) {
    this.writeKey = writeKey;
    this.collector = collector;
  }

  static ExampleTarget start() throws IOException {
    String key = System.getenv(WRITE_KEY_ENV);
    if (key != null && !key.trim().isEmpty()) {
      System.out.println("Sending to the real API (" + WRITE_KEY_ENV + " is set).");
      return new ExampleTarget(key.trim(), null);
    }
    ExampleTarget local = local();
    System.out.println("Sending to a local collector at " + local.collector.endpoint()
        + " (set " + WRITE_KEY_ENV + " to send to the real API).");
    return local;
  }

  /** Always the local collector, whatever the environment says: for the recipes' tests. */
  static ExampleTarget local() throws IOException {
    return new ExampleTarget("example-write-key-not-secret", LocalCollector.start());
  }

  /** A builder for the target: the write key, and the local collector's address when local. */
  Analytics.Builder builder() {
    return local(Analytics.builder(writeKey));
  }

  /** Points {@code builder} at the local collector, when there is one; the last endpoint wins. */
  Analytics.Builder local(Analytics.Builder builder) {
    return collector != null ? builder.endpoint(collector.endpoint()) : builder;
  }

  String writeKey() {
    return writeKey;
  }

  /** The local collector, or null when sending to the real API. */
  LocalCollector collector() {
    return collector;
  }

  /** Prints what the local collector received: requests, and messages by type. */
  void report() {
    if (collector == null) {
      System.out.println("Sent; see the source's debugger in your workspace.");
      return;
    }
    List<LocalCollector.Received> requests = collector.received();
    Map<String, Integer> counts = collector.countsByType();
    System.out.println("The collector received " + requests.size() + " request(s): " + counts);
  }

  @Override
  public void close() {
    if (collector != null) collector.close();
  }
}
