package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Queueing, flushing and closing, against a recording transport; the wire format is tested in analytics-okhttp. */
class AnalyticsTest {
  private final RecordingTransport transport = new RecordingTransport();
  private final RecordingCallback callback = new RecordingCallback();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  /** Released when the test ends or the transport closes, so blocked sends never outlive a test. */
  private final CountDownLatch release = new CountDownLatch(1);
  private Analytics analytics;

  private Analytics.Builder builder() {
    ThreadFactory recording = runnable -> {
      Thread thread = new Thread(runnable, "test-analytics-" + threads.size());
      thread.setDaemon(true);
      threads.add(thread);
      return thread;
    };
    return Analytics.builder("test-write-key")
        .transport(new Transport() {
          @Override
          public Response send(Request request) throws IOException {
            return transport.send(request);
          }

          @Override
          public void close() {
            transport.close();
            release.countDown();
          }
        })
        .callback(callback)
        .threadFactory(recording)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .flushInterval(Duration.ofHours(1));
  }

  private RecordingTransport.Answer blockUntilClosed() {
    return request -> {
      release.await();
      throw new IOException("canceled");
    };
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
  }

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Item Viewed").userId("u1").messageId(id);
  }

  @Test
  void flushCompletesOnceEverythingEnqueuedBeforeItIsDelivered() throws Exception {
    analytics = builder().flushAt(100).build();
    for (int i = 0; i < 5; i++) analytics.enqueue(track("m" + i));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertTrue(result.isSuccess(), result.toString());
    assertEquals(5, result.delivered());
    assertEquals(1, transport.requestCount());
    assertEquals(5, callback.count("sent"));
    Metrics metrics = analytics.metrics();
    assertEquals(5, metrics.enqueued());
    assertEquals(5, metrics.sent());
    assertEquals(0, metrics.queuedMessages());
    assertEquals(0, metrics.queuedBytes());
  }

  @Test
  void flushReportsMessagesThatFailed() throws Exception {
    transport.enqueue(RecordingTransport.status(400));
    analytics = builder().build();
    for (int i = 0; i < 3; i++) analytics.enqueue(track("m" + i));

    FlushResult result = analytics.flush().get(10, TimeUnit.SECONDS);

    assertFalse(result.isSuccess());
    assertEquals(0, result.delivered());
    assertEquals(3, result.notDelivered());
    assertEquals(3, callback.count("failed"));
    assertEquals(400, callback.lastFailure().statusCode());
    assertEquals(1, callback.lastFailure().attempts());
    assertEquals(1, transport.requestCount(), "a 400 is never retried");
  }

  @Test
  void flushOfNothingCompletesAtOnce() throws Exception {
    analytics = builder().build();
    FlushResult result = analytics.flush(Duration.ofSeconds(10));
    assertTrue(result.isSuccess());
    assertEquals(0, result.delivered());
  }

  @Test
  void flushWithATimeoutSaysWhenItIsNotComplete() throws Exception {
    transport.enqueue(blockUntilClosed());
    analytics = builder().build();
    analytics.enqueue(track("m0"));
    FlushResult result = analytics.flush(Duration.ofMillis(50));
    assertFalse(result.isComplete());
  }

  @Test
  void dropsAndReportsMessagesWhenTheQueueIsFull() throws Exception {
    transport.enqueue(blockUntilClosed());
    analytics = builder().flushAt(1).maxInFlightRequests(1).maxQueueSize(3).build();
    analytics.enqueue(track("m0"));
    transport.takeRequest();
    analytics.enqueue(track("m1"));
    analytics.enqueue(track("m2"));

    analytics.enqueue(track("m3"));
    assertFalse(analytics.offer(track("m4")));

    assertEquals("dropped:QUEUE_FULL", callback.outcomes.get("m3"));
    assertEquals("dropped:QUEUE_FULL", callback.outcomes.get("m4"));
    Metrics metrics = analytics.metrics();
    assertEquals(5, metrics.enqueued());
    assertEquals(2, metrics.dropped(DropReason.QUEUE_FULL));
    assertEquals(3, metrics.queuedMessages(), "the one in flight counts");
  }

  @Test
  void boundsTheQueueByBytes() {
    transport.enqueue(blockUntilClosed());
    analytics = builder().flushAt(1).maxInFlightRequests(1).maxQueueBytes(32_000).build();
    int accepted = 0;
    for (int i = 0; i < 500; i++) {
      if (analytics.offer(track("m" + i))) accepted++;
    }
    Metrics metrics = analytics.metrics();
    assertTrue(metrics.queuedBytes() <= 32_000, "held " + metrics.queuedBytes());
    assertEquals(500 - accepted, metrics.dropped(DropReason.QUEUE_FULL));
    assertTrue(accepted > 0 && accepted < 500, "accepted " + accepted);
  }

  @Test
  void invalidMessagesThrowAtTheCallSiteAndDoNotDisturbOthers() throws Exception {
    analytics = builder().build();
    analytics.enqueue(track("good-1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> analytics.enqueue(TrackMessage.builder("Bad").userId("u1")
            .properties(Collections.singletonMap("price", Double.NaN))));
    assertTrue(e.getMessage().contains("properties.price"), e.getMessage());
    analytics.enqueue(track("good-2"));

    FlushResult result = analytics.flush(Duration.ofSeconds(10));

    assertEquals(2, result.delivered());
    assertEquals(2, analytics.metrics().enqueued());
  }

  @Test
  void closeSendsWhatIsQueuedAndClosesTheTransport() {
    analytics = builder().flushAt(100).build();
    for (int i = 0; i < 3; i++) analytics.enqueue(track("m" + i));

    analytics.close();

    assertEquals(3, callback.count("sent"));
    assertEquals(1, transport.requestCount());
    assertTrue(transport.isClosed());
    assertThreadsEnded();
  }

  @Test
  void closeReportsEverythingItCouldNotSendByItsDeadline() {
    transport.enqueue(blockUntilClosed());
    analytics = builder().flushAt(2).maxInFlightRequests(1).build();
    for (int i = 0; i < 5; i++) analytics.enqueue(track("m" + i));

    long took = SchedulerLag.assertClosesWithin(Duration.ofMillis(200), () -> analytics.close(Duration.ofMillis(200)));
    assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(200), "close waited for its deadline: " + took + " ns");
    assertEquals(3, callback.count("dropped:CLOSE_TIMEOUT"), "m2..m4 were never sent");
    assertEquals("failed", callback.outcomes.get("m0"), "m0 and m1 were on the wire: maybe delivered");
    assertEquals("failed", callback.outcomes.get("m1"));
    Failure failure = callback.lastFailure();
    assertTrue(failure.mayHaveBeenDelivered());
    assertEquals("close deadline passed during attempt 1; the batch may have been delivered", failure.reason());
    Metrics metrics = analytics.metrics();
    assertEquals(3, metrics.dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals(2, metrics.failed());
    assertEquals(metrics.enqueued(), metrics.sent() + metrics.failed() + metrics.dropped());
    assertEquals(0, metrics.queuedMessages());
    assertThreadsEnded();
  }

  @Test
  void closeIsIdempotent() {
    analytics = builder().build();
    analytics.enqueue(track("m0"));
    analytics.close();
    analytics.close();
    analytics.close(Duration.ZERO);
    assertEquals(1, callback.count("sent"));
  }

  @Test
  void refusesMessagesVisiblyAfterClose() {
    analytics = builder().build();
    analytics.close();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> analytics.enqueue(track("late")));
    assertEquals("Analytics is closed", e.getMessage());
    assertFalse(analytics.offer(track("offered-late")));
    assertEquals("dropped:CLOSED", callback.outcomes.get("offered-late"));
    assertThrows(IllegalStateException.class, () -> analytics.flush());
  }

  @Test
  void survivesACallbackThatThrows() throws Exception {
    analytics = builder().callback(new Callback() {
      @Override
      public void onSuccess(EncodedMessage message) {
        throw new RuntimeException("boom");
      }
    }).build();
    analytics.enqueue(track("m0"));
    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).delivered());
    analytics.enqueue(track("m1"));
    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).delivered());
  }

  @Test
  void retriesServerErrorsAndCountsThem() throws Exception {
    transport.enqueue(RecordingTransport.status(503)).enqueue(request -> {
      throw new IOException("connection reset");
    });
    analytics = builder().build();
    analytics.enqueue(track("m0"));

    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).delivered());

    assertEquals(3, transport.requestCount());
    assertEquals(2, analytics.metrics().retries());
    assertEquals(3, analytics.metrics().requests());
  }

  @Test
  void givesUpAfterMaxRetriesAndReportsTheLastStatus() throws Exception {
    for (int i = 0; i < 10; i++) transport.enqueue(RecordingTransport.status(500));
    analytics = builder().maxRetries(3).build();
    analytics.enqueue(track("m0"));

    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());

    assertEquals(4, transport.requestCount());
    Failure failure = callback.lastFailure();
    assertEquals(500, failure.statusCode());
    assertEquals(4, failure.attempts());
    assertEquals("HTTP 500; gave up after 3 retries", failure.reason());
  }

  @Test
  void givesUpWhenTheRetryTimeBudgetIsSpent() throws Exception {
    for (int i = 0; i < 1000; i++) transport.enqueue(RecordingTransport.status(502));
    analytics = builder().maxRetries(1000).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(20))
        .maxRetryDuration(Duration.ofMillis(100)).build();
    analytics.enqueue(track("m0"));

    assertEquals(1, analytics.flush(Duration.ofSeconds(10)).notDelivered());
    assertTrue(callback.lastFailure().reason().startsWith("HTTP 502; gave up: retry time budget of 100 ms spent"),
        callback.lastFailure().reason());
  }

  @Test
  void eachAttemptHasAWholeCallDeadlineThatARetryKeepsWithinTheRetryBudget() throws Exception {
    transport.enqueue(RecordingTransport.status(503));
    analytics = builder().connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(7))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).maxRetryDuration(Duration.ofSeconds(4))
        .build();
    analytics.enqueue(track("m0"));
    analytics.flush(Duration.ofSeconds(10));

    Transport.Request first = transport.takeRequest();
    Transport.Request retry = transport.takeRequest();
    assertEquals(Duration.ofSeconds(10), first.timeout(), "connect + read");
    assertTrue(retry.timeout().compareTo(Duration.ofSeconds(4)) <= 0
        && retry.timeout().compareTo(Duration.ofSeconds(3)) > 0, "what is left of 4 s: " + retry.timeout());
  }

  @Test
  void sendsToTheRegionEndpointOrUrlConfigured() throws Exception {
    analytics = builder().region(Region.EU).build();
    analytics.enqueue(track("m0"));
    analytics.flush(Duration.ofSeconds(10));
    assertEquals("https://events.eu1.segmentapis.com/v1/batch", transport.takeRequest().url());
    analytics.close();

    analytics = builder().build();
    analytics.enqueue(track("m1"));
    analytics.flush(Duration.ofSeconds(10));
    assertEquals("https://api.segment.io/v1/batch", transport.takeRequest().url());
    analytics.close();

    analytics = builder().endpoint("https://collector.example.com/segment/").build();
    analytics.enqueue(track("m2"));
    analytics.flush(Duration.ofSeconds(10));
    assertEquals("https://collector.example.com/segment/v1/batch", transport.takeRequest().url());
    analytics.close();

    analytics = builder().uploadUrl("http://127.0.0.1:8080/sdk/batch").build();
    analytics.enqueue(track("m3"));
    analytics.flush(Duration.ofSeconds(10));
    assertEquals("http://127.0.0.1:8080/sdk/batch", transport.takeRequest().url());
  }

  @Test
  void usesItsOwnDaemonThreadsByDefault() throws Exception {
    Analytics plain = Analytics.builder("k").transport(transport).shutdownHook(false).build();
    try {
      plain.enqueue(track("m0"));
      plain.flush(Duration.ofSeconds(10));
      boolean flusher = false;
      boolean upload = false;
      for (Thread thread : Thread.getAllStackTraces().keySet()) {
        if (thread.getName().matches("analytics4j-flusher-\\d+") && thread.isDaemon()) flusher = true;
        if (thread.getName().matches("analytics4j-upload-\\d+-1") && thread.isDaemon()) upload = true;
      }
      assertTrue(flusher, "named daemon flusher thread");
      assertTrue(upload, "named daemon upload thread");
    } finally {
      plain.close();
    }
  }

  @Test
  void toStringNeverShowsTheWriteKey() {
    analytics = builder().build();
    String string = analytics.toString();
    assertFalse(string.contains("test-write-key"), string);
    assertTrue(string.startsWith("Analytics{url=https://api.segment.io/v1/batch, flushAt=250"), string);
  }

  @Test
  void aWriteKeyPutInTheUploadUrlIsInNeitherToStringNorAnUrlError() {
    String key = "wk_9f8e7d6c5b4a3210";
    analytics = Analytics.builder(key).transport(transport).shutdownHook(false)
        .uploadUrl("https://collector.example/" + key + "/v1/batch").build();
    String string = analytics.toString();
    assertFalse(string.contains(key), string);
    assertTrue(string.startsWith("Analytics{url=https://collector.example/[writeKey]/v1/batch, "), string);

    IllegalArgumentException fragment = assertThrows(IllegalArgumentException.class,
        () -> Analytics.builder(key).uploadUrl("https://collector.example/" + key + "/v1/batch#top"));
    assertEquals("uploadUrl must not contain a fragment: https://collector.example/[writeKey]/v1/batch#[hidden]",
        fragment.getMessage());
    IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
        () -> Analytics.builder(key).endpoint("https://collector example/" + key));
    assertEquals("endpoint is not a valid URL (Illegal character in authority): https://collector example/[writeKey]", invalid.getMessage());
    assertEquals(null, invalid.getCause(), "its cause quoted the URL too");
  }

  @Test
  void anUploadUrlsQueryIsSentButInNeitherToStringNorAnUrlError() throws InterruptedException {
    // Some collectors take a token in the query: the client sends it and shows it nowhere.
    RecordingTransport sent = new RecordingTransport();
    try (Analytics client = Analytics.builder("test-write-key").transport(sent).shutdownHook(false)
        .uploadUrl("https://collector.example/v1/batch?token=s3cret").build()) {
      assertTrue(client.toString().startsWith("Analytics{url=https://collector.example/v1/batch?[hidden], "),
          client.toString());
      client.enqueue(TrackMessage.builder("Signed Up").userId("u1"));
      client.flush(Duration.ofSeconds(10));
    }
    assertEquals("https://collector.example/v1/batch?token=s3cret", sent.takeRequest().url());
    for (String url : new String[] {"https://collector.example/v1/batch?token=s3cret#top",
        "ftp://collector.example/v1/batch?token=s3cret", "https://collector example/v1/batch?token=s3cret",
        "https://collector.example:0/v1/batch?token=s3cret", "https://collector.example/v1?token=s3cret"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> Analytics.builder("test-write-key").uploadUrl(url).endpoint(url));
      assertFalse(refused.getMessage().contains("s3cret"), refused.getMessage());
      assertTrue(refused.getMessage().endsWith("?[hidden]"), refused.getMessage());
    }
  }

  private void assertThreadsEnded() {
    assertFalse(threads.isEmpty());
    for (Thread thread : threads) {
      assertFalse(thread.isAlive(), thread.getName() + " still alive after close");
    }
  }
}
