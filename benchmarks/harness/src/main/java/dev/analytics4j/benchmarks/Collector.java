package dev.analytics4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * A Tracking API collector on 127.0.0.1 that accepts any path, counts what arrives and answers
 * {@code 200 {"success":true}}; it can be told to answer late or to fail with 503 for a while.
 *
 * <p>Messages are counted by their {@code "messageId"} keys rather than by parsing: both clients
 * write that key exactly once per message, and a JSON parser here would take CPU the clients under
 * test need on a 2-core machine.
 */
final class Collector implements AutoCloseable {
  private static final byte[] OK = "{\"success\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UNAVAILABLE = "{\"success\":false}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MESSAGE_ID_KEY = "\"messageId\"".getBytes(StandardCharsets.US_ASCII);

  /** Totals since the collector started; differences of two snapshots measure one run. */
  static final class Counts {
    final long messages;
    final long requests;
    final long wireBytes;
    final long jsonBytes;
    final long rejected;
    final long gzipRequests;

    Counts(long messages, long requests, long wireBytes, long jsonBytes, long rejected, long gzipRequests) {
      this.messages = messages;
      this.requests = requests;
      this.wireBytes = wireBytes;
      this.jsonBytes = jsonBytes;
      this.rejected = rejected;
      this.gzipRequests = gzipRequests;
    }

    Counts minus(Counts earlier) {
      return new Counts(messages - earlier.messages, requests - earlier.requests,
          wireBytes - earlier.wireBytes, jsonBytes - earlier.jsonBytes, rejected - earlier.rejected,
          gzipRequests - earlier.gzipRequests);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong wireBytes = new AtomicLong();
  private final AtomicLong jsonBytes = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong gzipRequests = new AtomicLong();
  /** Nanos of the first 2xx answered after the last outage ended; 0 until then. */
  private final AtomicLong firstSuccessAfterOutage = new AtomicLong();
  private volatile long delayMillis;
  private volatile boolean failing;

  Collector() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    // The default executor is the one dispatcher thread, which would serialize every request and
    // make the 50 ms slow-endpoint run measure this collector instead of the clients' concurrency.
    executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "collector");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The base URL, without a path: both clients append their own. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void delay(long millis) {
    delayMillis = millis;
  }

  void failing(boolean failing) {
    if (!failing) firstSuccessAfterOutage.set(0);
    this.failing = failing;
  }

  long firstSuccessAfterOutageNanos() {
    return firstSuccessAfterOutage.get();
  }

  Counts counts() {
    return new Counts(messages.get(), requests.get(), wireBytes.get(), jsonBytes.get(), rejected.get(),
        gzipRequests.get());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] wire = readAll(exchange.getRequestBody());
      boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      if (delayMillis > 0) sleep(delayMillis);
      if (failing) {
        rejected.incrementAndGet();
        respond(exchange, 503, UNAVAILABLE);
        return;
      }
      byte[] json = gzip ? readAll(new GZIPInputStream(new ByteArrayInputStream(wire))) : wire;
      requests.incrementAndGet();
      if (gzip) gzipRequests.incrementAndGet();
      wireBytes.addAndGet(wire.length);
      jsonBytes.addAndGet(json.length);
      messages.addAndGet(count(json, MESSAGE_ID_KEY));
      firstSuccessAfterOutage.compareAndSet(0, System.nanoTime());
      respond(exchange, 200, OK);
    } finally {
      exchange.close();
    }
  }

  private static void respond(HttpExchange exchange, int code, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    in.transferTo(out);
    return out.toByteArray();
  }

  static int count(byte[] haystack, byte[] needle) {
    int found = 0;
    outer:
    for (int i = 0, last = haystack.length - needle.length; i <= last; i++) {
      if (haystack[i] != needle[0]) continue;
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      found++;
      i += needle.length - 1;
    }
    return found;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
