package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.internal.RequestData;
import dev.analytics4j.messages.TrackMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestData}, the Spring Boot starter's request data as the lowest layer of a scope: the
 * message's fields, then the scope's, then {@code defaultContext}, then the request's.
 */
class RequestDataTest {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));
  private final RecordingTransport transport = new RecordingTransport();
  private Analytics analytics;

  private Analytics build(boolean withHook) {
    Analytics.Builder builder = Analytics.builder("k").transport(transport).flushInterval(Duration.ofHours(1))
        .shutdownHook(false).defaultContext(() -> Map.of("locale", "default-locale", "timezone", "Europe/Zurich"));
    if (withHook) builder.beforeSend(message -> message.properties().put("hooked", true));
    analytics = builder.build();
    return analytics;
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close();
  }

  private static Map<String, Object> request(String ip, String path) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("ip", ip);
    data.put("locale", "request-locale");
    data.put("userAgent", "request-agent");
    data.put("page", Map.of("path", path));
    return data;
  }

  /** The one message's context as sent, without the library (keys compared, not their order). */
  @SuppressWarnings("unchecked")
  private Map<String, Object> sentContext() throws Exception {
    assertEquals(true, analytics.flush(Duration.ofSeconds(10)).isSuccess());
    String body = new String(transport.takeRequest().body(), StandardCharsets.UTF_8);
    List<Map<String, Object>> batch = (List<Map<String, Object>>) JSON.fromJson(body).get("batch");
    assertEquals(1, batch.size());
    Map<String, Object> context = (Map<String, Object>) batch.get(0).get("context");
    assertEquals(Map.of("name", "analytics4j", "version", Analytics.VERSION), context.remove("library"));
    return context;
  }

  @ParameterizedTest(name = "with a hook: {0}")
  @ValueSource(booleans = {false, true})
  void liesUnderTheMessageTheScopeAndDefaultContext(boolean withHook) throws Exception {
    build(withHook);
    try (AnalyticsContext.Scope request = analytics.attach(
            RequestData.under(analytics.currentContext(), request("192.0.2.1", "/cart")));
        AnalyticsContext.Scope user = analytics.context().userId("u1").context("userAgent", "scope-agent").open()) {
      analytics.enqueue(TrackMessage.builder("Viewed").context(Map.of("ip", "message-ip")));
    }
    // ip: the message's; userAgent: the scope's; locale: defaultContext's; page: the request's.
    assertEquals(Map.of("ip", "message-ip", "userAgent", "scope-agent", "locale", "default-locale",
        "timezone", "Europe/Zurich", "page", Map.of("path", "/cart")), sentContext());
  }

  @Test
  void hooksSeeItAndMayRedactIt() throws Exception {
    analytics = Analytics.builder("k").transport(transport).flushInterval(Duration.ofHours(1)).shutdownHook(false)
        .beforeSend(message -> message.context().remove("ip")).build();
    try (AnalyticsContext.Scope request = analytics.attach(
        RequestData.under(analytics.currentContext(), request("192.0.2.1", "/private")))) {
      analytics.enqueue(TrackMessage.builder("Viewed").userId("u1"));
    }
    assertEquals(Map.of("userAgent", "request-agent", "locale", "request-locale", "page", Map.of("path", "/private")),
        sentContext());
  }

  @Test
  void aUserScopeInsideKeepsItAndClosingTheRequestsScopeTakesItAway() throws Exception {
    build(false);
    AnalyticsContext.Scope request = analytics.attach(RequestData.under(analytics.currentContext(), request("192.0.2.1", "/a")));
    AnalyticsContext.Scope user = analytics.context().userId("u1").open();
    // Left open, as by an exception: closing the request's scope still takes both off the thread.
    request.close();
    analytics.enqueue(TrackMessage.builder("After").userId("u2"));
    assertEquals(Map.of("locale", "default-locale", "timezone", "Europe/Zurich"), sentContext());
    assertEquals(AnalyticsContext.EMPTY, analytics.currentContext());
    user.close();
    assertEquals(AnalyticsContext.EMPTY, analytics.currentContext());
  }

  @Test
  void followsWrappedTasksToOtherThreads() throws Exception {
    build(false);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (AnalyticsContext.Scope request = analytics.attach(
        RequestData.under(analytics.currentContext(), request("198.51.100.9", "/async")))) {
      analytics.wrap(pool).execute(() -> analytics.enqueue(TrackMessage.builder("Async").userId("u1")));
    } finally {
      pool.shutdown();
      assertEquals(true, pool.awaitTermination(10, TimeUnit.SECONDS));
    }
    assertEquals(Map.of("ip", "198.51.100.9", "userAgent", "request-agent", "locale", "default-locale",
        "timezone", "Europe/Zurich", "page", Map.of("path", "/async")), sentContext());
  }

  @Test
  void isCopiedSoTheCallersMapCannotChangeIt() throws Exception {
    build(false);
    Map<String, Object> page = new HashMap<>(Map.of("path", "/before"));
    Map<String, Object> data = new HashMap<>(Map.of("page", page));
    AnalyticsContext context = RequestData.under(analytics.currentContext(), data);
    page.put("path", "/after");
    data.put("ip", "192.0.2.99");
    try (AnalyticsContext.Scope scope = analytics.attach(context)) {
      analytics.enqueue(TrackMessage.builder("E").userId("u1"));
    }
    assertEquals(Map.of("locale", "default-locale", "timezone", "Europe/Zurich", "page", Map.of("path", "/before")),
        sentContext());
    assertThrows(UnsupportedOperationException.class, () -> context.requestData().put("ip", "x"));
  }

  @Test
  void isLeftOutOfAMessageItWouldMakeTooLarge() throws Exception {
    build(false);
    Map<String, Object> data = Map.of("userAgent", "x".repeat(4_000));
    try (AnalyticsContext.Scope scope = analytics.attach(RequestData.under(analytics.currentContext(), data))) {
      analytics.enqueue(TrackMessage.builder("Big").userId("u1").properties(Map.of("blob", "y".repeat(29_000))));
    }
    assertEquals(Map.of(), sentContext(), "the request data and defaultContext left out of this one message");
  }
}
