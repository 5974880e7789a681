package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.DropReason;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Each recipe runs against a collector on 127.0.0.1, whatever the environment says (a developer who
 * exported {@code ANALYTICS_WRITE_KEY}, as the README suggests, runs these too), and its test checks
 * that what the recipe shows is what arrived. A recipe that throws or hangs fails its test with the
 * recipe's name; none of them ends the test JVM.
 */
class ExamplesTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @FunctionalInterface
  interface Recipe<T> {
    T run(ExampleTarget target) throws Exception;
  }

  @Test
  void quickStartSendsOneOfEachType() throws IOException {
    List<Map<String, Object>> sent = run("QuickStartExample", target -> {
      QuickStartExample.run(target);
      return null;
    });

    assertEquals(Map.of("alias", 1, "group", 1, "identify", 1, "page", 1, "screen", 1, "track", 1), countsByType(sent),
        "QuickStartExample");
    Map<String, Object> track = only(sent, "track");
    assertEquals("Order Completed", track.get("event"));
    assertEquals(Map.of("order_id", "ord_1029", "revenue", 42.5, "currency", "EUR"), track.get("properties"));
    Map<String, Object> alias = only(sent, "alias");
    assertEquals(only(sent, "page").get("anonymousId"), alias.get("previousId"), "the alias links the page's visitor");
  }

  @Test
  void euRegionSendsToTheLastHostSet() throws IOException {
    List<Map<String, Object>> sent = run("EuRegionExample", target -> {
      EuRegionExample.run(target);
      return null;
    });

    assertEquals(List.of("Report Exported"), events(sent), "EuRegionExample: the endpoint set after the region wins");
  }

  @Test
  void tryWithResourcesSendsTheQueueOnLeavingTheBlock() throws IOException {
    List<Map<String, Object>> sent = run("TryWithResourcesExample", target -> {
      TryWithResourcesExample.run(target);
      return null;
    });

    assertEquals(List.of("Report Generated", "Report Generated", "Report Generated"), events(sent));
    assertEquals(List.of(1.0, 2.0, 3.0), property(sent, "report"),
        "TryWithResourcesExample: the three events queued a minute before their flush interval");
  }

  @Test
  void batchJobSucceedsOnlyWithEveryInvoiceDelivered() throws IOException {
    List<Boolean> success = new ArrayList<>();
    List<Map<String, Object>> sent = run("BatchJobExample", target -> success.add(BatchJobExample.run(target)));

    assertEquals(List.of(true), success, "BatchJobExample reported failure");
    assertEquals(500, sent.size(), "BatchJobExample");
    assertEquals(500, new TreeSet<>(property(sent, "invoice")).size(), "every invoice once");
  }

  @Test
  void customOkHttpClientGoesThroughTheProxy() throws IOException {
    try (ExampleTarget target = ExampleTarget.local()) {
      List<Map<String, Object>> sent = run("CustomOkHttpClientExample", target, t -> {
        CustomOkHttpClientExample.run(t);
        return null;
      });

      assertEquals(List.of("Proxy Configured"), events(sent), "CustomOkHttpClientExample");
      // The endpoint's host does not resolve: the request can only have come through the proxy.
      assertEquals("analytics.internal.example", target.collector().received().get(0).headers.get("Host"));
    }
  }

  @Test
  void gzipCompressesEveryRequest() throws IOException {
    try (ExampleTarget target = ExampleTarget.local()) {
      List<Map<String, Object>> sent = run("GzipExample", target, t -> {
        GzipExample.run(t);
        return null;
      });

      assertEquals(200, sent.size(), "GzipExample");
      for (LocalCollector.Received request : target.collector().received()) {
        assertEquals("gzip", request.headers.get("Content-encoding"), "GzipExample: a request went uncompressed");
      }
    }
  }

  @Test
  void callbacksAndMetricsAccountForEveryOffer() throws IOException {
    List<CallbacksAndMetricsExample.Seen> seen = new ArrayList<>();
    List<Map<String, Object>> sent = run("CallbacksAndMetricsExample",
        target -> seen.add(CallbacksAndMetricsExample.run(target)));

    CallbacksAndMetricsExample.Seen counts = seen.get(0);
    // How many offers find room depends on when the first batch of 50 is answered; the accounts do not.
    assertTrue(counts.accepted >= 50, "the first 50 offers fit the empty queue: " + counts.accepted);
    assertEquals(counts.accepted, sent.size(), "CallbacksAndMetricsExample: every accepted offer arrived");
    assertEquals(counts.accepted, counts.delivered, "the callback saw each delivery");
    assertEquals(80 - counts.accepted, counts.dropped, "the callback saw each refused offer as dropped");
    assertEquals(counts.dropped, counts.metrics.dropped(DropReason.QUEUE_FULL), "metrics agree with the callback");
    assertEquals(80, counts.metrics.enqueued(), "metrics count every offer");
    assertEquals(counts.accepted, counts.metrics.sent(), "metrics count every delivery");
    assertEquals(counts.dropped, counts.metrics.dropped(), "no drop for another reason");
  }

  @Test
  void messageInterceptorAddsTheAppContext() throws IOException {
    List<Map<String, Object>> sent = run("MessageInterceptorExample", target -> {
      MessageInterceptorExample.run(target);
      return null;
    });

    assertEquals(Map.of("identify", 1, "track", 1), countsByType(sent), "MessageInterceptorExample");
    for (Map<String, Object> message : sent) {
      Map<?, ?> context = (Map<?, ?>) message.get("context");
      assertEquals("eu-west-1", context.get("region"), "MessageInterceptorExample: " + message);
      assertEquals("billing-service", ((Map<?, ?>) context.get("app")).get("name"), "MessageInterceptorExample: " + message);
    }
    assertEquals("203.0.113.7", ((Map<?, ?>) only(sent, "identify").get("context")).get("ip"), "the message's own context is kept");
  }

  @Test
  void historicalBackfillKeepsIdsAndTimestamps() throws IOException {
    List<Long> delivered = new ArrayList<>();
    List<Map<String, Object>> sent = run("HistoricalBackfillExample",
        target -> delivered.add(HistoricalBackfillExample.run(target)));

    assertEquals(List.of(5_000L), delivered, "HistoricalBackfillExample's own count");
    assertEquals(5_000, sent.size(), "HistoricalBackfillExample");
    Set<Object> ids = sent.stream().map(m -> m.get("messageId")).collect(Collectors.toSet());
    assertEquals(5_000, ids.size(), "one messageId per order");
    assertTrue(ids.contains("order-1") && ids.contains("order-5000"), "ids derived from the orders");
    Map<String, Object> first = sent.stream().filter(m -> "order-1".equals(m.get("messageId"))).findFirst().get();
    assertEquals("2023-01-01T01:37:00.000Z", first.get("timestamp"), "the time the order happened");
  }

  @Test
  void theDemoDeliversTheWholeJourney() throws IOException {
    try (LocalCollector collector = LocalCollector.start()) {
      boolean delivered;
      try {
        delivered = assertTimeoutPreemptively(LIMIT, () -> Demo.run(collector), "Demo did not finish within " + LIMIT);
      } catch (AssertionFailedError e) {
        throw e;
      } catch (Throwable t) {
        throw new AssertionError("Demo threw " + t, t);
      }

      assertTrue(delivered, "Demo reported a failed or dropped message");
      assertEquals(Map.of("alias", 1, "group", 1, "identify", 1, "page", 3, "track", 2), collector.countsByType(), "Demo");
    }
  }

  /**
   * The recipe ends its JVM with System.exit, as a SIGTERM would: run in a JVM of its own, its
   * shutdown hook must still deliver the three events queued a minute before their flush interval.
   */
  @Test
  void shutdownHookSendsTheQueueAsTheJvmStops(@TempDir Path dir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = ReadmeJavaBlocks.testClasspath().stream().map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
    Path output = dir.resolve("output.txt");
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", classpath, ShutdownHookExample.class.getName())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().remove(ExampleTarget.WRITE_KEY_ENV);
    Process process = builder.start();
    try {
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "ShutdownHookExample did not end within 60 s");
    } finally {
      process.destroyForcibly();
    }
    String printed = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);

    assertEquals(0, process.exitValue(), "ShutdownHookExample:\n" + printed);
    assertTrue(printed.contains("The collector received 1 request(s): {track=3}"), "ShutdownHookExample:\n" + printed);
  }

  private static List<Map<String, Object>> run(String recipe, Recipe<?> body) throws IOException {
    try (ExampleTarget target = ExampleTarget.local()) {
      return run(recipe, target, body);
    }
  }

  /** Runs the recipe against {@code target}'s collector and returns the messages that arrived, in order. */
  private static List<Map<String, Object>> run(String recipe, ExampleTarget target, Recipe<?> body) {
    Instant start = Instant.now();
    try {
      assertTimeoutPreemptively(LIMIT, () -> body.run(target), () -> recipe + " did not finish within " + LIMIT);
    } catch (AssertionFailedError e) {
      throw e;
    } catch (Throwable t) {
      throw new AssertionError(recipe + " threw " + t + " after " + Duration.between(start, Instant.now()).toMillis()
          + " ms", t);
    }
    return target.collector().received().stream()
        .flatMap(request -> request.messages().stream())
        .collect(Collectors.toList());
  }

  private static Map<String, Integer> countsByType(List<Map<String, Object>> sent) {
    return sent.stream().collect(Collectors.toMap(m -> (String) m.get("type"), m -> 1, Integer::sum));
  }

  private static Map<String, Object> only(List<Map<String, Object>> sent, String type) {
    List<Map<String, Object>> ofType = sent.stream().filter(m -> type.equals(m.get("type"))).collect(Collectors.toList());
    assertEquals(1, ofType.size(), "messages of type " + type + ": " + ofType);
    return ofType.get(0);
  }

  private static List<Object> events(List<Map<String, Object>> sent) {
    return sent.stream().map(m -> m.get("event")).collect(Collectors.toList());
  }

  private static List<Object> property(List<Map<String, Object>> sent, String name) {
    return sent.stream().map(m -> ((Map<?, ?>) m.get("properties")).get(name)).collect(Collectors.toList());
  }
}
