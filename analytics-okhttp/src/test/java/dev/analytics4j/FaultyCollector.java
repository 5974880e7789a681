package dev.analytics4j;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A tracking-API collector on 127.0.0.1 that answers each request as its {@link Script} says: a
 * status, or a fault at the socket level. A raw HTTP/1.1 server rather than MockWebServer, because
 * the faults must happen at exact points of the exchange (before the body, in the middle of it,
 * after it was read).
 *
 * <p>It records each messageId it <em>committed</em>: read the whole body and then either answered
 * 2xx or deliberately lost the answer ({@link Fault#ACCEPT_THEN_CLOSE}, {@link Fault#SLOW_OK}).
 * Only a lost answer can justify the client sending a committed message again.
 */
final class FaultyCollector implements Closeable {
  /** The key of the request line in a head read by {@link #readHead}; header names are lower case. */
  private static final String REQUEST_LINE = ":request-line";
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]*)\"");
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC).withLocale(Locale.US);

  enum Fault {
    OK(200), S500(500), S502(502), S503(503), S504(504), S408(408),
    /** 429 with {@code Retry-After: 1}. */
    S429_SECONDS(429),
    /** 429 with {@code Retry-After} an HTTP date two seconds ahead. */
    S429_DATE(429),
    S400(400), S413(413),
    /** Reads the request head, then closes without reading the body. */
    CLOSE_BEFORE_BODY(0),
    /** Reads half the body, then closes. */
    CLOSE_HALF_BODY(0),
    /** Reads the whole body, then closes without an answer; nothing is committed. */
    CLOSE_AFTER_BODY(0),
    /** Reads the whole body, commits it, then closes without an answer: a lost 200. */
    ACCEPT_THEN_CLOSE(200),
    /** Reads the whole body, commits it, and answers 200 only after {@code slowMillis}. */
    SLOW_OK(200),
    /** Reads the request head and then nothing for {@code slowMillis}, then closes. */
    STALL(0),
    /** A redirect to this collector's {@code /moved}: nothing is committed, and nothing may follow it. */
    S301(301), S302(302), S303(303), S307(307), S308(308),
    /** Commits, then answers 200 with a chunked body that never ends (for {@code slowMillis}). */
    OK_ENDLESS_BODY(200),
    /** Commits, then answers 200 with one chunk of body and nothing more for {@code slowMillis}. */
    OK_STALLED_BODY(200),
    /** Commits, then answers 200 with {@code Content-Encoding: gzip} and a body that is not gzip. */
    OK_GARBAGE_GZIP(200),
    /** Commits, then answers 204 with a body, which OkHttp refuses after reading the status. */
    NO_CONTENT_WITH_BODY(204),
    /**
     * Reads the whole body, commits nothing, and writes a status line and a header that never
     * ends, a byte every 50 ms, for {@code slowMillis}: no read timeout ever fires.
     */
    TRICKLE_HEADERS(0);

    final int code;

    Fault(int code) {
      this.code = code;
    }

    boolean commits() {
      return this == OK || this == ACCEPT_THEN_CLOSE || this == SLOW_OK || this == OK_ENDLESS_BODY
          || this == OK_STALLED_BODY || this == OK_GARBAGE_GZIP || this == NO_CONTENT_WITH_BODY;
    }

    boolean losesCommit() {
      return this == ACCEPT_THEN_CLOSE || this == SLOW_OK;
    }
  }

  /** Chooses the fault for request number {@code n} (0 for the first). */
  interface Script {
    Fault next(int n);
  }

  /** Faults drawn from {@code weights} with a seeded random, in request arrival order. */
  static Script random(long seed, Map<Fault, Integer> weights) {
    Random random = new Random(seed);
    List<Fault> table = new ArrayList<>();
    weights.forEach((fault, weight) -> {
      for (int i = 0; i < weight; i++) table.add(fault);
    });
    return n -> {
      synchronized (random) {
        return table.get(random.nextInt(table.size()));
      }
    };
  }

  /** Mostly 200s, every status of the contract and every socket fault at least a few times. */
  static Map<Fault, Integer> mixedWeights() {
    Map<Fault, Integer> weights = new EnumMap<>(Fault.class);
    weights.put(Fault.OK, 120);
    weights.put(Fault.S500, 6);
    weights.put(Fault.S502, 6);
    weights.put(Fault.S503, 6);
    weights.put(Fault.S504, 6);
    weights.put(Fault.S408, 4);
    weights.put(Fault.S429_SECONDS, 3);
    weights.put(Fault.S429_DATE, 3);
    weights.put(Fault.S400, 2);
    weights.put(Fault.S413, 2);
    weights.put(Fault.CLOSE_BEFORE_BODY, 5);
    weights.put(Fault.CLOSE_HALF_BODY, 5);
    weights.put(Fault.CLOSE_AFTER_BODY, 5);
    weights.put(Fault.ACCEPT_THEN_CLOSE, 5);
    weights.put(Fault.SLOW_OK, 1);
    weights.put(Fault.STALL, 1);
    weights.put(Fault.S301, 1);
    weights.put(Fault.S302, 1);
    weights.put(Fault.S303, 1);
    weights.put(Fault.S307, 1);
    weights.put(Fault.S308, 1);
    weights.put(Fault.OK_ENDLESS_BODY, 2);
    weights.put(Fault.OK_STALLED_BODY, 2);
    weights.put(Fault.OK_GARBAGE_GZIP, 2);
    weights.put(Fault.NO_CONTENT_WITH_BODY, 2);
    weights.put(Fault.TRICKLE_HEADERS, 1);
    return weights;
  }

  /** One request as the collector saw it. */
  static final class Exchange {
    final long arrivedNanos;
    final Instant arrivedAt;
    final Fault fault;
    final List<String> messageIds;
    final String retryCount;
    /** For a 429 with a date, the instant it named. */
    final Instant retryAfterDate;

    Exchange(long arrivedNanos, Instant arrivedAt, Fault fault, List<String> messageIds,
        String retryCount, Instant retryAfterDate) {
      this.arrivedNanos = arrivedNanos;
      this.arrivedAt = arrivedAt;
      this.fault = fault;
      this.messageIds = messageIds;
      this.retryCount = retryCount;
      this.retryAfterDate = retryAfterDate;
    }
  }

  private final Script script;
  private final long slowMillis;
  private final boolean keepExchanges;
  private final ServerSocket serverSocket;
  private final ExecutorService connections = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "faulty-collector");
    thread.setDaemon(true);
    return thread;
  });
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  /** Commits per messageId, and how many of them had their answer lost. */
  final Map<String, AtomicInteger> commits = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> lostCommits = new ConcurrentHashMap<>();
  /** For each messageId seen, the faults of the requests that carried it, in arrival order. */
  final Map<String, List<Fault>> history = new ConcurrentHashMap<>();
  final Map<Fault, LongAdder> faultCounts = new ConcurrentHashMap<>();
  /** Request lines other than {@code POST /v1/batch}: a followed redirect, for one. */
  final List<String> strayRequests = Collections.synchronizedList(new ArrayList<>());
  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());

  FaultyCollector(Script script, long slowMillis, boolean keepExchanges) throws IOException {
    this.script = script;
    this.slowMillis = slowMillis;
    this.keepExchanges = keepExchanges;
    this.serverSocket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "faulty-collector-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String url() {
    return "http://127.0.0.1:" + serverSocket.getLocalPort();
  }

  int requestCount() {
    return requests.get();
  }

  List<Exchange> exchanges() {
    synchronized (exchanges) {
      return new ArrayList<>(exchanges);
    }
  }

  Map<Fault, Long> faultTallies() {
    Map<Fault, Long> tallies = new EnumMap<>(Fault.class);
    faultCounts.forEach((fault, count) -> tallies.put(fault, count.sum()));
    return tallies;
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      try {
        Socket socket = serverSocket.accept();
        open.add(socket);
        connections.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // Closed.
      }
    }
  }

  private void serve(Socket socket) {
    try (Socket s = socket) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        Map<String, String> head = readHead(in);
        if (head == null) return;
        if (!exchange(head, in, out)) return;
      }
    } catch (IOException e) {
      // The client went away; its side decides what that means.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      open.remove(socket);
    }
  }

  /** Serves one request; returns whether the connection stays open. */
  private boolean exchange(Map<String, String> head, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    long arrivedNanos = System.nanoTime();
    Instant arrivedAt = Instant.now();
    int n = requests.getAndIncrement();
    Fault fault = script.next(n);
    faultCounts.computeIfAbsent(fault, f -> new LongAdder()).increment();
    int length = Integer.parseInt(head.getOrDefault("content-length", "0"));
    String requestLine = head.get(REQUEST_LINE);
    if (!"POST /v1/batch HTTP/1.1".equals(requestLine)) strayRequests.add(requestLine);

    byte[] body;
    if (fault == Fault.CLOSE_BEFORE_BODY || fault == Fault.STALL) {
      body = new byte[0];
    } else if (fault == Fault.CLOSE_HALF_BODY) {
      body = in.readNBytes(length / 2);
    } else {
      body = in.readNBytes(length);
      if (body.length < length) return false;
    }
    List<String> ids = messageIds("gzip".equals(head.get("content-encoding")) ? gunzip(body) : body);
    for (String id : ids) history.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>())).add(fault);
    if (fault.commits()) {
      for (String id : ids) {
        commits.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (fault.losesCommit()) lostCommits.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
    }
    Instant retryAfterDate = fault == Fault.S429_DATE
        ? arrivedAt.plusSeconds(2).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) : null;
    if (keepExchanges) {
      exchanges.add(new Exchange(arrivedNanos, arrivedAt, fault, ids, head.get("x-retry-count"), retryAfterDate));
    }

    switch (fault) {
      case CLOSE_BEFORE_BODY:
      case CLOSE_HALF_BODY:
      case CLOSE_AFTER_BODY:
      case ACCEPT_THEN_CLOSE:
        return false;
      case STALL:
        stopped.await(slowMillis, TimeUnit.MILLISECONDS);
        return false;
      case SLOW_OK:
        stopped.await(slowMillis, TimeUnit.MILLISECONDS);
        respond(out, 200, null, "{\"success\":true}");
        return false;
      case S429_SECONDS:
        respond(out, 429, "1", "{\"error\":\"rate limited\"}");
        return true;
      case S429_DATE:
        respond(out, 429, HTTP_DATE.format(retryAfterDate), "{\"error\":\"rate limited\"}");
        return true;
      case S301:
      case S302:
      case S303:
      case S307:
      case S308:
        write(out, "HTTP/1.1 " + fault.code + " X\r\nLocation: " + url() + "/moved\r\nContent-Length: 0\r\n\r\n");
        return true;
      case OK_ENDLESS_BODY:
        endlessBody(out);
        return false;
      case OK_STALLED_BODY:
        write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n");
        stopped.await(slowMillis, TimeUnit.MILLISECONDS);
        return false;
      case OK_GARBAGE_GZIP:
        write(out, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 16\r\n\r\n{\"success\":true}");
        return true;
      case NO_CONTENT_WITH_BODY:
        write(out, "HTTP/1.1 204 No Content\r\nContent-Length: 16\r\n\r\n{\"success\":true}");
        return false;
      case TRICKLE_HEADERS:
        trickleHeaders(out);
        return false;
      default:
        respond(out, fault.code, null, fault.code == 200 ? "{\"success\":true}" : "{\"error\":\"" + fault.code + "\"}");
        return true;
    }
  }

  private void endlessBody(OutputStream out) throws IOException {
    write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    byte[] chunk = ("2000\r\n" + "x".repeat(0x2000) + "\r\n").getBytes(ISO_8859_1);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(slowMillis);
    while (System.nanoTime() < end && stopped.getCount() > 0) out.write(chunk);
  }

  private void trickleHeaders(OutputStream out) throws IOException, InterruptedException {
    byte[] head = "HTTP/1.1 200 OK\r\nX-Trickle: ".getBytes(ISO_8859_1);
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(slowMillis);
    for (int i = 0; System.nanoTime() < end; i++) {
      out.write(i < head.length ? head[i] : 'x');
      out.flush();
      if (stopped.await(50, TimeUnit.MILLISECONDS)) return;
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(ISO_8859_1));
    out.flush();
  }

  /** Whatever part of a gzip body can be inflated: half a body still names most of its messages. */
  private static byte[] gunzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      byte[] chunk = new byte[8192];
      for (int n; (n = in.read(chunk)) > 0; ) out.write(chunk, 0, n);
    } catch (IOException truncated) {
      // Keep what was inflated.
    }
    return out.toByteArray();
  }

  private static List<String> messageIds(byte[] body) {
    List<String> ids = new ArrayList<>();
    Matcher matcher = MESSAGE_ID.matcher(new String(body, UTF_8));
    while (matcher.find()) ids.add(matcher.group(1));
    return ids;
  }

  private static void respond(OutputStream out, int code, String retryAfter, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(code).append(" X\r\n")
        .append("Content-Type: application/json\r\n")
        .append("Content-Length: ").append(bytes.length).append("\r\n");
    if (retryAfter != null) head.append("Retry-After: ").append(retryAfter).append("\r\n");
    head.append("\r\n");
    out.write(head.toString().getBytes(ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** Reads a request line and headers (names lower-cased); null at the end of the stream. */
  private static Map<String, String> readHead(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    Map<String, String> headers = new LinkedHashMap<>();
    boolean first = true;
    while (true) {
      int b = in.read();
      if (b < 0) return null;
      if (b != '\n') {
        if (b != '\r') line.write(b);
        continue;
      }
      String text = line.toString(ISO_8859_1);
      line.reset();
      if (first) {
        first = false;
        headers.put(REQUEST_LINE, text);
        continue;
      }
      if (text.isEmpty()) return headers;
      int colon = text.indexOf(':');
      headers.put(text.substring(0, colon).trim().toLowerCase(Locale.ROOT), text.substring(colon + 1).trim());
    }
  }

  @Override
  public void close() throws IOException {
    stopped.countDown();
    serverSocket.close();
    for (Socket socket : open) socket.close();
    connections.shutdownNow();
  }
}
