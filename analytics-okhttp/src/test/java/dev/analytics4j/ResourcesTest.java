package dev.analytics4j;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.okhttp.OkHttpTransport;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** What the client holds on to: threads, heap, and its write key. */
class ResourcesTest {
  private static final String WRITE_KEY = "wk_Secret_4f1d9c7b2e";
  private static final String WRITE_KEY_BASE64 =
      Base64.getEncoder().encodeToString((WRITE_KEY + ":").getBytes(UTF_8));

  @StartStop private final MockWebServer server = new MockWebServer();

  private static TrackMessage.Builder track(String id) {
    return TrackMessage.builder("Resource Checked").userId("u1").messageId(id);
  }

  private static Set<Thread> threads() {
    return new HashSet<>(Thread.getAllStackTraces().keySet());
  }

  @Test
  void closeEndsEveryThreadTheClientAndItsOkHttpTransportStarted() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).build();
      }
    });
    Set<Thread> before = threads();
    Analytics analytics = Analytics.builder("k").endpoint(server.url("/").toString())
        .maxInFlightRequests(4).flushAt(1).shutdownHook(false).build();
    for (int i = 0; i < 40; i++) analytics.enqueue(track("t" + i));
    assertTrue(analytics.flush(Duration.ofSeconds(10)).isSuccess());
    List<String> started = new ArrayList<>();
    for (Thread thread : threads()) {
      if (!before.contains(thread) && thread.getName().startsWith("analytics4j-")) started.add(thread.getName());
    }
    assertTrue(started.stream().anyMatch(name -> name.matches("analytics4j-flusher-\\d+")), started.toString());
    assertTrue(started.stream().anyMatch(name -> name.matches("analytics4j-upload-\\d+-\\d+")), started.toString());

    analytics.close();

    List<String> alive = new ArrayList<>();
    for (Thread thread : threads()) {
      // OkHttp's TaskRunner and Okio's watchdog are shared by every client in the JVM (the test's
      // MockWebServer included) and end by themselves when idle.
      String name = thread.getName();
      boolean shared = name.startsWith("OkHttp TaskRunner") || name.equals("Okio Watchdog")
          || name.startsWith("MockWebServer");
      if (!before.contains(thread) && thread.isAlive() && !shared) {
        alive.add(thread.getName());
      }
    }
    assertEquals(List.of(), alive);
  }

  @Test
  void aDeadEndpointNeverMakesTheQueueHoldMoreThanItsByteBudget() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    Ledger ledger = new Ledger();
    long budget = 32_000; // the least the builder accepts: one message of the largest size
    Analytics analytics = Analytics.builder("k").endpoint("http://127.0.0.1:" + deadPort)
        .callback(ledger).maxQueueBytes(budget).flushAt(5).flushInterval(Duration.ofMillis(5))
        .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)).maxRetries(1000)
        .connectTimeout(Duration.ofMillis(200)).shutdownHook(false).build();
    long mostHeld = 0;
    for (int i = 0; i < 20_000; i++) {
      String id = "heap-" + i;
      if (analytics.offer(track(id))) {
        ledger.accepted.add(id);
      } else {
        ledger.refused.add(id);
      }
      long held = analytics.metrics().queuedBytes();
      mostHeld = Math.max(mostHeld, held);
      assertTrue(held <= budget, "held " + held + " bytes after message " + i);
    }
    int messageSize = analytics.metrics().queuedBytes() > 0 ? (int) (analytics.metrics().queuedBytes()
        / analytics.metrics().queuedMessages()) : 0;
    assertTrue(mostHeld > budget - 2L * messageSize, "the budget was used: " + mostHeld);
    assertTrue(ledger.refused.size() > 19_000, "most were dropped: " + ledger.refused.size());
    assertTrue(analytics.metrics().requests() > 0);

    analytics.close(Duration.ZERO);
    ledger.check(analytics.metrics(), null);
  }

  @Test
  void theWriteKeyAppearsInNoLogLineExceptionMessageOrToString() throws Exception {
    // A proxy that echoes the request's credentials in its error body is an attack on the logs.
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String body = request.getBody().utf8();
        String echo = "{\"error\":\"key " + WRITE_KEY + " rejected\",\"auth\":\""
            + request.getHeaders().get("Authorization") + "\",\"request\":" + body + "}";
        if (body.contains("reject-me")) return new MockResponse.Builder().code(401).body(echo).build();
        if (body.contains("retry-me")) return new MockResponse.Builder().code(500).body(echo).build();
        return new MockResponse.Builder().code(200).body(echo).build();
      }
    });
    List<String> texts = new ArrayList<>();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(new Tee(originalErr, captured), true, UTF_8));
    try {
      Ledger ledger = new Ledger();
      Callback callback = new Callback() {
        @Override
        public void onSuccess(EncodedMessage message) {
          ledger.onSuccess(message);
        }

        @Override
        public void onDropped(EncodedMessage message, DropReason reason) {
          ledger.onDropped(message, reason);
        }

        @Override
        public void onFailure(EncodedMessage message, Failure failure) {
          ledger.onFailure(message, failure);
          synchronized (texts) {
            texts.add(failure.toString());
            texts.add(failure.reason());
            if (failure.cause() != null) texts.add(String.valueOf(failure.cause()));
          }
          throw new IllegalStateException("callback failed for " + message);
        }
      };
      Analytics analytics = Analytics.builder(WRITE_KEY).endpoint(server.url("/").toString())
          .callback(callback).flushAt(1).maxQueueSize(3).maxRetries(1)
          .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(1)).shutdownHook(false).build();
      texts.add(analytics.toString());
      analytics.enqueue(track("reject-me"));
      analytics.enqueue(track("retry-me"));
      analytics.enqueue(track("ok-1"));
      for (int i = 0; i < 10; i++) analytics.offer(track("overflow-" + i));
      analytics.flush(Duration.ofSeconds(10));
      texts.add(analytics.metrics().toString());
      analytics.close();
      texts.add(analytics.toString());
      try {
        analytics.enqueue(track("late"));
      } catch (IllegalStateException e) {
        texts.add(e.getMessage());
      }
      OkHttpTransport transport = OkHttpTransport.create();
      texts.add(transport.toString());
      transport.close();
      assertEquals(2, ledger.count("failed"), ledger.outcomes.toString());
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(UTF_8);
    assertTrue(log.contains("A batch of 1 message failed after 1 attempt: HTTP 401 is not retryable: "
        + "{\"error\":\"key [writeKey] rejected\",\"auth\":\"Basic [writeKey]\""), log);
    texts.add(log);
    for (String text : texts) {
      assertFalse(text.contains(WRITE_KEY), "write key in: " + text);
      assertFalse(text.contains(WRITE_KEY_BASE64), "encoded write key in: " + text);
    }
  }

  /** Writes to the real stderr and to a buffer. */
  private static final class Tee extends OutputStream {
    private final PrintStream err;
    private final ByteArrayOutputStream copy;

    Tee(PrintStream err, ByteArrayOutputStream copy) {
      this.err = err;
      this.copy = copy;
    }

    @Override
    public synchronized void write(int c) {
      err.write(c);
      copy.write(c);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
      err.write(bytes, off, len);
      copy.write(bytes, off, len);
    }
  }
}
