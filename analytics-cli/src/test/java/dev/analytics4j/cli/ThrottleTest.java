package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Transport;
import dev.analytics4j.internal.RateLimiter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** What the endpoint's answers do to the job's rate, through the importer's own OkHttp client. */
class ThrottleTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @StartStop private final MockWebServer server = new MockWebServer();

  /** A clock that moves only when the test says so. */
  private static final class FakeClock implements RateLimiter.Clock {
    long now = 1_000 * SECOND;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += nanos;
    }
  }

  private final FakeClock clock = new FakeClock();
  private final RateLimiter limiter = new RateLimiter(1000, clock);
  private final Transport transport = new Throttle(Throttle.okHttp(), limiter);

  private int send() throws Exception {
    return transport.send(new Transport.Request(server.url("/v1/batch").toString(),
        Map.of("Content-Type", "application/json"), "{\"batch\":[]}".getBytes())).code();
  }

  private static MockResponse tooMany(String header, String value) {
    return new MockResponse.Builder().code(429).setHeader(header, value).body("slow down").build();
  }

  @Test
  void a429WithXRateLimitResetAsADeltaHalvesTheRateAndPausesForIt() throws Exception {
    server.enqueue(tooMany("X-RateLimit-Reset", "7"));
    assertEquals(429, send());
    assertEquals(500, limiter.rate());
    assertEquals(7 * SECOND, limiter.pausedNanos());
  }

  @Test
  void xRateLimitResetAsEpochSecondsOrAnHttpDateIsAMoment() throws Exception {
    long epoch = Instant.now().getEpochSecond() + 40;
    server.enqueue(tooMany("X-RateLimit-Reset", Long.toString(epoch)));
    assertEquals(429, send());
    long paused = limiter.pausedNanos();
    assertTrue(paused > 35 * SECOND && paused <= 40 * SECOND, "paused " + paused);

    clock.now += 41 * SECOND;
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(20).atZone(ZoneOffset.UTC));
    server.enqueue(tooMany("X-RateLimit-Reset", date));
    assertEquals(429, send());
    paused = limiter.pausedNanos();
    assertTrue(paused > 15 * SECOND && paused <= 20 * SECOND, "paused " + paused);
    assertEquals(250, limiter.rate());
  }

  @Test
  void theLongerOfRetryAfterAndTheResetWinsAndEachIsCapped() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "12")
        .setHeader("X-RateLimit-Reset", "3").build());
    assertEquals(429, send());
    assertEquals(12 * SECOND, limiter.pausedNanos());

    clock.now += 13 * SECOND;
    server.enqueue(tooMany("X-RateLimit-Reset", "86400"));
    assertEquals(429, send());
    assertEquals(RateLimiter.MAX_PAUSE_NANOS, limiter.pausedNanos(), "a day is capped at five minutes");
  }

  @Test
  void aResetHeaderOnAGoodAnswerPausesNothingAndGoodAnswersClimbBack() throws Exception {
    server.enqueue(tooMany("Retry-After", "1"));
    assertEquals(429, send());
    assertEquals(500, limiter.rate());
    for (int i = 0; i < 6; i++) {
      clock.now += SECOND;
      server.enqueue(new MockResponse.Builder().code(200).setHeader("X-RateLimit-Reset", "60").body("{}").build());
      assertEquals(200, send());
    }
    assertEquals(0, limiter.pausedNanos());
    assertEquals(1000, limiter.rate());
    assertEquals(1, limiter.throttledCount());
  }

  @Test
  void otherAnswersLeaveTheRateAlone() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "30").build());
    server.enqueue(new MockResponse.Builder().code(400).build());
    assertEquals(503, send());
    assertEquals(400, send());
    assertEquals(1000, limiter.rate());
    assertEquals(0, limiter.pausedNanos());
  }
}
