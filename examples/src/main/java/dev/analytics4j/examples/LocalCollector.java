package dev.analytics4j.examples;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in for the Tracking API on 127.0.0.1, so the examples run on a machine with no account:
 * it accepts {@code POST /v1/batch}, answers {@code 200 {"success":true}}, and keeps what arrived.
 */
public final class LocalCollector implements AutoCloseable {
  private static final JsonAdapter<Map<String, Object>> JSON = new Moshi.Builder().build()
      .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  /** One request as the collector saw it. */
  public static final class Received {
    public final Map<String, String> headers;
    public final String body;

    Received(Map<String, String> headers, String body) {
      this.headers = headers;
      this.body = body;
    }

    /** The messages of the batch, decoded. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> messages() {
      try {
        return (List<Map<String, Object>>) JSON.fromJson(body).get("batch");
      } catch (IOException e) {
        throw new IllegalStateException("not a JSON batch: " + body, e);
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "local-collector");
    thread.setDaemon(true);
    return thread;
  });
  private final List<Received> received = Collections.synchronizedList(new ArrayList<>());

  private LocalCollector(HttpServer server) {
    this.server = server;
  }

  /** Starts a collector on a free port of 127.0.0.1. */
  public static LocalCollector start() throws IOException {
    // Without this the JDK server delays each small response ~40 ms (Nagle + delayed ACK).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    LocalCollector collector = new LocalCollector(server);
    server.createContext("/v1/batch", collector::handle);
    server.setExecutor(collector.executor);
    // The server's dispatcher thread takes its daemon flag from the thread that starts it. Started
    // from a daemon thread it never keeps the JVM alive, nor "mvn exec:java", which waits for every
    // non-daemon thread after main returns: a recipe whose main returns ends, and its hooks run.
    Thread starter = new Thread(server::start, "local-collector-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop(0);
      throw new java.io.InterruptedIOException("interrupted while starting the collector");
    }
    return collector;
  }

  /** The host to pass to {@code Analytics.Builder#endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public List<Received> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }

  /** Messages received so far, by type, in a stable order. */
  public Map<String, Integer> countsByType() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Received request : received()) {
      for (Map<String, Object> message : request.messages()) {
        counts.merge(String.valueOf(message.get("type")), 1, Integer::sum);
      }
    }
    return counts;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes;
      try (InputStream in = exchange.getRequestBody()) {
        bytes = in.readAllBytes();
      }
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
          bytes = in.readAllBytes();
        }
      }
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
      received.add(new Received(headers, new String(bytes, StandardCharsets.UTF_8)));
      byte[] answer = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
