package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordingAnalyticsTest {
  private final List<RecordingAnalytics> recorders = new ArrayList<>();

  private RecordingAnalytics recorder(RecordingAnalytics recorder) {
    recorders.add(recorder);
    return recorder;
  }

  @AfterEach
  void closeRecorders() {
    for (RecordingAnalytics recorder : recorders) recorder.close();
  }

  @Test
  void exposesEveryFieldOfEachTypeAsItWentOnTheWire() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    Analytics analytics = recorder.analytics();
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("ip", "203.0.113.7");
    analytics.enqueue(IdentifyMessage.builder().userId("usr_8f41c2").traits(map("email", "ada@example.org"))
        .context(context).messageId("id-1").timestamp(Instant.parse("2025-03-14T09:26:53.589Z")));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId("usr_8f41c2")
        .properties(map("revenue", 42.5, "currency", "EUR")).enableIntegration("Salesforce", false));
    analytics.enqueue(PageMessage.builder("Pricing").category("Marketing").anonymousId("anon-1")
        .properties(map("path", "/pricing")));
    analytics.enqueue(ScreenMessage.builder("Checkout").userId("usr_8f41c2").properties(map("variant", "b")));
    analytics.enqueue(GroupMessage.builder("acct_553").userId("usr_8f41c2").traits(map("employees", 120)));
    analytics.enqueue(AliasMessage.builder("anon-1").userId("usr_8f41c2"));

    List<SentMessage> sent = recorder.sent().all();

    assertEquals(6, sent.size());
    SentMessage identify = sent.get(0);
    assertEquals(Message.Type.IDENTIFY, identify.type());
    assertEquals("id-1", identify.messageId());
    assertEquals(Instant.parse("2025-03-14T09:26:53.589Z"), identify.timestamp());
    assertEquals("usr_8f41c2", identify.userId());
    assertNull(identify.anonymousId());
    assertEquals(map("email", "ada@example.org"), identify.traits());
    assertEquals("203.0.113.7", identify.context().get("ip"));
    assertEquals(map("name", Analytics.LIBRARY_NAME, "version", Analytics.VERSION), identify.context().get("library"));
    SentMessage track = sent.get(1);
    assertEquals("Order Completed", track.event());
    assertEquals(map("revenue", 42.5, "currency", "EUR"), track.properties());
    assertEquals(map("Salesforce", false), track.integrations());
    assertEquals(36, track.messageId().length(), "a generated UUID");
    SentMessage page = sent.get(2);
    assertEquals("Pricing", page.name());
    assertEquals("Marketing", page.category());
    assertEquals("anon-1", page.anonymousId());
    assertEquals("Checkout", sent.get(3).name());
    assertEquals("acct_553", sent.get(4).groupId());
    assertEquals(map("employees", 120L), sent.get(4).traits(), "integral numbers decode as Long");
    assertEquals("anon-1", sent.get(5).previousId());
    assertEquals("usr_8f41c2", sent.get(5).userId());
    assertEquals("page", page.fields().get("type"));
    assertThrows(UnsupportedOperationException.class, () -> track.properties().put("x", 1));
  }

  @Test
  void sentFlushesWithoutWaitingForTheInterval() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    recorder.analytics().enqueue(TrackMessage.builder("Signed Up").userId("u1"));
    recorder.sent().assertSentOnce(track("Signed Up").user("u1"));
    assertEquals(1, recorder.analytics().metrics().requests());
  }

  @Test
  void recordsInTheOrderEnqueued() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder().configure(b -> b.flushAt(3)).build());
    for (int i = 0; i < 20; i++) recorder.analytics().enqueue(TrackMessage.builder("E" + i).userId("u1"));
    List<String> events = new ArrayList<>();
    for (SentMessage message : recorder.sent()) events.add(message.event());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) expected.add("E" + i);
    assertEquals(expected, events);
  }

  @Test
  void refusesAnInvalidMessageAtTheCallSiteLikeTheProductionClient() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> recorder.analytics().enqueue(TrackMessage.builder("Order Completed")));
    assertEquals("either userId or anonymousId must be set", e.getMessage());
    assertEquals(0, recorder.sent().size());
  }

  @Test
  void aMessageAtTheApisSizeLimitPassesTheContract() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    TrackMessage.Builder empty = TrackMessage.builder("Big").userId("u1").messageId("big").properties(map("pad", ""));
    AtomicInteger size = new AtomicInteger();
    RecordingAnalytics probe = recorder(RecordingAnalytics.builder().callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        size.set(message.size());
      }
    }).build());
    probe.analytics().enqueue(empty);
    probe.assertAllDelivered();
    int room = WireContract.MAX_MESSAGE_BYTES - size.get();

    recorder.analytics().enqueue(empty.properties(map("pad", "p".repeat(room))));
    assertThrows(IllegalArgumentException.class,
        () -> recorder.analytics().enqueue(empty.properties(map("pad", "p".repeat(room + 1)))));

    recorder.assertAllDelivered().sent().assertSentOnce(track("Big"));
  }

  @Test
  void assertAllDeliveredPassesWhenEverythingWasSent() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    assertSame(recorder, recorder.assertAllDelivered());
  }

  @Test
  void assertAllDeliveredFailsNamingEachDroppedMessage() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder().configure(b -> b.maxQueueSize(1)).build());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.analytics().enqueue(TrackMessage.builder("B").userId("u1").properties(map("n", 2)).timestamp(java.time.Instant.parse("2025-03-14T09:26:53.589123Z")));

    AssertionError e = assertThrows(AssertionError.class, recorder::assertAllDelivered);

    assertEquals("Expected every message to be delivered, but 1 of the 2 messages enqueued was not:"
        + "\n  dropped (QUEUE_FULL): track \"B\" userId=u1 properties={n=2}", e.getMessage());
    recorder.sent().assertSentOnce(track("A"));
  }

  @Test
  void assertAllDeliveredCountsMessagesOfferedAfterClose() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.close();
    recorder.analytics().offer(TrackMessage.builder("Late").userId("u1").timestamp(java.time.Instant.parse("2025-03-14T09:26:53.589123Z")));
    recorder.analytics().offer(TrackMessage.builder("Later").anonymousId("a1").timestamp(java.time.Instant.parse("2025-03-14T09:26:53.589123Z")));

    AssertionError e = assertThrows(AssertionError.class, recorder::assertAllDelivered);

    assertEquals("Expected every message to be delivered, but 2 of the 3 messages enqueued were not:"
        + "\n  dropped (CLOSED): track \"Late\" userId=u1"
        + "\n  dropped (CLOSED): track \"Later\" anonymousId=a1", e.getMessage());
  }

  @Test
  void closeSendsWhatIsQueuedAndSentStillReadsIt() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.close();
    recorder.close();
    recorder.sent().assertSentOnce(track("A"));
    assertThrows(IllegalStateException.class, () -> recorder.analytics().enqueue(TrackMessage.builder("B").userId("u1")));
  }

  @Test
  void sentIsASnapshot() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    SentMessages first = recorder.sent();
    recorder.analytics().enqueue(TrackMessage.builder("B").userId("u1"));
    assertEquals(1, first.size());
    assertEquals(2, recorder.sent().size());
  }

  @Test
  void theUsersCallbackHearsEveryOutcome() {
    AtomicInteger successes = new AtomicInteger();
    AtomicInteger drops = new AtomicInteger();
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder()
        .configure(b -> b.maxQueueSize(1))
        .callback(new Callback() {
          @Override
          public void onSuccess(EncodedMessage message) {
            successes.incrementAndGet();
          }

          @Override
          public void onDropped(EncodedMessage message, dev.analytics4j.DropReason reason) {
            drops.incrementAndGet();
          }
        })
        .build());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.analytics().enqueue(TrackMessage.builder("B").userId("u1"));
    recorder.sent();
    assertEquals(1, successes.get());
    assertEquals(1, drops.get());
  }

  @Test
  void configureCannotReplaceTheRecordingTransportOrCallback() {
    Transport network = request -> {
      throw new AssertionError("the network transport was used");
    };
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder()
        .configure(b -> b.transport(network).callback(Callback.NONE).gzip(true))
        .build());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.assertAllDelivered().sent().assertSentOnce(track("A"));
  }

  @Test
  void usesTheWriteKeyItWasGiven() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder().writeKey("other").build());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    recorder.assertAllDelivered().sent().assertSentOnce(track("A"));
  }

  @Test
  void builderRejectsBadSettings() {
    assertEquals("writeKey must not be blank", assertThrows(IllegalArgumentException.class,
        () -> RecordingAnalytics.builder().writeKey(" ")).getMessage());
    assertEquals("flushTimeout must be positive: PT0S", assertThrows(IllegalArgumentException.class,
        () -> RecordingAnalytics.builder().flushTimeout(Duration.ZERO)).getMessage());
    assertEquals("callback == null", assertThrows(NullPointerException.class,
        () -> RecordingAnalytics.builder().callback(null)).getMessage());
  }

  @Test
  void aFlushThatDoesNotFinishFailsTheAssertion() throws InterruptedException {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    RecordingAnalytics recorder = recorder(RecordingAnalytics.builder()
        .flushTimeout(Duration.ofMillis(50))
        .callback(new Callback() {
          @Override
          public void onSuccess(EncodedMessage message) {
            try {
              release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        })
        .build());
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1"));
    try {
      AssertionError e = assertThrows(AssertionError.class, recorder::sent);
      assertEquals("The recording client's flush did not finish within 50 ms", e.getMessage());
    } finally {
      release.countDown();
    }
    assertTrue(recorder.analytics().flush(Duration.ofSeconds(10)).isSuccess());
  }

  @Test
  void theRecordingTransportRefusesWhatTheApiWouldRefuse() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    Transport.Response response = new MemoryTransport("k").send(
        new Transport.Request("https://api.segment.io/v1/batch", headers, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(401, response.code());
    assertEquals(WireContract.errorBody("no Authorization header; send Basic base64(writeKey + \":\")"), response.body());
  }

  @Test
  void timestampsAndDatePropertiesCompareAtWirePrecision() {
    RecordingAnalytics recorder = recorder(RecordingAnalytics.create());
    Instant now = Instant.parse("2025-03-14T09:26:53.589999999Z"); // what Instant.now() gives: nanoseconds
    Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.999500Z");
    java.time.OffsetDateTime paris = java.time.OffsetDateTime.parse("2025-03-14T10:26:53.589123+01:00");
    java.time.ZonedDateTime zoned = paris.atZoneSameInstant(java.time.ZoneId.of("America/New_York"));
    java.util.Date date = new java.util.Date(now.toEpochMilli());
    java.time.LocalDate day = java.time.LocalDate.of(2025, 3, 14);
    recorder.analytics().enqueue(TrackMessage.builder("A").userId("u1").timestamp(now)
        .properties(map("at", now, "old", beforeEpoch, "offset", paris, "zoned", zoned, "date", date, "day", day)));

    recorder.sent().assertSentOnce(track("A").timestamp(now).property("at", now).property("old", beforeEpoch)
        .property("offset", paris).property("zoned", zoned).property("date", date).property("day", day)
        .property("at", date).property("offset", now));
    assertEquals("2025-03-14T09:26:53.589Z", recorder.sent().single(track("A")).properties().get("at"));
    assertEquals("1969-12-31T23:59:59.999Z", recorder.sent().single(track("A")).properties().get("old"));

    AssertionError e = assertThrows(AssertionError.class,
        () -> recorder.sent().assertSent(track("A").timestamp(now.plusMillis(1))));
    assertEquals("Expected a track \"A\" with timestamp 2025-03-14T09:26:53.590Z, but the 1 message sent "
        + "does not match:\n  1. track \"A\" userId=u1 timestamp=2025-03-14T09:26:53.589Z properties={at=\"2025-03-14T09:26:53.589Z\", "
        + "old=\"1969-12-31T23:59:59.999Z\", offset=\"2025-03-14T09:26:53.589Z\", zoned=\"2025-03-14T09:26:53.589Z\", "
        + "date=\"2025-03-14T09:26:53.589Z\", day=\"2025-03-14\"}", e.getMessage());
    assertThrows(AssertionError.class, () -> recorder.sent().assertSent(track("A").property("at", now.plusMillis(1))));
    assertThrows(AssertionError.class, () -> recorder.sent().assertSent(track("A").property("day", "2025-03-15")));
  }

  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    return map;
  }
}
