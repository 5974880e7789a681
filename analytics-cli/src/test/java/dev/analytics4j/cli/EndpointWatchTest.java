package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Driven the way the client drives its listener, on a clock the test moves. */
class EndpointWatchTest {
  private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
  private final EndpointWatch watch = new EndpointWatch(now::get);

  private void advanceMillis(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  /** One attempt of a batch of 250 that got no answer. */
  private void refused(int attempt) {
    watch.requestStart(250, attempt);
    watch.requestFailed(250, attempt, new ConnectException("Connection refused"), 1_000);
  }

  @Test
  void countsDownToTheNextRetryAndSaysWhenItIsUnderWay() {
    refused(1);
    watch.retryScheduled(250, 2, TimeUnit.MILLISECONDS.toNanos(500));
    advanceMillis(500);
    refused(2);
    watch.retryScheduled(250, 3, TimeUnit.MILLISECONDS.toNanos(900));
    advanceMillis(900);
    refused(3);
    watch.retryScheduled(250, 4, TimeUnit.MILLISECONDS.toNanos(3_600));

    EndpointWatch.State state = watch.state();
    assertEquals("connection refused, retry 3 in 4 s", state.problem);
    assertFalse(state.throttled);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(1_400), state.troubleNanos);
    assertEquals("connection refused, 3 failed attempts", state.reason);

    advanceMillis(1_000);
    assertEquals("connection refused, retry 3 in 3 s", watch.state().problem);
    advanceMillis(2_599);
    assertEquals("connection refused, retry 3 in 1 s", watch.state().problem);
    advanceMillis(1);
    assertEquals("connection refused, retry 3 in progress", watch.state().problem); // due
    watch.requestStart(250, 4);
    advanceMillis(8_000); // a slow attempt: no countdown stuck at 0
    assertEquals("connection refused, retry 3 in progress", watch.state().problem);

    watch.requestEnd(250, 4, 200, 1_000);
    assertSame(EndpointWatch.State.UP, watch.state());
  }

  @Test
  void showsTheSoonestRetryOfSeveralBatches() {
    refused(1);
    watch.retryScheduled(250, 2, TimeUnit.SECONDS.toNanos(8));
    refused(5);
    watch.retryScheduled(250, 6, TimeUnit.SECONDS.toNanos(3));

    assertEquals("connection refused, retry 5 in 3 s", watch.state().problem);
    advanceMillis(3_000);
    watch.requestStart(250, 6);
    assertEquals("connection refused, retry 1 in 5 s", watch.state().problem);
  }

  @Test
  void aRateLimitIsTroubleButNotAnOutage() {
    watch.requestStart(100, 1);
    watch.requestEnd(100, 1, 429, 1_000);
    watch.retryScheduled(100, 2, TimeUnit.SECONDS.toNanos(30));
    advanceMillis(12_300);

    EndpointWatch.State state = watch.state();
    assertEquals("HTTP 429, retry 1 in 18 s", state.problem);
    assertTrue(state.throttled);
    assertEquals(TimeUnit.MILLISECONDS.toNanos(12_300), state.troubleNanos);
    assertEquals("HTTP 429, 1 failed attempt", state.reason);

    watch.requestStart(100, 2);
    watch.requestEnd(100, 2, 429, 1_000);
    watch.retryScheduled(100, 3, TimeUnit.SECONDS.toNanos(300)); // a Retry-After of minutes
    advanceMillis(1_500);
    assertEquals("HTTP 429, retry 2 in 4:59", watch.state().problem);
    advanceMillis(240_000);
    assertEquals("HTTP 429, retry 2 in 59 s", watch.state().problem);
  }

  @Test
  void anyOtherAnswerEndsTheTroubleAndTheNextFailureStartsItAgain() {
    watch.requestStart(10, 1);
    watch.requestEnd(10, 1, 503, 1_000);
    advanceMillis(60_000);
    watch.requestStart(10, 2);
    watch.requestEnd(10, 2, 400, 1_000); // refused, but answered: the endpoint is up
    assertSame(EndpointWatch.State.UP, watch.state());

    advanceMillis(1_000);
    watch.requestStart(10, 1);
    watch.requestEnd(10, 1, 502, 1_000);
    advanceMillis(2_000);
    EndpointWatch.State state = watch.state();
    assertEquals("HTTP 502", state.problem);
    assertEquals(TimeUnit.SECONDS.toNanos(2), state.troubleNanos);
    assertEquals("HTTP 502, 1 failed attempt", state.reason);
  }

  @Test
  void aTransportThatThrowsIsNotAnOutage() {
    watch.requestStart(10, 1);
    watch.requestFailed(10, 1, new IllegalStateException("bug in a transport"), 1_000);
    assertSame(EndpointWatch.State.UP, watch.state());
  }

  @Test
  void keepsItsStateOnceTheRunStopsWatching() {
    watch.requestStart(10, 1);
    watch.requestEnd(10, 1, 503, 1_000);
    watch.retryScheduled(10, 2, TimeUnit.SECONDS.toNanos(4));
    advanceMillis(2_000);

    watch.stopWatching();
    // What the client's close cuts short says nothing about the endpoint.
    watch.requestStart(10, 2);
    watch.requestFailed(10, 2, new IOException("transport closed while sending to http://x/v1/batch"), 1_000);
    advanceMillis(5_000);

    EndpointWatch.State state = watch.state();
    assertEquals("HTTP 503", state.problem); // no countdown to a retry that will not happen
    assertEquals(TimeUnit.SECONDS.toNanos(2), state.troubleNanos);
    assertEquals("HTTP 503, 1 failed attempt", state.reason);
  }

  @Test
  void measuresHowLongTheOldestRequestHasWaitedForItsAnswer() throws Exception {
    ExecutorService uploadThread = Executors.newSingleThreadExecutor();
    try {
      assertEquals(0, watch.unansweredNanos());
      watch.requestStart(250, 1); // on this thread
      advanceMillis(2_000);
      uploadThread.submit(() -> watch.requestStart(250, 1)).get(30, TimeUnit.SECONDS);
      advanceMillis(10_000);

      assertEquals(TimeUnit.SECONDS.toNanos(12), watch.unansweredNanos());
      watch.requestEnd(250, 1, 200, 1_000);
      assertEquals(TimeUnit.SECONDS.toNanos(10), watch.unansweredNanos());
      uploadThread.submit(() -> watch.requestFailed(250, 1, new ConnectException("refused"), 1_000))
          .get(30, TimeUnit.SECONDS);
      assertEquals(0, watch.unansweredNanos());
    } finally {
      uploadThread.shutdownNow();
    }
  }

  @Test
  void describesNetworkFailuresInWordsOnOneLine() {
    assertEquals("connection refused", EndpointWatch.describe(new ConnectException("Connection refused")));
    assertEquals("network error: unexpected end of stream\\u000d\\u000d", EndpointWatch.describe(
        new IOException("unexpected end of stream\r\r")));
    assertEquals("network error (IOException)", EndpointWatch.describe(new IOException()));
    assertNull(EndpointWatch.State.UP.problem);
  }
}
