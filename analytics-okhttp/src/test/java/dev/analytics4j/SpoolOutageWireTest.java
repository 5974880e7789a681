package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a spool, an outage of a real collector, through the OkHttp transport, is waited out. */
class SpoolOutageWireTest {
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path temp;
  private Analytics analytics;

  @AfterEach
  void tearDown() {
    if (analytics != null) analytics.close(Duration.ofSeconds(5));
  }

  @Test
  void aCollectorDownForFarMoreAttemptsThanMaxRetriesGetsEveryMessageOnceAndNoneFails() throws Exception {
    int failing = 40;
    CountDownLatch down = new CountDownLatch(failing);
    AtomicInteger answered = new AtomicInteger();
    Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        int n = answered.getAndIncrement();
        if (n < failing) {
          down.countDown();
          switch (n % 4) {
            case 0:
              return new MockResponse.Builder().code(503).body("unavailable").build();
            case 1:
              return new MockResponse.Builder().code(429).body("slow down").build();
            case 2:
              return new MockResponse.Builder().code(502).body("bad gateway").build();
            default:
              // The request arrived; the answer never does: the batch may have been delivered.
              return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
          }
        }
        Matcher id = MESSAGE_ID.matcher(request.getBody().utf8());
        while (id.find()) received.computeIfAbsent(id.group(1), k -> new AtomicInteger()).incrementAndGet();
        return new MockResponse.Builder().code(200).body("{\"success\":true}").build();
      }
    });
    RecordingCallback callback = new RecordingCallback();
    analytics = Analytics.builder("abc123")
        .endpoint(server.url("/").toString())
        .spool(temp.resolve("spool"))
        .callback(callback)
        .shutdownHook(false)
        .flushInterval(Duration.ofHours(1))
        .maxQueueSize(20).flushAt(10)
        .maxRetries(2).maxRetryDuration(Duration.ofMillis(10))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(4))
        .build();
    Set<String> ids = IntStream.range(0, 60).mapToObj(i -> "m" + i).collect(Collectors.toSet());
    for (String id : ids) {
      assertTrue(analytics.offer(TrackMessage.builder("Outage").userId("u1").messageId(id)));
    }

    assertTrue(down.await(30, TimeUnit.SECONDS), "the collector answered " + answered + " requests");
    FlushResult result = analytics.flush(Duration.ofSeconds(30));

    assertEquals(new FlushResult(true, 60, 0, 0).toString(), result.toString());
    assertEquals(ids, received.keySet());
    assertEquals(Set.of(1), received.values().stream().map(AtomicInteger::get).collect(Collectors.toSet()));
    // A batch whose answer was cut off may have arrived: sent again, it is deduplicated by messageId.
    assertEquals(60, callback.count("sent"));
    assertTrue(callback.duplicates.isEmpty(), callback.duplicates.toString());
    Metrics metrics = analytics.metrics();
    assertEquals(0, metrics.failed(), metrics.toString());
    assertTrue(metrics.retries() >= failing, metrics.toString());
  }
}
