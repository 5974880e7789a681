package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.analytics4j.messages.TrackMessage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Analytics.Builder#defaultContext}: context known only on the enqueuing thread, under the message's own. */
class AnalyticsDefaultContextTest {
  private static final String LIBRARY = "\"library\":{\"name\":\"analytics4j\",\"version\":\"" + Analytics.VERSION + "\"}";
  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private Analytics analytics;

  private Analytics build(Supplier<Map<String, ?>> defaultContext) {
    analytics = Analytics.builder("k").transport(transport).callback(callback).defaultContext(defaultContext)
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();
    return analytics;
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close();
  }

  private String sentContext() throws InterruptedException {
    assertEquals(true, analytics.flush(Duration.ofSeconds(10)).isSuccess());
    String body = new String(transport.takeRequest().body(), java.nio.charset.StandardCharsets.UTF_8);
    int start = body.indexOf("\"context\":{");
    return body.substring(start, body.indexOf("}}", start) + 2);
  }

  @Test
  void isAddedUnderTheMessagesOwnContextAndNeverReplacesLibrary() throws Exception {
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put("ip", "203.0.113.7");
    defaults.put("locale", "en-GB");
    defaults.put("library", "not ours");
    build(() -> defaults);

    analytics.enqueue(TrackMessage.builder("Signed Up").userId("u1").context(Map.of("locale", "fr-FR")));

    assertEquals("\"context\":{\"ip\":\"203.0.113.7\",\"locale\":\"fr-FR\"," + LIBRARY + "}", sentContext());
  }

  @Test
  void neverMakesAMessageTooLargeAndNeverRescuesOneTooLargeByItself() throws Exception {
    build(() -> Map.of("userAgent", "x".repeat(4_000)));
    String nearLimit = "y".repeat(29_000);

    analytics.enqueue(TrackMessage.builder("Big").userId("u1").properties(Map.of("blob", nearLimit)));
    assertEquals("\"context\":{" + LIBRARY + "}", sentContext(), "left out of this one message");

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> analytics.enqueue(
        TrackMessage.builder("Bigger").userId("u1").properties(Map.of("blob", "z".repeat(33_000)))));
    assertTrue(refused.getMessage().startsWith("message is "), refused.getMessage());

    analytics.enqueue(TrackMessage.builder("Small").userId("u1"));
    assertTrue(sentContext().contains("\"userAgent\":\"xxxx"), "kept where it fits");
  }

  @Test
  void isAskedForOnTheEnqueuingThread() throws Exception {
    build(() -> Map.of("thread", Thread.currentThread().getName()));
    Thread producer = new Thread(() -> analytics.enqueue(TrackMessage.builder("E").userId("u1")), "request-thread-7");
    producer.start();
    producer.join(10_000);

    assertEquals("\"context\":{\"thread\":\"request-thread-7\"," + LIBRARY + "}", sentContext());
  }

  @Test
  void aBadValueIsRefusedAtTheCallSiteWithItsPath() {
    build(() -> Map.of("page", Map.of("width", Double.NaN)));

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder("E").userId("u1")));
    assertEquals("context.page.width must be a finite number: NaN", e.getMessage());
  }

  @Test
  void aSupplierThatReturnsNullOrThrowsAddsNothing() throws Exception {
    boolean[] fail = {false};
    build(() -> {
      if (fail[0]) throw new IllegalStateException("no request bound to this thread");
      return null;
    });
    analytics.enqueue(TrackMessage.builder("E").userId("u1"));
    fail[0] = true;
    analytics.enqueue(TrackMessage.builder("E").userId("u1"));

    assertEquals("\"context\":{" + LIBRARY + "}", sentContext());
    assertEquals(2, callback.count("sent"));
  }
  @Test
  void aSupplierThrowingAnErrorAddsNothingAndTheMessageIsStillSent() throws Exception {
    // An Error, as a supplier touching a request-scoped bean can throw (NoClassDefFoundError,
    // ExceptionInInitializerError), not only a RuntimeException.
    build(() -> {
      throw new NoClassDefFoundError("org/example/RequestHolder");
    });
    analytics.enqueue(TrackMessage.builder("E").userId("u1"));
    assertTrue(analytics.offer(TrackMessage.builder("E").userId("u1").build()));

    assertEquals("\"context\":{" + LIBRARY + "}", sentContext());
    assertEquals(2, callback.count("sent"));
  }

  @Test
  void aSupplierThrowingAnErrorAddsNothingWhenHooksRunToo() throws Exception {
    analytics = Analytics.builder("k").transport(transport).callback(callback)
        .defaultContext(() -> {
          throw new AssertionError("no request bound to this thread");
        })
        .beforeSend(fields -> { })
        .flushInterval(Duration.ofHours(1)).shutdownHook(false).build();
    analytics.enqueue(TrackMessage.builder("E").userId("u1"));

    assertEquals("\"context\":{" + LIBRARY + "}", sentContext());
    assertEquals(1, callback.count("sent"));
  }
}
