package dev.analytics4j.spark;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Tracking API collector on 127.0.0.1 for tests and the example: keeps every message of every
 * batch it accepts, and can answer 429 (with Retry-After) to its first requests.
 */
public final class TestCollector implements AutoCloseable {
  private static final JsonAdapter<Object> JSON = new Moshi.Builder().build().adapter(Object.class);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
    Thread thread = new Thread(r, "test-collector");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Map<String, Object>> messages = new ArrayList<>();
  private final List<Map<String, Object>> refusedMessages = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger refuseLeft = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile int refuseStatus = 429;
  private volatile String retryAfter = "1";
  /**
   * While not null, requests wait on it before they are read: a request held in flight. (No
   * {@code @Nullable}: analytics-spark4-tests compiles this file without jspecify.)
   */
  private volatile CountDownLatch hold;
  private final CountDownLatch held = new CountDownLatch(1);

  public TestCollector() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/v1/batch", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** The host to pass as option {@code endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The next {@code n} requests are answered 429 with {@code Retry-After: seconds}. */
  public void answerTooManyRequests(int n, int seconds) {
    refuseStatus = 429;
    retryAfter = Integer.toString(seconds);
    refuseLeft.set(n);
  }

  /** The next {@code n} requests are answered {@code status} (400, say), with no body. */
  public void refuse(int n, int status) {
    refuseStatus = status;
    refuseLeft.set(n);
  }

  /**
   * Every request from now on waits, before it is read or kept, until {@link #releaseRequests()}:
   * how a test keeps a task's delivery in flight while something else happens.
   */
  public void holdRequests() {
    hold = new CountDownLatch(1);
  }

  /** Waits until a request is being held; false when none came within {@code seconds}. */
  public boolean awaitHeldRequest(long seconds) throws InterruptedException {
    return held.await(seconds, TimeUnit.SECONDS);
  }

  /** Lets the held requests (and all later ones) through. */
  public void releaseRequests() {
    CountDownLatch latch = hold;
    hold = null;
    if (latch != null) latch.countDown();
  }

  @SuppressWarnings("unchecked")
  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      CountDownLatch latch = hold;
      if (latch != null) {
        held.countDown();
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return; // the collector is closing
        }
      }
      requests.incrementAndGet();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, Object> batch = (Map<String, Object>) JSON.fromJson(new String(body, StandardCharsets.UTF_8));
      if (refuseLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        refused.incrementAndGet();
        synchronized (messages) {
          refusedMessages.addAll((List<Map<String, Object>>) batch.get("batch"));
        }
        if (refuseStatus == 429) exchange.getResponseHeaders().set("Retry-After", retryAfter);
        exchange.sendResponseHeaders(refuseStatus, -1);
        return;
      }
      synchronized (messages) {
        messages.addAll((List<Map<String, Object>>) batch.get("batch"));
      }
      byte[] ok = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, ok.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(ok);
      }
    }
  }

  /** Every message accepted so far, duplicates included, in arrival order. */
  public List<Map<String, Object>> messages() {
    synchronized (messages) {
      return new ArrayList<>(messages);
    }
  }

  /** The messages of the requests that were refused, in arrival order. */
  public List<Map<String, Object>> refusedMessages() {
    synchronized (messages) {
      return new ArrayList<>(refusedMessages);
    }
  }

  public void clear() {
    synchronized (messages) {
      messages.clear();
      refusedMessages.clear();
    }
    requests.set(0);
    refused.set(0);
    refuseLeft.set(0);
  }

  public int requests() {
    return requests.get();
  }

  /** Requests answered with the refusal status since the last {@link #clear()}. */
  public int refused() {
    return refused.get();
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }
}
