package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.internal.SpoolFixtures;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeforeSendTest {
  @TempDir Path temp;
  private final CollectingTransport transport = new CollectingTransport();
  private final RecordingCallback callback = new RecordingCallback();

  private Analytics.Builder client() {
    return Analytics.builder("secret-write-key").transport(transport).gzip(false).callback(callback).shutdownHook(false);
  }

  @Test
  void hooksRunInOrderAndMayRewriteTheUserControlledFields() {
    Analytics analytics = client()
        .beforeSend(m -> m.properties().put("enriched", true))
        .beforeSend(m -> {
          m.userId("hashed-" + m.userId().length());
          m.name(m.name() + " (v2)");
          m.context().put("region", "eu");
          m.integrations().put("Mixpanel", false);
          assertEquals(true, m.properties().get("enriched"), "the second hook sees the first one's work");
        })
        .build();
    analytics.enqueue(TrackMessage.builder("Order Completed").userId("user-42").messageId("m1"));
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals(1, result.delivered());
    Map<String, Object> sent = transport.get("m1");
    assertEquals("hashed-7", sent.get("userId"));
    assertEquals("Order Completed (v2)", sent.get("event"));
    assertEquals(Map.of("enriched", true), sent.get("properties"));
    assertEquals("eu", CollectingTransport.map(sent, "context").get("region"));
    assertEquals(Map.of("Mixpanel", false), sent.get("integrations"));
    assertEquals("m1", sent.get("messageId"));
  }

  @Test
  void aDroppedMessageIsReportedOnceEverywhereAndNeverEncoded() {
    List<EncodedMessage> listened = new ArrayList<>();
    Analytics analytics = client().listener(new AnalyticsListener() {
      @Override
      public void messageDropped(EncodedMessage message, DropReason reason) {
        listened.add(message);
      }
    }).beforeSend(m -> {
      if ("Internal Event".equals(m.name())) m.drop("internal events stay home");
    }).build();
    assertFalse(analytics.offer(TrackMessage.builder("Internal Event").userId("u1").messageId("d1")
        .properties(Map.of("secret", "never encoded"))));
    analytics.enqueue(TrackMessage.builder("Kept").userId("u1").messageId("k1"));
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals("dropped:BEFORE_SEND", callback.outcomes.get("d1"));
    assertEquals(1, listened.size());
    assertEquals("{}", listened.get(0).json());
    assertEquals(TrackMessage.builder("x").userId("u").build().type(), listened.get(0).type());
    assertEquals(1, result.delivered());
    assertEquals(1, result.dropped());
    Metrics metrics = analytics.metrics();
    assertEquals(2, metrics.enqueued());
    assertEquals(1, metrics.dropped(DropReason.BEFORE_SEND));
    assertEquals(List.of("k1"), new ArrayList<>(transport.messages.keySet()));
  }

  @Test
  void aHookThatThrowsOrBreaksTheMessageFailsThatMessageAloneAndTheCallerSeesNoException() {
    AtomicInteger calls = new AtomicInteger();
    Analytics analytics = client().beforeSend(m -> {
      switch (m.messageId()) {
        case "error": throw new StackOverflowError("deliberate");
        case "runtime": throw new IllegalStateException("deliberate");
        case "no-user": m.userId(null); break;
        case "bad-value": m.properties().put("thread", new Thread()); break;
        case "bad-integration": m.integrations().put("Amplitude", "yes"); break;
        default: calls.incrementAndGet();
      }
    }).build();
    for (String id : List.of("error", "runtime", "no-user", "bad-value", "bad-integration", "fine")) {
      analytics.enqueue(TrackMessage.builder("Event").userId("u1").messageId(id));
    }
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    for (String id : List.of("error", "runtime", "no-user", "bad-value", "bad-integration")) {
      assertEquals("dropped:BEFORE_SEND_FAILED", callback.outcomes.get(id), id);
    }
    assertEquals("sent", callback.outcomes.get("fine"));
    assertEquals(new FlushResult(true, 1, 0, 5).toString(), result.toString());
    assertEquals(5, analytics.metrics().dropped(DropReason.BEFORE_SEND_FAILED));
  }

  @Test
  void theCallersOwnBadMessageStillThrowsAtTheCallSite() {
    Analytics analytics = client().beforeSend(m -> m.properties().put("fine", 1)).build();
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> analytics.enqueue(
        TrackMessage.builder("Event").userId("u1").properties(Map.of("thread", new Object()))));
    assertTrue(refused.getMessage().startsWith("properties.thread: "), refused.getMessage());
    analytics.close();
    assertTrue(callback.outcomes.isEmpty());
  }

  @Test
  void aRedactorOfTokenKeyAndIdLeavesEveryRequestAcceptedAndTheKeyOutOfReach() {
    Analytics analytics = client().beforeSend(BeforeSend.redactKeys(Pattern.compile("token|key|id", Pattern.CASE_INSENSITIVE)))
        .build();
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("apiToken", "t");
    nested.put("kept", "v");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("orderId", "o1");
    properties.put("nested", nested);
    properties.put("items", List.of(Map.of("sku", "s1", "productId", "p1")));
    properties.put("total", 12);
    analytics.enqueue(TrackMessage.builder("Order").userId("u1").messageId("r1").properties(properties)
        .context(Map.of("deviceId", "d1", "ip", "192.0.2.1")));
    analytics.enqueue(IdentifyMessage.builder().userId("u1").messageId("r2").traits(Map.of("apiKey", "k", "name", "Ann")));
    analytics.enqueue(GroupMessage.builder("g1").userId("u1").messageId("r3").traits(Map.of("id", "x")));
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals(3, result.delivered(), result.toString());
    Map<String, Object> track = transport.get("r1");
    assertEquals("u1", track.get("userId"), "userId and messageId are not the hook's to remove");
    assertEquals(Map.of("nested", Map.of("kept", "v"), "items", List.of(Map.of("sku", "s1")), "total", 12.0),
        track.get("properties"));
    assertEquals("192.0.2.1", CollectingTransport.map(track, "context").get("ip"));
    assertFalse(CollectingTransport.map(track, "context").containsKey("deviceId"));
    assertEquals(Map.of("name", "Ann"), transport.get("r2").get("traits"));
    assertEquals("g1", transport.get("r3").get("groupId"));
    assertEquals(Map.of("apiToken", "t", "kept", "v"), nested, "the caller's maps are never changed");
  }

  @Test
  void theConsentHookWritesCategoryPreferencesAndIntegrationFlags() {
    BeforeSend.Consent consent = BeforeSend.Consent.builder().category("Advertising", false)
        .category("Analytics", true).integration("Google Ads", false).build();
    Analytics analytics = client().beforeSend(BeforeSend.consent(m -> "u1".equals(m.userId()) ? consent : null)).build();
    analytics.enqueue(TrackMessage.builder("Viewed").userId("u1").messageId("c1"));
    analytics.enqueue(TrackMessage.builder("Viewed").userId("u2").messageId("c2"));
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    Map<String, Object> context = CollectingTransport.map(transport.get("c1"), "context");
    assertEquals(Map.of("categoryPreferences", Map.of("Advertising", false, "Analytics", true)), context.get("consent"));
    assertEquals(Map.of("Google Ads", false), transport.get("c1").get("integrations"));
    assertFalse(CollectingTransport.map(transport.get("c2"), "context").containsKey("consent"));
  }

  @Test
  void recoveredSpoolMessagesAreNotHookedTwice() {
    AtomicInteger hooked = new AtomicInteger();
    Path dir = temp.resolve("spool");
    Analytics first = Analytics.builder("secret-write-key").transport(SpoolFixtures.down()).spool(dir)
        .shutdownHook(false).beforeSend(m -> m.properties().put("hooked", hooked.incrementAndGet())).build();
    first.enqueue(TrackMessage.builder("Spooled").userId("u1").messageId("s1"));
    first.close(Duration.ZERO);
    Analytics second = client().spool(dir).beforeSend(m -> m.properties().put("hooked", hooked.incrementAndGet()))
        .build();
    assertEquals(1, second.flush(Duration.ofSeconds(10)).delivered());
    second.close();
    assertEquals(1, hooked.get());
    assertEquals(Map.of("hooked", 1.0), transport.get("s1").get("properties"));
  }

  /**
   * A hook that only reads (a sampler, a consent lookup that finds nothing) leaves the message as it
   * was: the same bytes as without a hook, defaultContext included; one that reads a map gets a copy.
   */
  @Test
  void aHookThatOnlyReadsSendsWhatNoHookWouldAndItsCopiesChangeNothing() {
    List<String> plain = new ArrayList<>();
    List<String> hooked = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("path", "/checkout");
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("page", nested);
    properties.put("total", 12.5);
    TrackMessage message = TrackMessage.builder("Order Completed").userId("u1").messageId("m1")
        .properties(properties).context(Map.of("ip", "192.0.2.1")).build();
    Analytics without = Analytics.builder("k").transport(transport).gzip(false).shutdownHook(false)
        .defaultContext(() -> Map.of("locale", "de-DE")).listener(enqueued(plain)).build();
    Analytics with = Analytics.builder("k").transport(transport).gzip(false).shutdownHook(false)
        .defaultContext(() -> Map.of("locale", "de-DE")).listener(enqueued(hooked))
        .beforeSend(m -> seen.add(m.type() + " " + m.userId() + " " + m.name()))
        .beforeSend(m -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> page = (Map<String, Object>) m.properties().get("page");
          seen.add(String.valueOf(page.get("path")));
          page.put("path", "/changed-in-the-copy-only-if-read-before");
        })
        .build();
    without.enqueue(message);
    with.enqueue(message);
    with.enqueue(message);
    without.close();
    with.close();

    assertEquals(List.of("TRACK u1 Order Completed", "/checkout", "TRACK u1 Order Completed", "/checkout"), seen);
    assertEquals(Map.of("path", "/checkout"), nested, "the caller's nested map");
    assertEquals(Map.of("path", "/checkout"), message.properties().get("page"), "the built message's");
    assertEquals(1, plain.size());
    assertEquals(2, hooked.size());
    assertEquals(plain.get(0).replace("/checkout", "/changed-in-the-copy-only-if-read-before"), hooked.get(0));
    assertEquals(hooked.get(0), hooked.get(1), "the first message's copy is not the second's");

    List<String> readOnly = new ArrayList<>();
    Analytics reader = Analytics.builder("k").transport(transport).gzip(false).shutdownHook(false)
        .defaultContext(() -> Map.of("locale", "de-DE")).listener(enqueued(readOnly))
        .beforeSend(m -> seen.add(m.messageId())).build();
    reader.enqueue(message);
    reader.close();
    assertEquals(plain, readOnly);
  }

  private static AnalyticsListener enqueued(List<String> json) {
    return new AnalyticsListener() {
      @Override
      public void messageEnqueued(EncodedMessage message) {
        json.add(message.json());
      }
    };
  }
}
