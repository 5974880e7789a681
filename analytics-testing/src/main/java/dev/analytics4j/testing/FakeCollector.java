package dev.analytics4j.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A Tracking API on 127.0.0.1 for integration tests: an HTTP server that answers
 * {@code POST /v1/batch} as the real API would, strictly, and records the messages it accepted. It
 * runs on the JDK's own {@code com.sun.net.httpserver} and needs no library, so it sits beside any
 * OkHttp, Kotlin or JSON library the application has, and beside the bundle.
 * Point the client under test at {@link #endpoint()} and read what arrived with {@link #received()}.
 *
 * <pre>{@code
 * try (FakeCollector collector = FakeCollector.start("test-key");
 *      Analytics analytics = Analytics.builder("test-key").endpoint(collector.endpoint()).build()) {
 *   ...
 *   analytics.flush(Duration.ofSeconds(5));
 *   collector.received().assertSent(track("Order Completed").user("u1"));
 * }
 * }</pre>
 *
 * <p>What it refuses, and how (the first rule a request breaks decides; its words are in the
 * response body and in {@link #rejections()}):
 * <ul>
 *   <li>404 for a path other than {@code /v1/batch}; 405 for a method other than POST.
 *   <li>401 without {@code Authorization: Basic base64(writeKey + ":")} for the expected key, or with
 *       a body whose {@code writeKey} is another one. The real API answers 200 to an unknown key and
 *       drops its events silently; the fake says so at once, as a test aid. An empty key gets 400, as
 *       from the real API.
 *   <li>400 when {@code Content-Type} is not {@code application/json}; for a {@code Content-Encoding}
 *       other than gzip, or a body that is not valid gzip; for a body over 500,000 bytes (uncompressed);
 *       for a body that is not UTF-8 JSON, not an object, or has no {@code batch} array; for JSON
 *       that a collector would read otherwise than it was meant (a duplicate key, a number beyond a
 *       double such as {@code 1e400}); for a missing {@code writeKey}, {@code sentAt} or
 *       {@code context.library}; for a message over 32,000 bytes; for a message carrying a field
 *       the API sets itself ({@code receivedAt}, {@code originalTimestamp}, {@code version},
 *       {@code channel}); and for a message
 *       without its required fields: a known {@code type}, a {@code messageId} of at most 100
 *       characters, a {@code timestamp}, a {@code userId} or {@code anonymousId} (an alias needs
 *       {@code userId} and {@code previousId}), a track's {@code event}, a group's {@code groupId},
 *       a {@code context.library} with its name and version, and objects for {@code traits},
 *       {@code properties}, {@code context} and {@code integrations}.
 *       {@code sentAt} and {@code timestamp} must be ISO-8601 UTC with milliseconds, as the contract
 *       says the client sends them.
 *   <li>200 and nothing recorded for a batch of more than 2,500 messages, as the real API drops them.
 * </ul>
 * Unknown keys are accepted, as the real API accepts them. A whole request is refused when one of
 * its messages breaks a rule.
 *
 * <p>Scripted answers ({@link #answerNext}, {@link #disconnectNext()}) and an outage
 * ({@link #goDown()}) come before those checks, in the order requests arrive, the way an overloaded
 * or unreachable edge answers whatever is sent.
 */
public final class FakeCollector implements Closeable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final WireContract contract;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<SentMessage> received = new ArrayList<>();
  private final List<String> rejections = new ArrayList<>();
  private final ArrayDeque<Answer> script = new ArrayDeque<>();
  private int requests;
  private boolean down;

  /** A scripted answer: a status with a body, or a connection closed without one. */
  private static final class Answer {
    static final Answer DISCONNECT = new Answer(0, null, "");

    final int status;
    final @Nullable String retryAfter;
    final String body;

    Answer(int status, @Nullable String retryAfter, String body) {
      this.status = status;
      this.retryAfter = retryAfter;
      this.body = body;
    }
  }

  private FakeCollector(String writeKey) throws IOException {
    this.contract = new WireContract(writeKey);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "analytics4j-fake-collector");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Starts a collector on 127.0.0.1, on a free port, that expects {@code writeKey}. */
  public static FakeCollector start(String writeKey) throws IOException {
    Objects.requireNonNull(writeKey, "writeKey == null");
    if (writeKey.trim().isEmpty()) throw new IllegalArgumentException("writeKey must not be blank");
    FakeCollector collector = new FakeCollector(writeKey);
    collector.server.start();
    return collector;
  }

  /** The host to pass to {@code Analytics.Builder#endpoint}: {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Answer answer = answer(exchange, body);
      if (answer == Answer.DISCONNECT) return; // closing before the headers closes the connection
      byte[] bytes = answer.body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      if (answer.retryAfter != null) exchange.getResponseHeaders().add("Retry-After", answer.retryAfter);
      exchange.sendResponseHeaders(answer.status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } finally {
      exchange.close();
    }
  }

  private Answer answer(HttpExchange exchange, byte[] body) {
    lock.lock();
    try {
      int n = ++requests;
      if (down) return Answer.DISCONNECT;
      Answer scripted = script.poll();
      if (scripted != null) return scripted;

      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
        if (!e.getValue().isEmpty()) headers.put(e.getKey(), e.getValue().get(0));
      }
      String path = exchange.getRequestURI().getRawPath();
      WireContract.Verdict verdict = contract.check(exchange.getRequestMethod(), path, headers, body);
      if (verdict.accepted()) {
        received.addAll(verdict.messages);
        arrived.signalAll();
      } else {
        rejections.add("request " + n + ": " + verdict.status + " " + verdict.problem);
      }
      return new Answer(verdict.status, null, verdict.body());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Answers the next request with {@code status}, whatever it holds, and records nothing from it:
   * 500 or 503 to test retries, 400 or 413 to test giving up.
   */
  public FakeCollector answerNext(int status) {
    return script(status, null);
  }

  /** Answers the next request with {@code status} and {@code Retry-After: retryAfter} (seconds or an HTTP date). */
  public FakeCollector answerNext(int status, String retryAfter) {
    Objects.requireNonNull(retryAfter, "retryAfter == null");
    return script(status, retryAfter);
  }

  private FakeCollector script(int status, @Nullable String retryAfter) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be in 400..599 (valid requests get 200 by themselves): " + status);
    }
    return enqueue(new Answer(status, retryAfter, WireContract.errorBody("HTTP " + status + " (scripted)")));
  }

  /** Closes the connection of the next request without answering, as a network failure does. */
  public FakeCollector disconnectNext() {
    return enqueue(Answer.DISCONNECT);
  }

  private FakeCollector enqueue(Answer answer) {
    lock.lock();
    try {
      script.add(answer);
    } finally {
      lock.unlock();
    }
    return this;
  }

  /** Closes every connection without answering, until {@link #comeBackUp()}: an outage. */
  public FakeCollector goDown() {
    return setDown(true);
  }

  /** Ends an outage {@link #goDown()} began. */
  public FakeCollector comeBackUp() {
    return setDown(false);
  }

  private FakeCollector setDown(boolean down) {
    lock.lock();
    try {
      this.down = down;
    } finally {
      lock.unlock();
    }
    return this;
  }

  /** The messages of every accepted request, in the order they arrived. */
  public SentMessages received() {
    lock.lock();
    try {
      return new SentMessages(received);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until at least {@code count} messages were accepted, for code that sends on its own
   * schedule rather than flushing, and returns them.
   *
   * @throws AssertionError when fewer arrived within {@code timeout}.
   */
  public SentMessages awaitReceived(int count, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout == null");
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (received.size() < count) {
        if (remaining <= 0) {
          SentMessages now = new SentMessages(received);
          throw new AssertionError("Expected " + Describe.messages(count) + " within " + timeout.toMillis()
              + " ms, but " + (now.size() == 0 ? "nothing arrived" : now.size() + " arrived:"
              + Describe.list(now.all(), m -> false)));
        }
        remaining = arrived.awaitNanos(remaining);
      }
      return new SentMessages(received);
    } finally {
      lock.unlock();
    }
  }

  /** Requests that arrived, whatever the answer. */
  public int requestCount() {
    lock.lock();
    try {
      return requests;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Why requests were refused (or their messages dropped), one line each in arrival order:
   * {@code request 2: 400 batch[0] (track) has no event}. Scripted answers are not listed.
   */
  public List<String> rejections() {
    lock.lock();
    try {
      return Collections.unmodifiableList(new ArrayList<>(rejections));
    } finally {
      lock.unlock();
    }
  }

  /** Asserts that no request broke the contract. */
  public FakeCollector assertNoRequestRejected() {
    List<String> rejections = rejections();
    if (!rejections.isEmpty()) {
      throw new AssertionError("Expected every request to follow the wire contract, but "
          + (rejections.size() == 1 ? "1 was" : rejections.size() + " were") + " rejected:\n  "
          + String.join("\n  ", rejections));
    }
    return this;
  }

  /** Stops the server and its threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "FakeCollector{" + endpoint() + ", requests=" + requestCount() + "}";
  }
}
