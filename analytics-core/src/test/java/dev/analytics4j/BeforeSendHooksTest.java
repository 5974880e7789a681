package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.internal.SpoolFixtures;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks on the before-send hooks: what they may reach, how they fail, and how their drops are counted. */
class BeforeSendHooksTest {
  @TempDir Path temp;
  private final CollectingTransport transport = new CollectingTransport();
  private final RecordingCallback callback = new RecordingCallback();

  private Analytics.Builder client() {
    return Analytics.builder("secret-write-key").transport(transport).gzip(false).callback(callback).shutdownHook(false);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aHookChangingNestedMapsNeverChangesTheCallersOrTheScopesMaps() {
    Analytics analytics = client().beforeSend(m -> {
      ((Map<String, Object>) m.properties().get("cart")).put("hooked", true);
      ((List<Object>) m.properties().get("items")).add("hooked");
      ((Map<String, Object>) m.context().get("page")).put("hooked", true);
      ((Map<String, Object>) m.context().get("device")).put("hooked", true);
      ((Map<String, Object>) m.integrations().get("Amplitude")).put("hooked", true);
    }).build();
    Map<String, Object> cart = new LinkedHashMap<>(Map.of("total", 3));
    List<Object> items = new ArrayList<>(List.of("a"));
    Map<String, Object> page = new LinkedHashMap<>(Map.of("path", "/own"));
    Map<String, Object> device = new LinkedHashMap<>(Map.of("id", "scope-device"));
    Map<String, Object> amplitude = new LinkedHashMap<>(Map.of("session", 1));
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("cart", cart);
    properties.put("items", items);
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").context("device", device)
        .context("page", Map.of("title", "scope")).open()) {
      for (String id : List.of("m1", "m2")) {
        analytics.enqueue(TrackMessage.builder("T").messageId(id).properties(properties)
            .context(Map.of("page", page)).integrations(Map.of("Amplitude", amplitude)));
      }
    }
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals(Map.of("total", 3), cart);
    assertEquals(List.of("a"), items);
    assertEquals(Map.of("path", "/own"), page);
    assertEquals(Map.of("id", "scope-device"), device);
    assertEquals(Map.of("session", 1), amplitude);
    for (String id : List.of("m1", "m2")) {
      Map<String, Object> sent = transport.get(id);
      assertEquals(Map.of("total", 3.0, "hooked", true), CollectingTransport.map(sent, "properties").get("cart"), id);
      assertEquals(List.of("a", "hooked"), CollectingTransport.map(sent, "properties").get("items"), id);
      assertEquals(Map.of("path", "/own", "title", "scope", "hooked", true),
          CollectingTransport.map(sent, "context").get("page"), id);
      assertEquals(Map.of("id", "scope-device", "hooked", true), CollectingTransport.map(sent, "context").get("device"), id);
    }
  }

  /**
   * A hook keeps the properties map it was given and changes it from another thread while the
   * message is encoded: that message fails, the caller sees no exception, the next message is sent.
   */
  @Test
  void aHookChangingItsMapsLaterFromAnotherThreadFailsThatMessageAloneWithoutThrowingAtTheCaller() {
    AtomicReference<Map<String, Object>> kept = new AtomicReference<>();
    Map<String, Object> probe = new AbstractMap<String, Object>() {
      @Override
      public Set<Entry<String, Object>> entrySet() {
        Thread other = new Thread(() -> kept.get().put("late", "change"));
        other.start();
        try {
          other.join(10_000);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
        return new LinkedHashSet<>();
      }
    };
    Analytics analytics = client().beforeSend(m -> {
      if (!m.messageId().equals("kept")) return;
      kept.set(m.properties());
      m.properties().put("probe", probe);
      m.properties().put("after", 1);
    }).build();
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("kept"));
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("next"));
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals("dropped:BEFORE_SEND_FAILED", callback.outcomes.get("kept"));
    assertEquals("sent", callback.outcomes.get("next"));
    assertEquals(new FlushResult(true, 1, 0, 1), result);
  }

  @Test
  void aHookBlockingSlowsOnlyItsCallerWhileOtherThreadsEnqueueAndFlush() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Analytics analytics = client().beforeSend(m -> {
      if (!m.messageId().equals("slow")) return;
      entered.countDown();
      try {
        assertTrue(release.await(30, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }).build();
    ExecutorService slowCaller = Executors.newSingleThreadExecutor();
    try {
      Future<?> slow = slowCaller.submit(() -> analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("slow")));
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("fast"));
      assertEquals(new FlushResult(true, 1, 0, 0), analytics.flush(Duration.ofSeconds(10)),
          "a flush does not wait for a message still in its hook");
      assertEquals(1, analytics.metrics().enqueued());
      release.countDown();
      slow.get(30, TimeUnit.SECONDS);
      assertEquals(new FlushResult(true, 1, 0, 0), analytics.flush(Duration.ofSeconds(10)));
    } finally {
      release.countDown();
      slowCaller.shutdownNow();
      analytics.close();
    }
  }

  @Test
  void droppedMessagesOfADisabledClientAClosedClientAndAFullQueueAreReportedOnceWithTheRightReason() throws Exception {
    Analytics disabled = client().enabled(false).beforeSend(m -> {
      if (m.messageId().startsWith("drop")) m.drop("not wanted");
    }).build();
    assertFalse(disabled.offer(TrackMessage.builder("T").userId("u1").messageId("drop-disabled")));
    assertTrue(disabled.offer(TrackMessage.builder("T").userId("u1").messageId("kept-disabled")));
    disabled.close();
    assertEquals("dropped:BEFORE_SEND", callback.outcomes.get("drop-disabled"));
    assertEquals("dropped:DISABLED", callback.outcomes.get("kept-disabled"));

    AtomicInteger hooked = new AtomicInteger();
    Analytics closed = client().beforeSend(m -> {
      hooked.incrementAndGet();
      m.drop("not wanted");
    }).build();
    closed.close();
    assertFalse(closed.offer(TrackMessage.builder("T").userId("u1").messageId("drop-closed")));
    assertEquals("dropped:CLOSED", callback.outcomes.get("drop-closed"));
    assertThrows(IllegalStateException.class, () -> closed.enqueue(TrackMessage.builder("T").userId("u1")));
    assertEquals(1, hooked.get(), "enqueue after close throws before any hook runs");

    CountDownLatch open = new CountDownLatch(1);
    SpoolFixtures.Collector collector = new SpoolFixtures.Collector();
    Analytics full = Analytics.builder("secret-write-key").transport(SpoolFixtures.gated(collector, open))
        .callback(callback).shutdownHook(false).maxQueueSize(2).flushAt(1)
        .beforeSend(m -> {
          if (m.messageId().startsWith("drop")) m.drop("not wanted");
        }).build();
    int queueFull = 0;
    for (int i = 0; i < 10; i++) {
      if (!full.offer(TrackMessage.builder("T").userId("u1").messageId("q" + i))) queueFull++;
    }
    assertTrue(queueFull > 0, "the queue filled");
    assertFalse(full.offer(TrackMessage.builder("T").userId("u1").messageId("drop-full")));
    assertEquals("dropped:BEFORE_SEND", callback.outcomes.get("drop-full"));
    open.countDown();
    FlushResult result = full.flush(Duration.ofSeconds(30));
    full.close();
    assertEquals(11, result.total(), result.toString());
    assertEquals(queueFull + 1, result.dropped(), result.toString());
    Metrics metrics = full.metrics();
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped() + metrics.queuedMessages());
    assertEquals(List.of(), callback.duplicates);
  }

  @Test
  void aMessageAHookDropsNeverReachesTheSpoolAndIsReportedOnce() {
    Path dir = temp.resolve("spool");
    Analytics first = Analytics.builder("secret-write-key").transport(SpoolFixtures.down()).spool(dir)
        .callback(callback).shutdownHook(false).beforeSend(m -> {
          if (m.messageId().equals("dropped")) m.drop("not wanted");
        }).build();
    first.enqueue(TrackMessage.builder("T").userId("u1").messageId("dropped"));
    first.enqueue(TrackMessage.builder("T").userId("u1").messageId("spooled"));
    first.close(Duration.ZERO);
    assertEquals("dropped:BEFORE_SEND", callback.outcomes.get("dropped"));
    assertEquals(1, first.metrics().dropped(DropReason.BEFORE_SEND));
    RecordingCallback second = new RecordingCallback();
    Analytics recovering = Analytics.builder("secret-write-key").transport(transport).gzip(false).spool(dir)
        .callback(second).shutdownHook(false).build();
    assertEquals(1, recovering.flush(Duration.ofSeconds(10)).delivered());
    recovering.close();
    assertEquals(List.of("spooled"), new ArrayList<>(transport.messages.keySet()));
    assertEquals(Map.of("spooled", "sent"), second.outcomes);
  }

  @Test
  void eachFlushCountsTheHookDropsEnqueuedSinceThePreviousOne() {
    Analytics analytics = client().beforeSend(m -> {
      if (m.messageId().startsWith("drop")) m.drop("not wanted");
      if (m.messageId().startsWith("fail")) throw new IllegalStateException("broken hook");
    }).build();
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("sent"));
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("drop-1"));
    assertEquals(new FlushResult(true, 1, 0, 1), analytics.flush(Duration.ofSeconds(10)));
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("drop-2"));
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("fail-1"));
    assertEquals(new FlushResult(true, 0, 0, 2), analytics.flush(Duration.ofSeconds(10)));
    assertEquals(new FlushResult(true, 0, 0, 0), analytics.flush(Duration.ofSeconds(10)));
    analytics.close();
  }

  @Test
  void metricsAddUpUnderFourProducersWhileAHookDropsAThirdAndFailsAThird() throws Exception {
    int threads = 4;
    int perThread = 3_000;
    Analytics analytics = client().maxQueueSize(threads * perThread).beforeSend(m -> {
      int n = Integer.parseInt(m.messageId().substring(m.messageId().indexOf('-') + 1));
      if (n % 3 == 1) m.drop("a third");
      if (n % 3 == 2) throw new IllegalStateException("another third");
    }).build();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String prefix = "t" + t + "-";
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId(prefix + i));
        return null;
      }));
    }
    for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
    pool.shutdown();
    // Exact once settled (Metrics reads its counters one after another, so not mid-flight).
    FlushResult result = analytics.flush(Duration.ofSeconds(60));
    analytics.close();
    Metrics metrics = analytics.metrics();
    assertEquals(threads * perThread, metrics.enqueued());
    assertEquals(threads * perThread / 3, metrics.sent());
    assertEquals(threads * perThread / 3, metrics.dropped(DropReason.BEFORE_SEND));
    assertEquals(threads * perThread / 3, metrics.dropped(DropReason.BEFORE_SEND_FAILED));
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped() + metrics.queuedMessages());
    assertEquals(new FlushResult(true, threads * perThread / 3, 0, 2L * threads * perThread / 3), result);
    assertEquals(threads * perThread, callback.outcomes.size());
  }

  @Test
  void theRedactorOnCyclicOrVeryDeepMapsLeavesTheCallersErrorAndReachesSetsAndArrays() {
    Analytics analytics = client().beforeSend(BeforeSend.redactKeys(Pattern.compile("(?i)token"))).build();
    Map<String, Object> cycle = new LinkedHashMap<>();
    cycle.put("token", "t");
    cycle.put("self", cycle);
    IllegalArgumentException cyclic = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder("T").userId("u1").properties(Map.of("loop", cycle))));
    assertTrue(cyclic.getMessage().startsWith("properties.loop"), cyclic.getMessage());
    Map<String, Object> deep = new LinkedHashMap<>();
    Map<String, Object> level = deep;
    for (int i = 0; i < 20_000; i++) {
      Map<String, Object> next = new LinkedHashMap<>();
      level.put("d", next);
      level = next;
    }
    IllegalArgumentException tooDeep = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder("T").userId("u1").properties(deep)));
    assertTrue(tooDeep.getMessage().contains("nested deeper than"), tooDeep.getMessage());
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("containers").properties(Map.of(
        "set", Set.of(Map.of("apiToken", "t1", "kept", 1)),
        "array", new Object[] {Map.of("token", "t2", "kept", 2)})));
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    Map<String, Object> properties = CollectingTransport.map(transport.get("containers"), "properties");
    assertEquals(List.of(Map.of("kept", 1.0)), properties.get("set"));
    assertEquals(List.of(Map.of("kept", 2.0)), properties.get("array"));
    assertEquals(Map.of("containers", "sent"), callback.outcomes);
  }

  @Test
  void aHookRecursingUntilTheStackOverflowsFailsThatMessageAlone() {
    Analytics analytics = client().beforeSend(m -> {
      if (m.messageId().equals("recurse")) recurse(0);
    }).build();
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("recurse"));
    analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId("fine"));
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals(Map.of("recurse", "dropped:BEFORE_SEND_FAILED", "fine", "sent"), callback.outcomes);
  }

  private static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  @Test
  void theConsentHookFailsTheMessageWhenItsLookupThrowsAndLeavesItWhenItAnswersNull() {
    Analytics analytics = client().beforeSend(BeforeSend.consent(m -> {
      if (m.userId().equals("throws")) throw new IllegalStateException("consent service down");
      return null;
    })).build();
    analytics.enqueue(TrackMessage.builder("T").userId("throws").messageId("c1"));
    analytics.enqueue(TrackMessage.builder("T").userId("null").messageId("c2").context(Map.of("consent", Map.of("own", true))));
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals("dropped:BEFORE_SEND_FAILED", callback.outcomes.get("c1"));
    assertEquals(Map.of("own", true), CollectingTransport.map(transport.get("c2"), "context").get("consent"));
  }

  @Test
  void hooksLeavingABlankUserABlankOrHugeNameFailThatMessageWhileTheCallersOwnMistakesThrow() {
    String huge = "x".repeat(40_000);
    Analytics analytics = client().beforeSend(m -> {
      switch (m.messageId()) {
        case "blank-user": m.userId(" "); break;
        case "blank-name": m.name("\t"); break;
        case "huge-name": m.name(huge); break;
        case "null-name": m.name(null); break;
        case "huge-user": m.userId(huge); break;
        case "identify-name": m.name("ignored"); break;
        default: break;
      }
    }).build();
    for (String id : List.of("blank-user", "blank-name", "huge-name", "null-name", "huge-user")) {
      analytics.enqueue(TrackMessage.builder("T").userId("u1").messageId(id));
    }
    analytics.enqueue(IdentifyMessage.builder().userId("u1").messageId("identify-name"));
    IllegalArgumentException own = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder(huge).userId("u1").messageId("own-huge")));
    assertTrue(own.getMessage().contains("32"), own.getMessage());
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    for (String id : List.of("blank-user", "blank-name", "huge-name", "null-name", "huge-user")) {
      assertEquals("dropped:BEFORE_SEND_FAILED", callback.outcomes.get(id), id);
    }
    assertEquals("sent", callback.outcomes.get("identify-name"));
    assertFalse(transport.get("identify-name").containsKey("event"));
    assertFalse(callback.outcomes.containsKey("own-huge"));
  }

  @Test
  void aBadValueInTheScopeIsTheCallersMistakeWithHooksAsWithout() {
    Analytics analytics = client().beforeSend(m -> m.context().put("region", "eu")).build();
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").property("thread", new Object()).open()) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> analytics.enqueue(TrackMessage.builder("T")));
      assertTrue(refused.getMessage().startsWith("properties.thread"), refused.getMessage());
    }
    analytics.close();
    assertTrue(callback.outcomes.isEmpty(), callback.outcomes.toString());
  }

  /**
   * The Spring Boot starter adds the request's ip and user agent through defaultContext: a GDPR
   * redactor of "ip" must remove it, and hooks see the context as it will be sent.
   */
  @Test
  void hooksSeeAndRedactWhatDefaultContextAddsUnderTheMessagesAndTheScopesContext() {
    AtomicReference<Map<String, Object>> seen = new AtomicReference<>();
    Analytics analytics = client()
        .defaultContext(() -> Map.of("ip", "203.0.113.9", "userAgent", "curl/8", "locale", "default", "page",
            Map.of("path", "/default")))
        .beforeSend(m -> seen.set(new LinkedHashMap<>(m.context())))
        .beforeSend(BeforeSend.redactKeys(Pattern.compile("^ip$")))
        .build();
    try (AnalyticsContext.Scope scope = analytics.context().userId("u1").context("locale", "scope").open()) {
      analytics.enqueue(TrackMessage.builder("T").messageId("m1").context(Map.of("page", Map.of("title", "own"))));
    }
    analytics.flush(Duration.ofSeconds(10));
    analytics.close();
    assertEquals(Map.of("ip", "203.0.113.9", "userAgent", "curl/8", "locale", "scope", "page", Map.of("title", "own")),
        seen.get());
    Map<String, Object> context = CollectingTransport.map(transport.get("m1"), "context");
    assertFalse(context.containsKey("ip"), context.toString());
    assertEquals("curl/8", context.get("userAgent"));
    assertEquals("scope", context.get("locale"));
    assertEquals(Map.of("title", "own"), context.get("page"), "defaultContext fills top-level keys only");
  }
}
