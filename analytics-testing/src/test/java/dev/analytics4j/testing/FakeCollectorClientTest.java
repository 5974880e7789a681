package dev.analytics4j.testing;

import static dev.analytics4j.testing.MessagePattern.alias;
import static dev.analytics4j.testing.MessagePattern.group;
import static dev.analytics4j.testing.MessagePattern.identify;
import static dev.analytics4j.testing.MessagePattern.page;
import static dev.analytics4j.testing.MessagePattern.screen;
import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.Callback;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The production client, on the JDK's HTTP client, against the fake collector. */
class FakeCollectorClientTest {
  private final FakeCollector collector = start();
  private final JdkTransport transport = new JdkTransport();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private Analytics analytics;

  private static FakeCollector start() {
    try {
      return FakeCollector.start("test-key");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Analytics.Builder client(String writeKey) {
    return Analytics.builder(writeKey)
        .endpoint(collector.endpoint())
        .transport(transport)
        .callback(new Callback() {
          @Override
          public void onFailure(EncodedMessage message, Failure failure) {
            failures.add(failure.reason());
          }
        })
        .flushInterval(Duration.ofHours(1))
        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(10))
        .shutdownHook(false);
  }

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
    collector.close();
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void everyMessageTypeOfTheClientPassesEveryCheck(boolean gzip) throws Exception {
    analytics = client("test-key").gzip(gzip).build();
    analytics.enqueue(IdentifyMessage.builder().userId("u1").traits(Map.of("plan", "team")));
    analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(Map.of("revenue", 42.5)));
    analytics.enqueue(PageMessage.builder("Pricing").category("Marketing").anonymousId("a1"));
    analytics.enqueue(ScreenMessage.builder("Checkout").userId("u1"));
    analytics.enqueue(GroupMessage.builder("acct_553").userId("u1").traits(Map.of("employees", 120)));
    analytics.enqueue(AliasMessage.builder("a1").userId("u1"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    collector.assertNoRequestRejected().received()
        .assertSentOnce(identify().userId("u1").trait("plan", "team"))
        .assertSentOnce(track("Order Completed").property("revenue", 42.5))
        .assertSentOnce(page("Pricing").category("Marketing").anonymousId("a1"))
        .assertSentOnce(screen("Checkout"))
        .assertSentOnce(group("acct_553").trait("employees", 120))
        .assertSentOnce(alias("a1").userId("u1"))
        .assertNothingSentFor("u2");
  }

  @Test
  void batchesTheClientCutsStayUnderTheRequestLimit() throws Exception {
    analytics = client("test-key").build();
    String big = "x".repeat(30_000);
    for (int i = 0; i < 20; i++) {
      analytics.enqueue(TrackMessage.builder("Big").userId("u1").properties(Map.of("blob", big)));
    }

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(20, collector.assertNoRequestRejected().received().size());
    assertTrue(collector.requestCount() >= 2, collector.requestCount() + " requests");
  }

  @Test
  void aClientWithAnotherWriteKeyHearsWhy() throws Exception {
    analytics = client("other-key").build();
    analytics.enqueue(TrackMessage.builder("A").userId("u1"));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(1, result.notDelivered());
    assertEquals(List.of("HTTP 401 is not retryable: {\"success\":false,\"error\":\"Authorization carries another "
        + "write key than the expected one (the real API would answer 200 and drop the events)\"}"), failures);
    assertEquals(0, collector.received().size());
  }

  @Test
  void aRateLimitedClientWaitsAndDelivers() throws Exception {
    collector.answerNext(429, "1");
    analytics = client("test-key").maxRetries(0).build();
    analytics.enqueue(TrackMessage.builder("A").userId("u1"));

    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());

    assertEquals(2, collector.requestCount());
    collector.received().assertSentOnce(track("A"));
  }

  @Test
  void aClientRetriesThroughAnOutage() throws Exception {
    collector.goDown();
    // Retries enough that a slow test thread cannot see them run out before the collector is back.
    analytics = client("test-key").maxRetries(1000).build();
    analytics.enqueue(TrackMessage.builder("A").userId("u1"));
    CompletableFuture<FlushResult> flushed = analytics.flush();

    assertTrue(transport.attempts.tryAcquire(2, 10, TimeUnit.SECONDS), "two attempts while down");
    collector.comeBackUp();

    assertTrue(flushed.get(10, TimeUnit.SECONDS).isSuccess());
    collector.received().assertSentOnce(track("A"));
    assertTrue(analytics.metrics().retries() >= 2);
  }

  @Test
  void closingDuringAnOutageAccountsForEveryMessage() throws Exception {
    collector.goDown();
    analytics = client("test-key").build();
    for (int i = 0; i < 3; i++) analytics.enqueue(TrackMessage.builder("E" + i).userId("u1"));
    analytics.flush();
    assertTrue(transport.attempts.tryAcquire(1, 10, TimeUnit.SECONDS));

    analytics.close(Duration.ofMillis(200));

    Metrics metrics = analytics.metrics();
    assertEquals(3, metrics.enqueued());
    assertEquals(0, metrics.sent());
    assertEquals(3, metrics.failed() + metrics.dropped());
    assertEquals(0, collector.received().size());
  }
}
