package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.CollectingTransport;
import dev.analytics4j.DropReason;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Attacks on the scope's promises: merge order per message type, nesting, misuse, threads, clients. */
class ContextScopesTest {
  private final CollectingTransport transport = new CollectingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final Analytics analytics = Analytics.builder("key").transport(transport).gzip(false)
      .callback(callback).shutdownHook(false)
      .defaultContext(() -> Map.of("ip", "default-ip", "locale", "default-locale", "os", Map.of("name", "default-os")))
      .build();

  @AfterEach
  void close() {
    analytics.close();
  }

  private Map<String, Object> sent(String messageId) {
    analytics.flush(Duration.ofSeconds(10));
    return transport.get(messageId);
  }

  @Test
  void everyTypeTakesTheScopesContextAndOnlyTrackPageAndScreenTakeItsProperties() {
    try (AnalyticsContext.Scope scope = analytics.context().userId("scope-user").property("tenant", "acme")
        .property("plan", "scope-plan").context("ip", "scope-ip").context("os", Map.of("version", "14")).open()) {
      analytics.enqueue(TrackMessage.builder("T").messageId("track").properties(Map.of("plan", "own")));
      analytics.enqueue(PageMessage.builder().name("P").messageId("page").properties(Map.of("plan", "own")));
      analytics.enqueue(ScreenMessage.builder().name("S").messageId("screen").properties(Map.of("plan", "own")));
      analytics.enqueue(IdentifyMessage.builder().messageId("identify").traits(Map.of("plan", "own")));
      analytics.enqueue(GroupMessage.builder("g1").messageId("group").traits(Map.of("plan", "own")));
      analytics.enqueue(AliasMessage.builder("previous").messageId("alias"));
    }
    analytics.flush(Duration.ofSeconds(10));
    for (String id : List.of("track", "page", "screen")) {
      Map<String, Object> message = transport.get(id);
      assertEquals(Map.of("tenant", "acme", "plan", "own"), message.get("properties"), id);
    }
    assertEquals(Map.of("plan", "own"), transport.get("identify").get("traits"));
    assertEquals(Map.of("plan", "own"), transport.get("group").get("traits"));
    assertFalse(transport.get("alias").containsKey("properties"));
    assertFalse(transport.get("alias").containsKey("traits"));
    for (String id : List.of("track", "page", "screen", "identify", "group", "alias")) {
      Map<String, Object> message = transport.get(id);
      assertEquals("scope-user", message.get("userId"), id);
      Map<String, Object> context = CollectingTransport.map(message, "context");
      assertEquals("scope-ip", context.get("ip"), id + ": the scope over defaultContext");
      assertEquals("default-locale", context.get("locale"), id + ": defaultContext fills what both leave out");
      assertEquals(Map.of("version", "14"), context.get("os"), id + ": defaultContext fills top-level keys only");
    }
  }

  @Test
  void nestedMapsMergeAtEveryDepthListsAndNullsAndBadKeysAreTheMessagesWhole() {
    Map<String, Object> scopeDeep = Map.of("a", Map.of("b", Map.of("c", Map.of("scope", 1, "both", "scope"))));
    Map<String, Object> ownDeep = Map.of("a", Map.of("b", Map.of("c", Map.of("own", 2, "both", "own"))));
    Map<Object, Object> intKeyed = new HashMap<>();
    intKeyed.put(1, "one");
    Map<String, Object> own = new LinkedHashMap<>();
    own.put("deep", ownDeep);
    own.put("list", List.of("own"));
    own.put("nulled", null);
    own.put("intKeyed", intKeyed);
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").context("deep", scopeDeep)
        .context("list", List.of("scope", "scope")).context("nulled", "scope").context("intKeyed", Map.of("s", "scope"))
        .open()) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> analytics.enqueue(TrackMessage.builder("T").messageId("bad").context(own)));
      assertTrue(refused.getMessage().startsWith("context.intKeyed"),
          "the message's bad map is kept whole, not replaced by the scope's: " + refused.getMessage());
      own.remove("intKeyed");
      analytics.enqueue(TrackMessage.builder("T").messageId("m1").context(own));
    }
    Map<String, Object> context = CollectingTransport.map(sent("m1"), "context");
    assertEquals(Map.of("a", Map.of("b", Map.of("c", Map.of("scope", 1.0, "own", 2.0, "both", "own")))),
        context.get("deep"));
    assertEquals(List.of("own"), context.get("list"), "a list is a value: the message's wins whole");
    assertTrue(context.containsKey("nulled"));
    assertNull(context.get("nulled"), "the message's explicit null wins");
    assertEquals(Map.of("s", "scope"), context.get("intKeyed"));
  }

  @Test
  void cyclicMapsOnBothSidesAreRefusedWithTheCallersErrorNotAStackOverflow() {
    Map<String, Object> ownCycle = new HashMap<>();
    ownCycle.put("self", ownCycle);
    Map<String, Object> scopeCycle = new HashMap<>();
    scopeCycle.put("self", scopeCycle);
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").context("loop", scopeCycle).open()) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> analytics.enqueue(TrackMessage.builder("T").context(Map.of("loop", ownCycle))));
      assertTrue(refused.getMessage().startsWith("context.loop"), refused.getMessage());
      try (AnalyticsContext.Scope nested = analytics.context().context("loop", ownCycle).open()) {
        assertTrue(analytics.currentContext().context().containsKey("loop"));
      }
    }
    assertTrue(callback.outcomes.isEmpty());
  }

  @Test
  void aScopeIsASnapshotTheCallersMapsAndTheReusedBuilderCannotChange() {
    Map<String, Object> page = new LinkedHashMap<>(Map.of("path", "/a"));
    AnalyticsContext.Builder builder = analytics.context().userId("u1").context("page", page).property("step", 1);
    try (AnalyticsContext.Scope first = builder.open()) {
      page.put("path", "/changed");
      builder.property("step", 2).userId("u2");
      analytics.enqueue(TrackMessage.builder("T").messageId("m1"));
      assertThrows(UnsupportedOperationException.class,
          () -> ((Map<String, Object>) analytics.currentContext().context().get("page")).put("x", 1));
      try (AnalyticsContext.Scope second = builder.open()) {
        analytics.enqueue(TrackMessage.builder("T").messageId("m2"));
      }
    }
    assertEquals(Map.of("path", "/a"), CollectingTransport.map(sent("m1"), "context").get("page"));
    assertEquals(Map.of("step", 1.0), transport.get("m1").get("properties"));
    assertEquals("u1", transport.get("m1").get("userId"));
    assertEquals(Map.of("step", 2.0), transport.get("m2").get("properties"));
    assertEquals("u2", transport.get("m2").get("userId"));
  }

  @Test
  void anInnerScopeClosedAfterItsOuterOneNeverBringsTheOuterOneBack() {
    AnalyticsContext.Scope outer = analytics.context().userId("outer").open();
    AnalyticsContext.Scope inner = analytics.context().userId("inner").open();
    outer.close();
    assertTrue(analytics.currentContext().isEmpty(), "an inner scope left open does not outlive its outer one");
    inner.close();
    assertTrue(analytics.currentContext().isEmpty(), "the outer scope, closed already, stays closed");

    AnalyticsContext.Scope a = analytics.context().userId("a").open();
    AnalyticsContext.Scope b = analytics.context().userId("b").open();
    AnalyticsContext.Scope c = analytics.context().userId("c").open();
    c.close();
    a.close();
    try (AnalyticsContext.Scope later = analytics.context().userId("later").open()) {
      b.close();
      assertEquals("later", analytics.currentContext().userId(), "a stale close leaves a newer scope alone");
    }
    assertTrue(analytics.currentContext().isEmpty());

    AnalyticsContext.Scope x = analytics.context().userId("x").open();
    AnalyticsContext.Scope y = analytics.context().userId("y").open();
    AnalyticsContext.Scope z = analytics.context().userId("z").open();
    y.close();
    assertEquals("x", analytics.currentContext().userId(), "closing y takes z, left open inside it, too");
    z.close();
    assertEquals("x", analytics.currentContext().userId());
    x.close();
    assertTrue(analytics.currentContext().isEmpty());
  }

  @Test
  void scopesOfTwoClientsOnOneThreadStayApart() {
    Analytics second = Analytics.builder("key").transport(transport).gzip(false).shutdownHook(false).build();
    try (AnalyticsContext.Scope one = analytics.context().userId("first").property("client", 1).open();
        AnalyticsContext.Scope two = second.context().userId("second").property("client", 2).open()) {
      analytics.enqueue(TrackMessage.builder("T").messageId("first"));
      second.enqueue(TrackMessage.builder("T").messageId("second"));
      one.close();
      second.enqueue(TrackMessage.builder("T").messageId("second-after"));
      assertTrue(analytics.currentContext().isEmpty());
    } finally {
      second.close();
    }
    assertEquals("first", sent("first").get("userId"));
    assertEquals(Map.of("client", 2.0), transport.get("second").get("properties"));
    assertEquals("second", transport.get("second-after").get("userId"));
  }

  /**
   * A builder kept as a template (a static "Heartbeat" builder) and enqueued by many request threads,
   * each in the scope of its own user: no message may carry another thread's user.
   */
  @Test
  void aBuilderSharedByThreadsInTheirOwnScopesNeverCarriesAnotherThreadsUser() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    Analytics checking = Analytics.builder("key").transport(transport).gzip(false).shutdownHook(false)
        .beforeSend(m -> {
          if (!m.userId().equals(m.properties().get("thread"))) wrong.add(m.userId() + " in " + m.properties());
          m.drop("checked");
        }).build();
    TrackMessage.Builder shared = TrackMessage.builder("Heartbeat");
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String user = "user-" + t;
        done.add(pool.submit(() -> {
          start.await();
          try (AnalyticsContext.Scope scope = checking.context().userId(user).property("thread", user).open()) {
            for (int i = 0; i < perThread; i++) checking.offer(shared);
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      checking.close();
    }
    assertEquals(List.of(), new ArrayList<>(wrong).subList(0, Math.min(5, wrong.size())));
    assertEquals((long) threads * perThread, checking.metrics().dropped(DropReason.BEFORE_SEND));
    assertEquals(Arrays.asList((String) null), Arrays.asList(readUserId(shared)), "the shared builder is untouched");
  }

  private static String readUserId(TrackMessage.Builder builder) {
    try {
      builder.build();
      return "built";
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
