package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lines the client logs, word for word, and that they say what {@link Metrics} counts. */
class AnalyticsLogTest {
  private static final String KEY = "x7KpQ2mVn9RtL4sWb8YcE1fHj6UzA3dG";

  private final RecordedLogs logs = RecordedLogs.capture();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stopRecording() {
    release.countDown();
    logs.close();
  }

  @Test
  void buildLogsWhereEventsGoOnceAndNeverTheKey(@TempDir Path spool) {
    String version = Analytics.VERSION;
    build(Analytics.builder(KEY).transport(new RecordingTransport()));
    build(Analytics.builder(KEY).transport(new RecordingTransport()).region(Region.EU));
    build(Analytics.builder(KEY).transport(new RecordingTransport()).endpoint("http://analytics_proxy:8080"));
    build(Analytics.builder(KEY).transport(new RecordingTransport())
        .uploadUrl("https://collector.example:8443/custom/batch?tenant=7"));
    build(Analytics.builder(KEY).transport(new RecordingTransport()).spool(spool));
    build(Analytics.builder(KEY).transport(new RecordingTransport()).enabled(false));

    assertEquals(List.of(
        "INFO Analytics: analytics4j " + version + ": sending to https://api.segment.io (region US); spool off",
        "INFO Analytics: analytics4j " + version + ": sending to https://events.eu1.segmentapis.com (region EU); spool off",
        "INFO Analytics: analytics4j " + version + ": sending to http://analytics_proxy:8080 (endpoint set, not the region US); spool off",
        "INFO Analytics: analytics4j " + version + ": sending to https://collector.example:8443 (endpoint set, not the region US); spool off",
        "INFO Analytics: analytics4j " + version + ": sending to https://api.segment.io (region US); spool on in " + spool
            + ", SpoolSync.interval(PT1S)",
        "INFO Analytics: analytics4j " + version + ": disabled; messages are checked, then dropped (DISABLED)"),
        logs.matching(line -> line.logger.equals(Analytics.class.getName()) && line.level.equals("INFO")));
    assertNoKey();
  }

  @Test
  void aFailedBatchIsLoggedInTheWordsOfTheFailureWithCountsThatAgree() throws Exception {
    RecordingTransport transport = new RecordingTransport()
        .enqueue(RecordingTransport.status(400))
        .enqueue(RecordingTransport.status(500))
        .enqueue(RecordingTransport.status(503));
    RecordingCallback callback = new RecordingCallback();
    try (Analytics analytics = Analytics.builder(KEY).transport(transport).callback(callback).maxRetries(1)
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).maxInFlightRequests(1).shutdownHook(false).build()) {
      analytics.enqueue(track("m1"));
      analytics.flush().get(10, TimeUnit.SECONDS);
      analytics.enqueue(track("m2"));
      analytics.enqueue(track("m3"));
      analytics.flush().get(10, TimeUnit.SECONDS);
      assertEquals(3, analytics.metrics().failed());
    }
    assertEquals(List.of(
        "WARN Reporter: A batch of 1 message failed after 1 attempt: HTTP 400 is not retryable",
        "WARN Reporter: A batch of 2 messages failed after 2 attempts: HTTP 503; gave up after 1 retry"),
        logs.atLeast("WARN"));
    // The backoff has jitter: 0 or 1 ms here.
    assertEquals(List.of("INFO Uploader: HTTP 500: retry 1 of 1 in N ms"),
        logs.matching(line -> line.logger.equals("dev.analytics4j.internal.Uploader") && line.level.equals("INFO")).stream()
            .map(line -> line.replaceAll("in [01] ms$", "in N ms")).collect(Collectors.toList()));
    assertEquals("HTTP 503; gave up after 1 retry", callback.lastFailure().reason());
  }

  @Test
  void closeSaysHowManyWereDroppedAndHowManyFailedAsMetricsCountThem() {
    RecordingCallback callback = new RecordingCallback();
    CountDownLatch sending = new CountDownLatch(1);
    Analytics analytics = Analytics.builder(KEY).transport(heldTransport(sending)).callback(callback)
        .flushAt(2).maxInFlightRequests(1).shutdownHook(false).build();
    for (int i = 0; i < 5; i++) analytics.enqueue(track("m" + i));
    await(sending);

    analytics.close(Duration.ofMillis(100));

    Metrics metrics = analytics.metrics();
    assertEquals(3, metrics.dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals(2, metrics.failed());
    assertEquals(List.of(
        "WARN Reporter: A batch of 2 messages failed after 1 attempt: close deadline passed during attempt 1; "
            + "the batch may have been delivered",
        "WARN Analytics: Close gave up after N ms: 3 dropped (CLOSE_TIMEOUT) and 2 failed; each was reported "
            + "to the callback"),
        warningsWithoutMillis());
  }

  @Test
  void closeGivingUpOnOneMessageInFlightSaysItFailedNotThatItTimedOut() {
    CountDownLatch sending = new CountDownLatch(1);
    Analytics analytics = Analytics.builder(KEY).transport(heldTransport(sending))
        .flushAt(1).maxInFlightRequests(1).shutdownHook(false).build();
    analytics.enqueue(track("m0"));
    await(sending);

    analytics.close(Duration.ofMillis(50));

    assertEquals(1, analytics.metrics().failed());
    assertEquals(0, analytics.metrics().dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals(List.of(
        "WARN Reporter: A batch of 1 message failed after 1 attempt: close deadline passed during attempt 1; "
            + "the batch may have been delivered",
        "WARN Analytics: Close gave up after N ms: 1 message failed; each was reported to the callback"),
        warningsWithoutMillis());
  }

  @Test
  void closeGivingUpOnOneUnsentMessageSaysItWasDropped() {
    CountDownLatch sending = new CountDownLatch(1);
    Analytics analytics = Analytics.builder(KEY).transport(heldTransport(sending))
        .flushAt(1).maxInFlightRequests(1).shutdownHook(false).build();
    analytics.enqueue(track("m0"));
    await(sending);
    analytics.enqueue(track("m1"));

    analytics.close(Duration.ofMillis(50));

    assertEquals(1, analytics.metrics().failed());
    assertEquals(1, analytics.metrics().dropped(DropReason.CLOSE_TIMEOUT));
    assertEquals("WARN Analytics: Close gave up after N ms: 1 dropped (CLOSE_TIMEOUT) and 1 failed; each was "
        + "reported to the callback", warningsWithoutMillis().get(1));
  }

  @Test
  void aFullQueueIsLoggedOncePerIntervalWithTheDropReason() {
    CountDownLatch sending = new CountDownLatch(1);
    try (Analytics analytics = Analytics.builder(KEY).transport(heldTransport(sending))
        .flushAt(1).maxInFlightRequests(1).maxQueueSize(3).shutdownHook(false).build()) {
      analytics.enqueue(track("m0"));
      await(sending);
      analytics.enqueue(track("m1"));
      analytics.enqueue(track("m2"));
      assertFalse(analytics.offer(track("m3")));
      assertFalse(analytics.offer(track("m4")));
      assertEquals(2, analytics.metrics().dropped(DropReason.QUEUE_FULL));
      release.countDown();
    }
    assertEquals(List.of("WARN Reporter: Queue full: 1 message dropped (QUEUE_FULL) since the last warning; the "
        + "endpoint is slower than the event rate, or maxQueueSize/maxQueueBytes is too small"),
        logs.atLeast("WARN"));
  }

  @Test
  void aKeyTooShortToRedactLeavesTheCollectorsBodyOutOfTheFailureAndTheLog() throws Exception {
    for (String key : new String[] {"k", "ke", "key"}) {
      RecordedLogs logs = RecordedLogs.capture();
      RecordingCallback callback = new RecordingCallback();
      RecordingTransport transport = new RecordingTransport()
          .enqueue(request -> new Transport.Response(401, null, "{\"error\":\"invalid_write_key\",\"key\":\"" + key + "\"}"));
      try (Analytics analytics = Analytics.builder(key).transport(transport).callback(callback).shutdownHook(false).build()) {
        analytics.enqueue(track("m1"));
        analytics.flush().get(10, TimeUnit.SECONDS);
      } finally {
        logs.close();
      }
      String reason = "HTTP 401 is not retryable (body left out: a write key under 4 characters cannot be "
          + "taken out of it safely)";
      assertEquals(reason, callback.lastFailure().reason(), key);
      assertEquals(List.of("WARN Reporter: A batch of 1 message failed after 1 attempt: " + reason),
          logs.atLeast("WARN"), key);
    }
    // Four characters and more: the body is there, the key taken out of it as a whole token only.
    for (String key : new String[] {"writ", "invalid", "keykeyke"}) {
      RecordingCallback callback = new RecordingCallback();
      RecordingTransport transport = new RecordingTransport()
          .enqueue(request -> new Transport.Response(401, null, "{\"error\":\"invalid_write_key\",\"key\":\"" + key + "\"}"));
      try (Analytics analytics = Analytics.builder(key).transport(transport).callback(callback)
          .shutdownHook(false).build()) {
        analytics.enqueue(track("m1"));
        analytics.flush().get(10, TimeUnit.SECONDS);
      }
      assertEquals("HTTP 401 is not retryable: {\"error\":\"invalid_write_key\",\"key\":\"[writeKey]\"}",
          callback.lastFailure().reason(), key);
    }
  }

  /** A transport whose first request waits until the test ends or the client closes it. */
  private Transport heldTransport(CountDownLatch sending) {
    return new Transport() {
      @Override
      public Response send(Request request) throws java.io.IOException {
        sending.countDown();
        try {
          if (!release.await(10, TimeUnit.SECONDS)) throw new java.io.IOException("never released");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.IOException("interrupted", e);
        }
        return new Response(200, null, "");
      }

      @Override
      public void close() {
        release.countDown();
      }
    };
  }

  private List<String> warningsWithoutMillis() {
    assertNoKey();
    return logs.atLeast("WARN").stream().map(line -> line.replaceAll("after \\d+ ms", "after N ms"))
        .collect(Collectors.toList());
  }

  private void assertNoKey() {
    for (RecordedLogs.Line line : logs.lines()) {
      assertFalse(line.message.contains(KEY.substring(0, 8)), line.toString());
    }
  }

  private static void build(Analytics.Builder builder) {
    builder.shutdownHook(false).build().close();
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS), "no request within 10 s");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static TrackMessage.Builder track(String messageId) {
    return TrackMessage.builder("Logged").userId("u1").messageId(messageId);
  }
}
