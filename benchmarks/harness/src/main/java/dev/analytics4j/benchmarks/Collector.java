package dev.analytics4j.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A Tracking API collector on 127.0.0.1 that accepts any path, counts what arrives and answers
 * {@code 200 {"success":true}}; it can be told to answer late or to fail with 503 for a while.
 *
 * <p>Messages are counted by their {@code "messageId"} keys (Segment's protocol) or {@code "uuid"}
 * keys (PostHog's) rather than by parsing: each client writes its key exactly once per message, and
 * a JSON parser here would take CPU the clients under test need on a 2-core machine. A GET on any
 * path answers the number of messages counted so far, for a client that reports no delivery itself.
 */
final class Collector implements AutoCloseable {
  private static final byte[] OK = "{\"success\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UNAVAILABLE = "{\"success\":false}".getBytes(StandardCharsets.US_ASCII);
  private static final ThreadLocal<byte[]> SCAN_BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);
  private static final byte[] MESSAGE_ID_KEY = "\"messageId\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] UUID_KEY = "\"uuid\"".getBytes(StandardCharsets.US_ASCII);

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

  /**
   * Posts batches shaped like the clients' (messages of about 650 bytes, some gzipped, every 8th
   * batch 250 of them) from 4 threads over kept-alive connections, and forgets their counts: the
   * collector's request, header and scan code is compiled here rather than during the first
   * client's measured run.
   *
   * @return the milliseconds spent, for the report's header
   */
  long warmUp(int requestsPerThread) throws Exception {
    long started = System.nanoTime();
    int smallBatch = 10;
    int largeBatch = 250;
    byte[] small = warmUpBody(smallBatch);
    byte[] large = warmUpBody(largeBatch);
    byte[] gzipped = gzip(small);
    Counts before = counts();
    int threads = 4;
    long posted = 0;
    ExecutorService posters = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(posters.submit(() -> {
          long messages = 0;
          for (int r = 0; r < requestsPerThread; r++) {
            boolean isLarge = r % 8 == 0;
            boolean isGzipped = r % 8 == 1;
            post(isLarge ? large : isGzipped ? gzipped : small, isGzipped);
            messages += isLarge ? largeBatch : smallBatch;
          }
          return messages;
        }));
      }
      for (Future<Long> future : done) posted += future.get();
    } finally {
      posters.shutdownNow();
    }
    if (counts().minus(before).messages != posted) {
      throw new IllegalStateException("collector warm-up: messages miscounted");
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  /** A batch of {@code messages} Tracks about as long as the workload's, with escapes and non-ASCII text. */
  private static byte[] warmUpBody(int messages) {
    StringBuilder body = new StringBuilder("{\"batch\":[");
    for (int i = 0; i < messages; i++) {
      if (i > 0) body.append(',');
      body.append("{\"type\":\"track\",\"messageId\":\"").append(UUID.randomUUID())
          .append("\",\"timestamp\":\"2026-12-06T12:00:00.000Z\",\"userId\":\"user-").append(i)
          .append("\",\"event\":\"Order Completed\",\"properties\":{\"name\":\"Trail \\\"Running\\\" Shoes\",")
          .append("\"price\":44.99,\"city\":\"Z\u00fcrich\",\"products\":[");
      for (int p = 0; p < 2; p++) {
        if (p > 0) body.append(',');
        body.append("{\"product_id\":\"p-").append(p).append("\",\"sku\":\"SKU-0000").append(p)
            .append("\",\"price\":19.5,\"quantity\":").append(p + 1).append(",\"category\":\"Footwear\"}");
      }
      body.append("],\"note\":\"").append("x".repeat(200)).append("\"},\"context\":{\"library\":")
          .append("{\"name\":\"warm-up\",\"version\":\"0\"}}}");
    }
    return body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
      out.write(bytes);
    }
    return zipped.toByteArray();
  }

  private void post(byte[] body, boolean gzip) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) new URL(url() + "/v1/batch").openConnection();
    connection.setDoOutput(true);
    connection.setFixedLengthStreamingMode(body.length);
    connection.setRequestProperty("Content-Type", "application/json");
    if (gzip) connection.setRequestProperty("Content-Encoding", "gzip");
    try (OutputStream out = connection.getOutputStream()) {
      out.write(body);
    }
    try (InputStream in = connection.getInputStream()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
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
      if (exchange.getRequestMethod().equals("GET")) {
        respond(exchange, 200, Long.toString(messages.get()).getBytes(StandardCharsets.US_ASCII));
        return;
      }
      boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
      if (failing) {
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        if (delayMillis > 0) sleep(delayMillis);
        rejected.incrementAndGet();
        respond(exchange, 503, UNAVAILABLE);
        return;
      }
      CountingInputStream wire = new CountingInputStream(exchange.getRequestBody());
      InputStream json = gzip ? new GZIPInputStream(wire, 16 * 1024) : wire;
      long[] scanned = scan(json);
      if (delayMillis > 0) sleep(delayMillis);
      requests.incrementAndGet();
      if (gzip) gzipRequests.incrementAndGet();
      wireBytes.addAndGet(wire.count);
      jsonBytes.addAndGet(scanned[1]);
      messages.addAndGet(scanned[0]);
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

  /**
   * Reads {@code json} to its end through one reused buffer and returns the number of {@code
   * "messageId"} and {@code "uuid"} keys and of bytes, without keeping the body: a collector that
   * copies every body around would take CPU from the clients measured on the same two cores.
   */
  private static long[] scan(InputStream json) throws IOException {
    byte[] buffer = SCAN_BUFFER.get();
    long found = 0;
    long bytes = 0;
    int messageId = 0;
    int uuid = 0;
    for (int read; (read = json.read(buffer)) != -1; ) {
      bytes += read;
      for (int i = 0; i < read; i++) {
        byte b = buffer[i];
        // Both keys start with a quote: outside a partial match, only a quote can start one. Most
        // bytes take this one test, so the collector leaves the clients more of the two cores.
        if (messageId == 0 && uuid == 0 && b != '"') continue;
        messageId = advance(MESSAGE_ID_KEY, messageId, b);
        if (messageId == MESSAGE_ID_KEY.length) {
          found++;
          messageId = 0;
        }
        uuid = advance(UUID_KEY, uuid, b);
        if (uuid == UUID_KEY.length) {
          found++;
          uuid = 0;
        }
      }
    }
    return new long[] {found, bytes};
  }

  /** How much of {@code key} is matched after {@code b}, with {@code matched} bytes matched before it. */
  private static int advance(byte[] key, int matched, byte b) {
    if (b == key[matched]) return matched + 1;
    // The key's only quote that can start a new match is its first byte.
    return b == key[0] ? 1 : 0;
  }

  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) count++;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) count += n;
      return n;
    }
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
