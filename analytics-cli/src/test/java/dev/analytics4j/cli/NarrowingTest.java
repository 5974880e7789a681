package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.Analytics;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A batch the collector refuses is narrowed down to the lines it refuses; the rest is delivered. */
class NarrowingTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  /** What one batch request held and how it was answered. */
  private static final class Sent {
    final List<String> users;
    final int code;
    final int bytes;

    Sent(List<String> users, int code, int bytes) {
      this.users = users;
      this.code = code;
      this.bytes = bytes;
    }
  }

  private final List<Sent> sent = new ArrayList<>();

  /** A collector that answers each batch with {@code answer(users, bodyBytes)}; checks get 200. */
  private void collector(Function<Sent, MockResponse> answer) {
    server.setDispatcher(new Dispatcher() {
      @Override
      @SuppressWarnings("unchecked")
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody().utf8();
        List<String> users = new ArrayList<>();
        try {
          for (Map<String, Object> m : (List<Map<String, Object>>) JSON.fromJson(body).get("batch")) {
            users.add((String) m.get("userId"));
          }
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
        if (users.isEmpty()) return TestServer.ok(); // the endpoint check
        MockResponse response = answer.apply(new Sent(users, 0, body.length()));
        synchronized (sent) {
          sent.add(new Sent(users, response.getCode(), body.length()));
        }
        return response;
      }
    });
  }

  private static MockResponse answer(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private Importer.Builder importer(String lines, int batchSize) throws Exception {
    Analytics.Builder client = Analytics.builder("abc123").endpoint(server.url("/").toString())
        .retryBackoff(Duration.ofMillis(20), Duration.ofMillis(20)).flushInterval(Duration.ofHours(1));
    return Importer.builder(client).batchSize(batchSize).checkEndpoint()
        .rejects(RejectsFile.open(dir.resolve("rejects.txt"), false, List.of()))
        .source(Importer.Source.stream("in", new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8))));
  }

  private static String lines(int count, Function<Integer, String> properties) {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      lines.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"Order\",\"timestamp\":")
          .append("\"2020-01-01T00:00:00Z\",\"properties\":").append(properties.apply(i)).append("}\n");
    }
    return lines.toString();
  }

  private List<String> rejects() throws Exception {
    Path path = dir.resolve("rejects.txt");
    return Files.exists(path) ? Files.readAllLines(path) : List.of();
  }

  /** Users in 2xx-answered batches, each counted as often as it was accepted. */
  private Map<String, Integer> accepted() {
    Map<String, Integer> accepted = new HashMap<>();
    synchronized (sent) {
      for (Sent s : sent) {
        if (s.code == 200) for (String user : s.users) accepted.merge(user, 1, Integer::sum);
      }
    }
    return accepted;
  }

  /** Whether some request carried exactly the messages of an earlier one refused with a 4xx. */
  private boolean repeatedAfterA4xx() {
    Set<List<String>> refused = new HashSet<>();
    synchronized (sent) {
      for (Sent s : sent) {
        if (refused.contains(s.users)) return true;
        if (s.code >= 400 && s.code < 500) refused.add(s.users);
      }
    }
    return false;
  }

  @Test
  void aBatchOf250WithOneRefusedLineDelivers249AndRejectsThatLineWithItsNumberAndTheReason() throws Exception {
    // The collector echoes the key; the rejects file must not.
    collector(s -> s.users.contains("u137")
        ? answer(400, "{\"success\":false,\"message\":\"properties.total: not a number\",\"key\":\"abc123\"}")
        : TestServer.ok());

    ImportResult result = importer(lines(250, i -> i == 137 ? "{\"total\":\"NaN\"}" : "{\"total\":" + i + "}"), 250)
        .build().run();

    assertEquals(ImportResult.EXIT_REJECTED, result.exitCode(), result.format());
    assertEquals(250, result.read);
    assertEquals(249, result.delivered, rejects() + " " + sent.size());
    assertEquals(1, result.rejected);
    assertEquals(0, result.notDelivered);
    assertEquals(List.of("in:137: refused by the endpoint: HTTP 400: {\"success\":false,\"message\":\"properties.total: "
        + "not a number\",\"key\":\"<write key>\"}"), rejects());
    Map<String, Integer> accepted = accepted();
    assertEquals(249, accepted.size());
    assertFalse(accepted.containsKey("u137"));
    assertTrue(accepted.values().stream().allMatch(n -> n == 1), "no line delivered twice: " + accepted);
    // The client's batch, then two halves per halving down to one line: 125, 63, 32, 16, 8, 4, 2, 1.
    assertEquals(1 + 16, sent.size());
    assertFalse(repeatedAfterA4xx());
  }

  @Test
  void twoRefusedLinesSideBySideAreBothIsolatedWithoutStoppingTheRun() throws Exception {
    // Depth first, these would be ten refusals in a row before the first delivery.
    collector(s -> s.users.contains("u1") || s.users.contains("u2") ? answer(400, "bad") : TestServer.ok());

    ImportResult result = importer(lines(250, i -> "{}"), 250).build().run();

    assertEquals(ImportResult.EXIT_REJECTED, result.exitCode(), result.format());
    assertEquals(248, result.delivered);
    assertEquals(List.of("in:1: refused by the endpoint: HTTP 400: bad", "in:2: refused by the endpoint: HTTP 400: bad"),
        rejects().stream().sorted().collect(java.util.stream.Collectors.toList()));
    assertTrue(sent.size() - 1 <= Narrower.MAX_REQUESTS_PER_BATCH, "requests: " + sent.size());
    assertFalse(repeatedAfterA4xx());
  }

  @Test
  void aCollectorThatRefusesEverythingStopsTheRunAtABoundedExtraCost() throws Exception {
    collector(s -> answer(400, "no"));

    ImportResult result = importer(lines(1000, i -> "{}"), 250).build().run();

    assertEquals(ImportResult.EXIT_ENDPOINT, result.exitCode(), result.format());
    assertTrue(result.stop.reason.startsWith("the endpoint refused the last 10 requests in a row"), result.stop.reason);
    // Reading stops with the run: every line read is listed, none delivered.
    assertTrue(result.read >= 250 && result.read <= 1000, result.format());
    assertEquals(0, result.delivered);
    assertEquals(result.read, result.rejected + result.notDelivered);
    assertEquals(result.read, rejects().size());
    long narrowing = sent.stream().filter(s -> s.users.size() < 250).count();
    assertTrue(narrowing <= Narrower.MAX_REFUSED_BEFORE_DELIVERY, "narrowing requests: " + narrowing);
    // At most one request per batch of the client, four batches.
    assertTrue(sent.size() - narrowing <= 4, "client requests: " + (sent.size() - narrowing));
    assertFalse(repeatedAfterA4xx());
  }

  @Test
  void a413IsNarrowedDownToTheOneLineTooLargeForTheCollector() throws Exception {
    // The collector takes bodies up to 20,000 bytes: the batch of 101 is too large, its halves are
    // not, except the part holding line 101 (a 20,000-byte property), which is too large alone.
    collector(s -> s.bytes > 20_000 ? answer(413, "payload too large") : TestServer.ok());
    String pad = "x".repeat(150);

    ImportResult result = importer(lines(101, i -> "{\"pad\":\"" + (i == 101 ? "y".repeat(20_000) : pad) + "\"}"), 101)
        .build().run();

    assertEquals(ImportResult.EXIT_REJECTED, result.exitCode(), result.format());
    assertEquals(100, result.delivered);
    assertEquals(1, result.rejected);
    assertEquals(List.of("in:101: refused by the endpoint: HTTP 413: payload too large"), rejects());
    assertTrue(sent.get(0).code == 413 && sent.get(0).users.size() == 101);
    assertEquals(100, accepted().size());
    assertFalse(repeatedAfterA4xx());
  }

  @Test
  void aBatchWithManyRefusedLinesCostsAtMostTheCapAndEveryLineIsAccountedFor() throws Exception {
    Set<String> bad = Set.of("u10", "u70", "u130", "u190", "u240");
    collector(s -> s.users.stream().anyMatch(bad::contains) ? answer(400, "bad") : TestServer.ok());

    ImportResult result = importer(lines(250, i -> "{}"), 250).build().run();

    assertEquals(ImportResult.EXIT_NOT_DELIVERED, result.exitCode(), result.format());
    assertEquals(1 + Narrower.MAX_REQUESTS_PER_BATCH, sent.size());
    assertEquals(250, result.delivered + result.rejected + result.notDelivered);
    assertTrue(result.delivered > 0 && result.notDelivered > 0, result.format());
    Map<String, Integer> accepted = accepted();
    assertEquals(result.delivered, accepted.size());
    for (String user : bad) assertFalse(accepted.containsKey(user), user);
    for (String line : rejects()) {
      String user = "u" + line.substring(3, line.indexOf(':', 3));
      if (line.contains("refused by the endpoint")) {
        assertTrue(bad.contains(user), line);
      } else {
        assertTrue(line.contains("narrowing the batch down stopped after 32 requests"), line);
      }
    }
    assertFalse(repeatedAfterA4xx());
  }
}
