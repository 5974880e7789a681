package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.TrackMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The encoder keeps a writer, a sink and the last timestamp per thread: what one message leaves
 * there, refused halfway or not, must never show in the next, and threads must never share them.
 */
final class EncoderReuseTest {
  private final Analytics client = Analytics.builder("reuse-write-key")
      .transport(request -> new Transport.Response(200, null, "{\"success\":true}"))
      .shutdownHook(false)
      .build();

  @AfterEach
  void close() {
    client.close();
  }

  private static TrackMessage track(String id, Instant at, Map<String, ?> properties) {
    return TrackMessage.builder("Reused").userId("u").messageId(id).timestamp(at).properties(properties).build();
  }

  private static Map<String, Object> properties(int n) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("n", n);
    map.put("text", "caf\u00e9 \ud83d\ude00 \"" + n + "\"");
    map.put("price", n / 7.0);
    map.put("list", List.of(n, "x", Collections.singletonMap("deep", n * 1000L)));
    return map;
  }

  private String encode(Message message) {
    return Wire.encode(client, message).json();
  }

  @Test
  void aMessageRefusedHalfwayLeavesNothingForTheNextOnTheSameThread() {
    Instant at = Instant.parse("2025-01-01T00:00:00.001Z");
    String expected = encode(track("good", at, properties(1)));
    List<Map<String, Object>> refused = new ArrayList<>();
    refused.add(Map.of("a", "ok", "bad", "x\ud800"));
    refused.add(Map.of("bad", Double.NaN));
    refused.add(Map.of("big", "y".repeat(40_000)));
    List<Object> expanding = new ArrayList<>(List.of("z".repeat(1000)));
    for (int i = 0; i < 12; i++) expanding = new ArrayList<>(List.of(expanding, expanding));
    refused.add(Map.of("e", expanding));
    for (Map<String, Object> bad : refused) {
      Map<String, Object> nested = new LinkedHashMap<>(properties(1));
      nested.put("inner", bad);
      assertThrows(IllegalArgumentException.class, () -> encode(track("bad", at, nested)));
      assertEquals(expected, encode(track("good", at, properties(1))));
    }
  }

  @Test
  void theTimestampOfEachMessageIsItsOwnWhenTheyAlternate() {
    Instant a = Instant.parse("2025-01-01T00:00:00.001Z");
    Instant b = Instant.parse("2025-01-01T00:00:00.001999Z"); // the same millisecond as a
    Instant c = Instant.parse("1999-12-31T23:59:59.999Z");
    for (int i = 0; i < 3; i++) {
      assertEquals(true, encode(track("a", a, Map.of("at", c))).contains(
          "\"timestamp\":\"2025-01-01T00:00:00.001Z\",\"userId\":\"u\",\"event\":\"Reused\",\"properties\":"
              + "{\"at\":\"1999-12-31T23:59:59.999Z\"}"));
      assertEquals(true, encode(track("b", b, Map.of())).contains("\"timestamp\":\"2025-01-01T00:00:00.001Z\""));
      assertEquals(true, encode(track("c", c, Map.of())).contains("\"timestamp\":\"1999-12-31T23:59:59.999Z\""));
    }
  }

  @Test
  void aBadKeyIsNamedBeforeItsBadValue() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("k\ud800", Double.NaN);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> encode(track("k", Instant.EPOCH, map)));
    assertEquals("properties: map key has an unpaired UTF-16 surrogate U+D800 at index 1", e.getMessage());
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("k\udc00", Map.of("x", new Object()));
    e = assertThrows(IllegalArgumentException.class, () -> encode(track("k", Instant.EPOCH, Map.of("m", nested))));
    assertEquals("properties.m: map key has an unpaired UTF-16 surrogate U+DC00 at index 1", e.getMessage());
  }

  @Test
  void threadsEncodingAtOnceEachGetTheirOwnBytes() throws Exception {
    int messages = 200;
    List<TrackMessage> all = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      TrackMessage message = track("m" + i, Instant.ofEpochMilli(1_700_000_000_000L + i % 3), properties(i));
      all.add(message);
      expected.add(encode(message));
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(threads.submit(() -> {
          start.await();
          int checked = 0;
          for (int round = 0; round < 20; round++) {
            for (int i = 0; i < messages; i++) {
              int k = (i * 7 + offset * 13 + round) % messages;
              assertEquals(expected.get(k), encode(all.get(k)));
              checked++;
            }
          }
          return checked;
        }));
      }
      start.countDown();
      for (Future<Integer> result : results) assertEquals(20 * messages, result.get(60, TimeUnit.SECONDS));
    } finally {
      threads.shutdownNow();
    }
  }
}
