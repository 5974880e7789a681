package dev.analytics4j.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class WireTest {
  private static final Instant T = Instant.parse("2025-03-14T09:26:53.589Z");
  private static final String OURS = "\"library\":{\"name\":\"analytics4j\",\"version\":\"" + Analytics.VERSION + "\"}";

  private final List<String> bodies = new ArrayList<>();
  private final List<Map<String, String>> headers = new ArrayList<>();
  private final List<String> dropped = new ArrayList<>();

  private Analytics.Builder client() {
    return Analytics.builder("k3y").shutdownHook(false).flushAt(10).flushInterval(Duration.ofHours(1))
        .transport(request -> {
          synchronized (bodies) {
            bodies.add(new String(request.body(), UTF_8));
            headers.add(request.headers());
          }
          return new Transport.Response(200, null, "{}");
        })
        .callback(new Callback() {
          @Override
          public void onSuccess(EncodedMessage message) {}

          @Override
          public void onFailure(EncodedMessage message, Failure failure) {}

          @Override
          public void onDropped(EncodedMessage message, DropReason reason) {
            synchronized (dropped) {
              dropped.add(message.messageId() + " " + reason);
            }
          }
        });
  }

  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }

  private static TrackMessage withSourceLibrary() {
    return TrackMessage.builder("E").userId("u").messageId("m1").timestamp(T)
        .context(map("ip", "1.2.3.4", "library", map("name", "analytics.js", "version", "4.1.0"), "locale", "fr"))
        .build();
  }

  private static IdentifyMessage withoutLibrary() {
    return IdentifyMessage.builder().userId("u").messageId("m2").timestamp(T).context(map("ip", "5.6.7.8")).build();
  }

  @Test
  void keepsAMessagesOwnLibraryInItsPlaceAndAddsOursOnlyWhereThereIsNone() {
    Analytics analytics = Wire.keepMessageLibrary(client()).build();
    EncodedMessage kept = Wire.encode(analytics, withSourceLibrary());
    assertEquals("{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"u\","
        + "\"event\":\"E\",\"properties\":{},\"context\":{\"ip\":\"1.2.3.4\",\"library\":{\"name\":\"analytics.js\","
        + "\"version\":\"4.1.0\"},\"locale\":\"fr\"}}", kept.json());
    EncodedMessage ours = Wire.encode(analytics, withoutLibrary());
    assertEquals("{\"type\":\"identify\",\"messageId\":\"m2\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
        + "\"userId\":\"u\",\"traits\":{},\"context\":{\"ip\":\"5.6.7.8\"," + OURS + "}}", ours.json());

    assertTrue(Wire.offer(analytics, kept));
    assertTrue(Wire.offer(analytics, ours));
    analytics.close();

    assertEquals(1, bodies.size());
    assertTrue(bodies.get(0).startsWith("{\"batch\":[" + kept.json() + "," + ours.json() + "],\"sentAt\":\""),
        bodies.get(0));
    assertTrue(bodies.get(0).endsWith("\",\"context\":{" + OURS + "},\"writeKey\":\"k3y\"}"), bodies.get(0));
  }

  @Test
  void withoutTheOptionOurLibraryReplacesTheMessagesAsBefore() {
    Analytics analytics = client().build();
    try {
      assertEquals("{\"type\":\"track\",\"messageId\":\"m1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\","
          + "\"userId\":\"u\",\"event\":\"E\",\"properties\":{},\"context\":{\"ip\":\"1.2.3.4\",\"locale\":\"fr\","
          + OURS + "}}", Wire.encode(analytics, withSourceLibrary()).json());
    } finally {
      analytics.close();
    }
  }

  @Test
  void encodeRefusesWhatOfferRefusesWithTheSameReasonAndQueuesNothing() {
    Analytics analytics = Wire.keepMessageLibrary(client()).build();
    TrackMessage badDate = TrackMessage.builder("E").userId("u").timestamp(T)
        .properties(map("due", LocalDate.of(12023, 1, 1))).build();
    TrackMessage badLibrary = TrackMessage.builder("E").userId("u").timestamp(T)
        .context(map("library", map("at", Double.NaN))).build();
    TrackMessage oversize = TrackMessage.builder("E").userId("u").messageId("big").timestamp(T)
        .properties(map("s", "x".repeat(32_000))).build();
    for (TrackMessage message : List.of(badDate, badLibrary, oversize)) {
      IllegalArgumentException viaWire = assertThrows(IllegalArgumentException.class, () -> Wire.encode(analytics, message));
      IllegalArgumentException viaOffer = assertThrows(IllegalArgumentException.class, () -> analytics.offer(message));
      assertEquals(viaOffer.getMessage(), viaWire.getMessage());
    }
    assertEquals("properties.due: date +12023-01-01 is outside the years 0000 to 9999 (RFC 3339)",
        assertThrows(IllegalArgumentException.class, () -> Wire.encode(analytics, badDate)).getMessage());
    assertEquals("context.library.at must be a finite number: NaN",
        assertThrows(IllegalArgumentException.class, () -> Wire.encode(analytics, badLibrary)).getMessage());
    analytics.close();
    assertEquals(List.of(), bodies);
    assertEquals(List.of(), dropped);
  }

  @Test
  void encodeRefusesAClientWithHooksRatherThanPassAroundThem() {
    Analytics analytics = client().beforeSend(message -> message.properties().put("seen", true)).build();
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Wire.encode(analytics, withoutLibrary()));
      assertEquals("this client has BeforeSend hooks, which Wire.encode would pass around", e.getMessage());
    } finally {
      analytics.close();
    }
    assertEquals(List.of(), bodies);
  }

  @Test
  void encodeLineWritesWhatEncodeWritesForTheMessageOfTheLine() {
    String line = " { \"properties\" : {\"total\": 42.50, \"n\": -0, \"s\": \"caf\\u00e9 \\/ \\u2028\"}, \"event\":\"Order\","
        + "\"receivedAt\":\"x\", \"userId\": 42, \"type\":\"track\", \"timestamp\":\"2025-03-14T10:26:53.589+01:00\","
        + "\"context\":{\"ip\":\"203.0.113.7\"}, \"integrations\":{}} ";
    TrackMessage message = TrackMessage.builder("Order").userId("42").timestamp(T).messageId("id-1")
        .properties(map("total", new java.math.BigDecimal("42.50"), "n", 0L, "s", "caf\u00e9 / \u2028"))
        .context(map("ip", "203.0.113.7")).build();
    for (boolean keep : new boolean[] {false, true}) {
      Analytics.Builder builder = client();
      Analytics analytics = (keep ? Wire.keepMessageLibrary(builder) : builder).build();
      try {
        Wire.EncodedLine encoded = Wire.encodeLine(analytics, line.getBytes(UTF_8), () -> "id-1");
        assertEquals(Wire.encode(analytics, message).json(), encoded.message().json());
        assertEquals("{\"type\":\"track\",\"messageId\":\"id-1\",\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"42\","
            + "\"event\":\"Order\",\"properties\":{\"total\":42.50,\"n\":0,\"s\":\"caf\u00e9 / \\u2028\"},"
            + "\"context\":{\"ip\":\"203.0.113.7\"," + OURS + "}}", encoded.message().json());
        assertEquals(1, encoded.numericIds());
        assertEquals(null, encoded.ownMessageId());
        // A line's own library: kept in its place by an importer's client; the other client replaces
        // it, which only the message's path does.
        byte[] withLibrary = line.replace("\"ip\"", "\"library\":{\"name\":\"a.js\"},\"ip\"").getBytes(UTF_8);
        Wire.EncodedLine own = Wire.encodeLine(analytics, withLibrary, () -> "id-1");
        if (keep) {
          assertTrue(own.message().json().contains("\"context\":{\"library\":{\"name\":\"a.js\"},\"ip\":\"203.0.113.7\"}}"));
        } else {
          assertEquals(null, own);
        }
      } finally {
        analytics.close();
      }
    }
  }

  @Test
  void encodeLineLeavesHooksAndDefaultContextToTheMessagesPath() {
    byte[] line = ("{\"type\":\"identify\",\"userId\":\"u\",\"timestamp\":\"2025-03-14T09:26:53.589Z\"}").getBytes(UTF_8);
    Analytics hooked = client().beforeSend(message -> { }).build();
    AtomicInteger supplierCalls = new AtomicInteger();
    Analytics withDefaults = client().defaultContext(() -> {
      supplierCalls.incrementAndGet();
      return map("app", "x");
    }).build();
    Analytics plain = client().build();
    try {
      assertEquals(null, Wire.encodeLine(hooked, line, () -> "id"));
      assertEquals(null, Wire.encodeLine(withDefaults, line, () -> "id"));
      // Deciding that needs only the client's settings: the application's supplier runs once per
      // message on the path that uses its value, not once more per line to be looked at.
      assertEquals(0, supplierCalls.get());
      assertEquals("{\"type\":\"identify\",\"messageId\":\"id\",\"timestamp\":\"2025-03-14T09:26:53.589Z\",\"userId\":\"u\","
          + "\"traits\":{},\"context\":{" + OURS + "}}", Wire.encodeLine(plain, line, () -> "id").message().json());
    } finally {
      hooked.close();
      withDefaults.close();
      plain.close();
    }
  }

  @Test
  void offerAfterCloseReportsTheDropAndReturnsFalse() {
    Analytics analytics = client().build();
    EncodedMessage message = Wire.encode(analytics, withoutLibrary());
    analytics.close();
    assertFalse(Wire.offer(analytics, message));
    assertEquals(List.of("m2 CLOSED"), dropped);
  }

  @Test
  void emptyBatchIsTheClientsOwnRequestWithAMillisecondSentAt() {
    Instant before = Instant.now();
    Transport.Request request = Wire.emptyBatch(Analytics.builder("k\"3y").endpoint("http://127.0.0.1:9/prefix/"),
        Duration.ofSeconds(30));
    assertEquals("http://127.0.0.1:9/prefix/v1/batch", request.url());
    assertEquals(Duration.ofSeconds(30), request.timeout());
    assertEquals(Map.of("Content-Type", "application/json",
        "Authorization", "Basic " + Base64.getEncoder().encodeToString("k\"3y:".getBytes(UTF_8)),
        "User-Agent", "analytics4j/" + Analytics.VERSION), request.headers());
    String body = new String(request.body(), UTF_8);
    String head = "{\"batch\":[],\"sentAt\":\"";
    assertTrue(body.startsWith(head), body);
    String sentAt = body.substring(head.length(), head.length() + 24);
    assertTrue(sentAt.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), sentAt);
    assertFalse(Instant.parse(sentAt).isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), sentAt);
    assertEquals("\",\"context\":{" + OURS + "},\"writeKey\":\"k\\\"3y\"}", body.substring(head.length() + 24));

    Transport.Request custom = Wire.emptyBatch(Analytics.builder("k").userAgent("importer/1")
        .region(dev.analytics4j.Region.EU), Duration.ofSeconds(1));
    assertEquals("importer/1", custom.headers().get("User-Agent"));
    assertEquals(dev.analytics4j.Region.EU.host() + "/v1/batch", custom.url());
  }

  @Test
  void batchIsTheRequestTheClientSendsForThoseMessagesGzippedAsItWould() throws Exception {
    Analytics.Builder builder = client();
    Analytics analytics = builder.build();
    EncodedMessage a = Wire.encode(analytics, TrackMessage.builder("A").userId("u").messageId("m1").timestamp(T).build());
    EncodedMessage b = Wire.encode(analytics, TrackMessage.builder("B").userId("u").messageId("m2").timestamp(T).build());
    assertTrue(Wire.offer(analytics, a));
    assertTrue(Wire.offer(analytics, b));
    analytics.flush();
    analytics.close();
    Transport.Request request = Wire.batch(builder, List.of(a, b), Duration.ofSeconds(5));
    assertEquals(withoutSentAt(bodies.get(0)), withoutSentAt(new String(request.body(), UTF_8)));
    assertEquals(headers.get(0), request.headers());
    assertEquals(Duration.ofSeconds(5), request.timeout());

    Transport.Request gzipped = Wire.batch(client().gzip(true), List.of(b), Duration.ofSeconds(5));
    assertEquals("gzip", gzipped.headers().get("Content-Encoding"));
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
        new java.io.ByteArrayInputStream(gzipped.body()))) {
      String body = new String(in.readAllBytes(), UTF_8);
      assertTrue(body.startsWith("{\"batch\":[" + b.json() + "],\"sentAt\":"), body);
    }
    assertEquals("messages is empty", assertThrows(IllegalArgumentException.class,
        () -> Wire.batch(builder, List.of(), Duration.ofSeconds(1))).getMessage());
  }

  private static String withoutSentAt(String body) {
    return body.replaceFirst("\"sentAt\":\"[^\"]*\"", "\"sentAt\":\"\"");
  }
}
