package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnalyticsContextTest {
  private final CollectingTransport transport = new CollectingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final Analytics analytics = Analytics.builder("key").transport(transport).gzip(false)
      .callback(callback).shutdownHook(false).build();

  @AfterEach
  void close() {
    analytics.close();
  }

  private Map<String, Object> sent(String messageId) {
    assertEquals(FlushResult.class, analytics.flush(Duration.ofSeconds(10)).getClass());
    return transport.get(messageId);
  }

  @Test
  void aScopeSuppliesTheUserOfABuilderThatNamesNoneAndLeavesTheBuilderAsItWas() {
    TrackMessage.Builder builder = TrackMessage.builder("Report Exported").messageId("m1");
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").property("tenant", "acme").open()) {
      analytics.enqueue(builder);
    }
    Map<String, Object> message = sent("m1");
    assertEquals("u1", message.get("userId"));
    assertEquals(Map.of("tenant", "acme"), message.get("properties"));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> analytics.enqueue(builder));
    assertEquals("either userId or anonymousId must be set", refused.getMessage());
  }

  @Test
  void theMessageWinsOverTheScopeWhichWinsOverDefaultContextAndMapsMergeAtEveryDepth() {
    Analytics withDefault = Analytics.builder("key").transport(transport).gzip(false).shutdownHook(false)
        .defaultContext(() -> Map.of("ip", "10.0.0.1", "locale", "de-DE", "page", Map.of("path", "/default")))
        .build();
    Map<String, Object> messageContext = new LinkedHashMap<>();
    messageContext.put("page", Map.of("title", "Checkout"));
    messageContext.put("locale", "fr-FR");
    try (AnalyticsContext.Scope scope = withDefault.context().userId("scope-user")
        .property("tenant", "acme").property("plan", "scope-plan")
        .context("page", Map.of("path", "/checkout", "title", "scope title")).context("ip", "192.0.2.1").open()) {
      withDefault.enqueue(TrackMessage.builder("Order Completed").messageId("m1").userId("own-user")
          .properties(Map.of("plan", "own-plan")).context(messageContext));
    }
    withDefault.close();
    Map<String, Object> message = transport.get("m1");
    assertEquals("own-user", message.get("userId"));
    assertEquals(Map.of("tenant", "acme", "plan", "own-plan"), message.get("properties"));
    Map<String, Object> context = CollectingTransport.map(message, "context");
    assertEquals(Map.of("path", "/checkout", "title", "Checkout"), context.get("page"));
    assertEquals("fr-FR", context.get("locale"));
    assertEquals("192.0.2.1", context.get("ip"));
  }

  @Test
  void aPrebuiltMessageKeepsItsUserAndGetsTheScopesOtherFields() {
    IdentifyMessage identify = IdentifyMessage.builder().userId("own").messageId("i1").traits(Map.of("plan", "pro")).build();
    try (AnalyticsContext.Scope scope = analytics.context().userId("scope").property("tenant", "acme")
        .context("ip", "192.0.2.1").open()) {
      analytics.enqueue(identify);
    }
    Map<String, Object> message = sent("i1");
    assertEquals("own", message.get("userId"));
    assertEquals(Map.of("plan", "pro"), message.get("traits"), "properties go to track, page and screen only");
    assertEquals("192.0.2.1", CollectingTransport.map(message, "context").get("ip"));
  }

  @Test
  void nestedScopesMergeAndRestore() {
    try (AnalyticsContext.Scope outer = analytics.context().userId("u1").property("tenant", "acme").open()) {
      try (AnalyticsContext.Scope inner = analytics.context().property("step", "2").open()) {
        analytics.enqueue(TrackMessage.builder("Inner").messageId("inner"));
      }
      analytics.enqueue(TrackMessage.builder("Outer").messageId("outer"));
      try (AnalyticsContext.Scope other = analytics.context().anonymousId("anon").open()) {
        assertNull(analytics.currentContext().userId(), "a new identity replaces the whole identity");
      }
    }
    assertTrue(analytics.currentContext().isEmpty());
    assertEquals(Map.of("tenant", "acme", "step", "2"), sent("inner").get("properties"));
    assertEquals("u1", transport.get("inner").get("userId"));
    assertEquals(Map.of("tenant", "acme"), transport.get("outer").get("properties"));
  }

  @Test
  void aScopeClosedTwiceOrOnAnotherThreadOrOutOfOrderNeverCorruptsAnotherThread() throws Exception {
    AnalyticsContext.Scope scope = analytics.context().userId("u1").open();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<?> closedElsewhere = other.submit(() -> {
        try (AnalyticsContext.Scope mine = analytics.context().userId("other-thread").open()) {
          scope.close();
          assertEquals("other-thread", analytics.currentContext().userId());
        }
        assertTrue(analytics.currentContext().isEmpty());
      });
      closedElsewhere.get(10, TimeUnit.SECONDS);
      assertEquals("u1", analytics.currentContext().userId(), "closing on another thread changed nothing here");
      scope.close();
      scope.close();
      assertTrue(analytics.currentContext().isEmpty());

      AnalyticsContext.Scope outer = analytics.context().userId("outer").open();
      AnalyticsContext.Scope inner = analytics.context().userId("inner").open();
      outer.close();
      assertTrue(analytics.currentContext().isEmpty(), "out of order: what outer replaced is back");
      inner.close();
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aScopeIsCarriedToOtherThreadsByWrappingAndBelongsToOneClient() throws Exception {
    Analytics second = Analytics.builder("key").transport(transport).gzip(false).shutdownHook(false).build();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").open()) {
      assertTrue(second.currentContext().isEmpty(), "a scope belongs to the client that opened it");
      Runnable task = analytics.wrap(() -> analytics.enqueue(TrackMessage.builder("Wrapped").messageId("w1")));
      pool.submit(task).get(10, TimeUnit.SECONDS);
      java.util.concurrent.Callable<Boolean> callable =
          analytics.wrap(() -> analytics.offer(TrackMessage.builder("Callable").messageId("c1")));
      assertTrue(pool.submit(callable).get(10, TimeUnit.SECONDS));
      analytics.wrap(pool).execute(() -> analytics.enqueue(TrackMessage.builder("Executor").messageId("e1")));
      AnalyticsContext snapshot = analytics.currentContext();
      pool.submit(() -> {
        try (AnalyticsContext.Scope attached = analytics.attach(snapshot)) {
          analytics.enqueue(TrackMessage.builder("Attached").messageId("a1"));
        }
      }).get(10, TimeUnit.SECONDS);
    } finally {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      second.close();
    }
    for (String id : List.of("w1", "c1", "e1", "a1")) assertEquals("u1", sent(id).get("userId"), id);
  }

  @Test
  void aScopeLeftByAnExceptionIsClosedAndAWrappedTaskNeverLeavesItsScopeOnAPooledThread() throws Exception {
    assertThrows(IllegalStateException.class, () -> {
      try (AnalyticsContext.Scope scope = analytics.context().userId("u1").open()) {
        throw new IllegalStateException("the request failed");
      }
    });
    assertTrue(analytics.currentContext().isEmpty());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      try (AnalyticsContext.Scope scope = analytics.context().userId("u1").open()) {
        Future<?> failing = pool.submit(analytics.wrap((Runnable) () -> {
          throw new IllegalStateException("the task failed");
        }));
        assertThrows(java.util.concurrent.ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
      }
      assertTrue(pool.submit(() -> analytics.currentContext().isEmpty()).get(10, TimeUnit.SECONDS),
          "the pooled thread's next task runs without the failed task's scope");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withoutScopesNothingChanges() {
    TrackMessage message = TrackMessage.builder("Plain").userId("u1").messageId("p1").build();
    analytics.enqueue(message);
    assertEquals(Map.of(), sent("p1").getOrDefault("properties", Map.of()));
    assertFalse(callback.outcomes.isEmpty());
  }

  /**
   * A scope keeps its values as a merged LinkedHashMap would (a key put again keeps its first place
   * and takes its last value), below and above the eight keys it keeps in an array; the builder may
   * go on after a scope was made from it, and the caller change what it passed, without changing it.
   */
  @Test
  void aScopesValuesReadAsTheMapsTheyWerePutIntoAndNeverChangeAfterwards() {
    Random random = new Random(1919);
    for (int round = 0; round < 2_000; round++) {
      AnalyticsContext.Builder builder = analytics.context();
      Map<String, Object> properties = new LinkedHashMap<>();
      Map<String, Object> context = new LinkedHashMap<>();
      int keySpace = 1 + random.nextInt(14);
      for (int put = random.nextInt(24); put > 0; put--) {
        String key = "k" + random.nextInt(keySpace);
        Object value = random.nextInt(6) == 0 ? null : random.nextInt(3) == 0 ? new HashMap<>(Map.of("n", put)) : put;
        if (random.nextBoolean()) {
          builder.property(key, value);
          properties.put(key, value);
        } else {
          builder.context(key, value);
          context.put(key, value);
        }
      }
      AnalyticsContext built = builder.build();
      String where = "round " + round;
      assertEquals(new ArrayList<>(properties.entrySet()), new ArrayList<>(built.properties().entrySet()), where);
      assertEquals(new ArrayList<>(context.entrySet()), new ArrayList<>(built.context().entrySet()), where);
      assertEquals(properties, built.properties(), where);

      Map<String, Object> expected = new LinkedHashMap<>(properties);
      builder.property("k0", "after").property("later", true);
      for (Object value : properties.values()) {
        if (value instanceof Map) {
          @SuppressWarnings("unchecked")
          Map<String, Object> nested = (Map<String, Object>) value;
          nested.put("changed", true);
        }
      }
      assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(built.properties().keySet()), where);
      built.properties().forEach((key, value) -> {
        if (value instanceof Map) assertEquals(Map.of("n", ((Map<?, ?>) value).get("n")), value, where);
        else assertEquals(expected.get(key), value, where);
      });
      assertThrows(UnsupportedOperationException.class, () -> built.properties().put("x", 1));
      assertThrows(UnsupportedOperationException.class, () -> built.context().put("k0", 1));

      // A scope frozen from a full array shares it: the builder going on (a new key, a key put
      // again) copies it first, so a second scope has the new values and the first keeps its own.
      Map<String, Object> now = new LinkedHashMap<>(properties);
      now.put("k0", "after");
      now.put("later", true);
      AnalyticsContext again = builder.build();
      builder.property("k0", "third").context("k0", "third");
      assertEquals(new ArrayList<>(now.entrySet()), new ArrayList<>(again.properties().entrySet()), where);
      assertEquals(new ArrayList<>(context.entrySet()), new ArrayList<>(again.context().entrySet()), where);
      assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(built.properties().keySet()), where);
      built.properties().forEach((key, value) -> {
        if (!(value instanceof Map)) assertEquals(expected.get(key), value, where);
      });
      assertEquals(context.containsKey("k0") ? context.get("k0") : null, built.context().get("k0"), where);
    }
  }

  /**
   * What the encoder writes for a message in a scope is the merged map the engine used to build:
   * the scope's properties first, then the message's new ones, the message's values winning.
   */
  @Test
  void aScopedMessagesPropertiesAreSentInTheMergedMapsOrder() {
    Random random = new Random(19);
    List<Map<String, Object>> expected = new ArrayList<>();
    for (int round = 0; round < 300; round++) {
      int keySpace = 1 + random.nextInt(20);
      Map<String, Object> scoped = new LinkedHashMap<>();
      Map<String, Object> own = new LinkedHashMap<>();
      for (int i = random.nextInt(12); i > 0; i--) scoped.put("k" + random.nextInt(keySpace), "scope" + i);
      for (int i = random.nextInt(14); i > 0; i--) own.put("k" + random.nextInt(keySpace), "own" + i);
      Map<String, Object> merged = new LinkedHashMap<>(scoped);
      merged.putAll(own);
      expected.add(merged);
      try (AnalyticsContext.Scope scope = analytics.context().userId("u").properties(scoped).open()) {
        analytics.enqueue(TrackMessage.builder("E").messageId("m" + round).properties(own));
      }
    }
    assertEquals(FlushResult.class, analytics.flush(Duration.ofSeconds(10)).getClass());
    for (int round = 0; round < 300; round++) {
      Map<String, Object> sent = CollectingTransport.map(transport.get("m" + round), "properties");
      assertEquals(new ArrayList<>(expected.get(round).entrySet()), new ArrayList<>(sent.entrySet()), "round " + round);
    }
  }
}
