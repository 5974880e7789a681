package dev.analytics4j.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A Tracking API collector on 127.0.0.1: answers every {@code POST /v1/batch} with 200 and keeps
 * the bodies, so a consumer build can wait for the messages it sent and fail with what did arrive.
 */
public final class Collector implements AutoCloseable {
  private static final char[] STORE_PASSWORD = "collector".toCharArray();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "collector");
    thread.setDaemon(true);
    return thread;
  });
  private final String url;
  private final List<String> bodies = new ArrayList<>();
  private final List<String> authorizations = new ArrayList<>();

  private Collector(HttpServer server, String scheme) {
    this.server = server;
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
    this.url = scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A plain HTTP collector on an ephemeral port of 127.0.0.1. */
  public static Collector start() throws IOException {
    return new Collector(HttpServer.create(loopback(), 0), "http");
  }

  /**
   * An HTTPS collector on 127.0.0.1 with a self-signed certificate made by the JDK's keytool in
   * {@code dir}, and this JVM set to trust it (the default trust store becomes that key store), so
   * a client that trusts the platform's defaults connects with no settings of its own.
   */
  public static Collector startHttps(Path dir) throws Exception {
    Path keyStore = dir.resolve("collector.p12");
    Files.deleteIfExists(keyStore);
    Files.createDirectories(dir);
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "collector", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keyStore.toString(),
        "-storepass", new String(STORE_PASSWORD))
        .redirectErrorStream(true)
        .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, STORE_PASSWORD);
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, STORE_PASSWORD);
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(keys.getKeyManagers(), null, null);

    // Read by the JDK when it first builds its default trust managers: set before any TLS use.
    System.setProperty("javax.net.ssl.trustStore", keyStore.toString());
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    System.setProperty("javax.net.ssl.trustStorePassword", new String(STORE_PASSWORD));

    HttpsServer server = HttpsServer.create(loopback(), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
    return new Collector(server, "https");
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  /** {@code http://127.0.0.1:PORT} (or https), to pass to the client's {@code endpoint}. */
  public String url() {
    return url;
  }

  /**
   * Waits until every one of {@code messageIds} arrived in a batch, or fails after {@code timeout}
   * naming the ones missing and the bodies that did arrive.
   */
  public synchronized void awaitMessageIds(Collection<String> messageIds, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<String> missing = new ArrayList<>();
      for (String id : messageIds) {
        if (bodies.stream().noneMatch(body -> body.contains("\"messageId\":\"" + id + "\""))) {
          missing.add(id);
        }
      }
      if (missing.isEmpty()) return;
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("messages " + missing + " never reached the collector at " + url
            + "; it received " + bodies.size() + " batch(es): " + bodies);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** The Authorization headers of the batches received so far. */
  public synchronized List<String> authorizations() {
    return new ArrayList<>(authorizations);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"POST".equals(exchange.getRequestMethod())
          || !"/v1/batch".equals(exchange.getRequestURI().getPath())) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      InputStream in = exchange.getRequestBody();
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        in = new GZIPInputStream(in);
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      in.transferTo(body);
      synchronized (this) {
        bodies.add(body.toString(StandardCharsets.UTF_8));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        notifyAll();
      }
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

  @Override public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
