package dev.analytics4j.okhttp;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.NANOSECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

import dev.analytics4j.Transport;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSink;
import okio.BufferedSource;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Transport} that sends with OkHttp, synchronously on the calling thread, one attempt per
 * {@link #send}.
 *
 * <p>{@link #create()} builds a client this transport owns and releases on {@link #close()}.
 * {@link #create(OkHttpClient)} sends through yours (proxies, timeouts, interceptors, certificate
 * pinning, event listeners) with three settings forced off, because the client owns every retry and
 * never lets a batch wander: following redirects, following redirects between http and https, and
 * retrying on connection failure. {@link #close()} then cancels only the calls this transport
 * started and never shuts your client down.
 */
public final class OkHttpTransport implements Transport {
  /** How much of a response body is kept for logs and failure reports. */
  static final int MAX_BODY_BYTES = 1024;

  /** How long reading the start of an error body may take, at most (the call's deadline may cut it shorter). */
  static final long MAX_BODY_READ_MILLIS = 1000;

  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

  /**
   * How long an owned client keeps an idle connection: under the 5 s after which Node, Apache and
   * uvicorn close an idle keep-alive connection, with a second to spare for a late pool cleanup.
   */
  static final long KEEP_ALIVE_SECONDS = 4;

  /** The longest timeout OkHttp takes: its builders refuse more than {@code Integer.MAX_VALUE} ms. */
  static final Duration MAX_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private OkHttpTransport(OkHttpClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  /**
   * Returns a transport with its own client: connect timeout 10 s, read and write timeouts 20 s,
   * idle connections kept 4 s, no redirects, no retries.
   *
   * @return a new transport, which shuts its client down on {@link #close()}
   */
  public static OkHttpTransport create() {
    return create(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  /**
   * Returns a transport that sends with a client derived from {@code client} (sharing its
   * connection pool, dispatcher and interceptors, with its timeouts) and never shuts it down.
   *
   * <p>The derived client never follows a redirect (a 3xx is returned with its {@code Location}),
   * and OkHttp never sends a batch twice on its own: not after a connection failure, not on a 408,
   * not on a 503 with {@code Retry-After: 0}. To guarantee the last two, the request body is
   * one-shot, so an {@code HttpLoggingInterceptor} logs "(one-shot body omitted)" instead of the
   * batch. An interceptor of yours that calls {@code proceed} twice still makes two requests. Your
   * {@code EventListener} keeps receiving every event; a {@code callTimeout} of yours applies when
   * it is shorter than the attempt's deadline. {@code client} itself is not changed.
   *
   * @param client the application's client, whose pool, dispatcher and interceptors are shared
   * @return a new transport, which leaves {@code client} running on {@link #close()}
   */
  public static OkHttpTransport create(OkHttpClient client) {
    Objects.requireNonNull(client, "client == null");
    return new OkHttpTransport(oneAttempt(client.newBuilder(), client.eventListenerFactory()).build(), false);
  }

  /**
   * A transport with its own client; the write timeout is the read timeout. Zero means no timeout,
   * as in OkHttp (each attempt still has its {@link Transport.Request#timeout() deadline}); a
   * positive timeout under 1 ms counts as 1 ms, and one over {@code Integer.MAX_VALUE} ms as that.
   */
  static OkHttpTransport create(Duration connectTimeout, Duration readTimeout) {
    long connectMillis = timeoutMillis(connectTimeout, "connectTimeout");
    long readMillis = timeoutMillis(readTimeout, "readTimeout");
    OkHttpClient.Builder builder = new OkHttpClient.Builder()
        .connectTimeout(connectMillis, MILLISECONDS)
        .readTimeout(readMillis, MILLISECONDS)
        .writeTimeout(readMillis, MILLISECONDS)
        // With OkHttp's retries off (oneAttempt), a pooled connection the server closed while it
        // sat idle fails the attempt instead of being replayed on a fresh connection, and costs a
        // counted retry and a backoff: the price of every request on the wire being one the client
        // counted, with the X-Retry-Count it set. So idle connections are dropped before common
        // servers drop theirs (Node, Apache and uvicorn after 5 s; OkHttp's default keeps them 5
        // minutes and probes one only after 10 s idle). Under load connections stay busy and are
        // reused; between sparse flushes a new one costs a handshake every few seconds at most.
        .connectionPool(new ConnectionPool(5, KEEP_ALIVE_SECONDS, SECONDS))
        // A batch is one large write; with Nagle's algorithm on, its tail can wait on a delayed ACK.
        .socketFactory(new NoDelaySocketFactory());
    return new OkHttpTransport(oneAttempt(builder, call -> EventListener.NONE).build(), true);
  }

  /**
   * Makes a client send each batch exactly once. OkHttp's RetryAndFollowUpInterceptor (5.3.2)
   * otherwise re-sends on its own: after a connection failure and on a 408 (both guarded by
   * retryOnConnectionFailure and by the body being one-shot), on a 503 with {@code Retry-After: 0},
   * a 421 on a coalesced connection and an authenticator's answer to a 401 or 407 (guarded only by
   * the body being one-shot), and on a redirect: a 301, 302 or 303 as a body-less GET whose 2xx
   * would report the batch delivered, a 307 or 308 re-posting the batch, write key included, to
   * wherever Location points. Turning retryOnConnectionFailure off also gives up OkHttp's retry of
   * a failed TLS handshake with a fallback connection spec, and of a request an HTTP/2 connection
   * shut down before sending; neither had reached the server, and the client retries both.
   */
  private static OkHttpClient.Builder oneAttempt(
      OkHttpClient.Builder builder, EventListener.Factory theirs) {
    return builder
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .eventListenerFactory(call -> {
          EventListener listener = theirs.create(call);
          Attempt attempt = call.request().tag(Attempt.class);
          // Ours first, so a listener of theirs that throws cannot hide the status.
          return attempt != null ? attempt.plus(listener) : listener;
        });
  }

  private static long timeoutMillis(Duration timeout, String name) {
    Objects.requireNonNull(timeout, name + " == null");
    if (timeout.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + timeout);
    if (timeout.compareTo(MAX_TIMEOUT) >= 0) return MAX_TIMEOUT.toMillis();
    long millis = timeout.toMillis();
    // OkHttp would read a sub-millisecond timeout as 0, which means none at all.
    return Duration.ofMillis(millis).equals(timeout) ? millis : millis + 1;
  }

  /**
   * POSTs {@code request.body()} to {@code request.url()} with {@code request.headers()} as given
   * (values trimmed), and gives up once {@code request.timeout()} has passed (or the client's own
   * call timeout, if shorter). OkHttp adds only {@code Host}, {@code Content-Length}, {@code
   * Connection} and {@code Accept-Encoding: gzip} (it decompresses the response itself).
   *
   * <p>The status line decides: once it has arrived, the answer is returned even if what follows
   * fails (a 204 with a body, an unreadable or endless body, the deadline passing). The body of a
   * 2xx is never read; of any other body, the first {@link #MAX_BODY_BYTES} are kept, or as many as
   * arrive within a second.
   *
   * @throws IOException on a network failure or timeout before the status line, or if {@link
   *     #close()} cancelled the call before it.
   * @throws IllegalArgumentException if the URL is not an http or https URL, or a header is invalid.
   * @throws IllegalStateException if this transport is closed.
   */
  @Override
  public Transport.Response send(Transport.Request request) throws IOException {
    Objects.requireNonNull(request, "request == null");
    if (closed.get()) throw new IllegalStateException("transport closed");
    Attempt attempt = new Attempt();
    Call call = client.newCall(toOkHttp(request, attempt));
    call.timeout().timeout(deadlineNanos(request.timeout(), client.callTimeoutMillis()), NANOSECONDS);
    inFlight.add(call);
    try {
      // close() may have run between the check above and add(), without seeing this call.
      if (closed.get()) throw new IllegalStateException("transport closed");
      okhttp3.Response response;
      try {
        response = call.execute();
      } catch (IOException e) {
        okhttp3.Response answered = attempt.answered;
        if (answered != null) return toTransport(answered, "", request);
        if (call.isCanceled() && closed.get()) {
          throw new IOException("transport closed while sending to " + shown(request.url()), e);
        }
        throw e;
      }
      try (response) {
        String body = response.isSuccessful() ? "" : readPrefix(response.body());
        return toTransport(response, body, request);
      }
    } finally {
      inFlight.remove(call);
    }
  }

  /** The attempt's deadline, within what OkHttp's timeouts can hold and the client's own call timeout. */
  static long deadlineNanos(Duration timeout, int clientCallTimeoutMillis) {
    long nanos = timeout.compareTo(MAX_TIMEOUT) >= 0 ? MAX_TIMEOUT.toNanos() : timeout.toNanos();
    if (clientCallTimeoutMillis > 0) nanos = Math.min(nanos, MILLISECONDS.toNanos(clientCallTimeoutMillis));
    // Zero would mean no deadline; a Request's timeout is positive, so keep it so.
    return Math.max(nanos, 1);
  }

  private static Transport.Response toTransport(
      okhttp3.Response response, String body, Transport.Request request) throws ProtocolException {
    int code = response.code();
    // OkHttp accepts any three digits; a code under 100 is no HTTP status.
    if (code < 100) {
      throw new ProtocolException("Unexpected status code " + code + " from " + shown(request.url()));
    }
    return new Transport.Response(code, response.header("Retry-After"), response.header("Location"), body);
  }

  /**
   * {@code url} for a message, which may end up in a log: its scheme, host, port and path, without
   * the userinfo, query and fragment, where a collector's token or a password may be (the client
   * keeps an upload URL's query).
   */
  static String shown(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed != null) {
      return parsed.newBuilder().username("").password("").query(null).fragment(null).build().toString();
    }
    int end = url.length();
    int query = url.indexOf('?');
    if (query >= 0) end = query;
    int fragment = url.indexOf('#');
    if (fragment >= 0 && fragment < end) end = fragment;
    String text = url.substring(0, end);
    int scheme = text.indexOf("://");
    int authority = scheme < 0 ? 0 : scheme + 3;
    int path = text.indexOf('/', authority);
    int at = text.lastIndexOf('@', (path < 0 ? text.length() : path) - 1);
    return at >= authority ? text.substring(0, authority) + text.substring(at + 1) : text;
  }

  private static okhttp3.Request toOkHttp(Transport.Request request, Attempt attempt) {
    HttpUrl url = HttpUrl.parse(request.url());
    if (url == null) {
      throw new IllegalArgumentException("url must be an http or https URL: " + shown(request.url()));
    }
    // Headers.of validates names and values; its messages leave out Authorization's value.
    Headers headers = Headers.of(request.headers());
    // OkHttp writes the body's media type as the Content-Type header, so the body carries the one
    // the caller gave, verbatim (MediaType.toString() is the original string, no charset added).
    String contentType = headers.get("Content-Type");
    MediaType mediaType = contentType != null ? MediaType.parse(contentType) : null;
    return new okhttp3.Request.Builder()
        .url(url)
        .headers(headers)
        .post(new OneShotBody(request.body(), mediaType))
        .tag(Attempt.class, attempt)
        .build();
  }

  /**
   * Reads at most {@link #MAX_BODY_BYTES} within {@link #MAX_BODY_READ_MILLIS} and keeps what
   * arrived if reading fails (a stalled, broken or undecodable body); closing the response
   * discards the rest.
   */
  private static String readPrefix(ResponseBody body) {
    BufferedSource source = body.source();
    Buffer buffer = source.getBuffer();
    try {
      source.timeout().deadline(MAX_BODY_READ_MILLIS, MILLISECONDS);
      source.request(MAX_BODY_BYTES);
    } catch (IOException | RuntimeException e) {
      // The body is for logs only; the status already decided.
    }
    return buffer.snapshot((int) Math.min(buffer.size(), MAX_BODY_BYTES)).utf8();
  }

  /**
   * Cancels the calls this transport has in flight (their {@link #send} throws an {@link
   * IOException} unless their status line had arrived) and, if this transport created its client,
   * releases the client's threads and pooled connections. Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) return;
    for (Call call : inFlight) {
      call.cancel();
    }
    if (ownsClient) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String toString() {
    return "OkHttpTransport{client=" + (ownsClient ? "owned" : "caller's")
        + ", connectTimeout=" + client.connectTimeoutMillis() + "ms"
        + ", readTimeout=" + client.readTimeoutMillis() + "ms"
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  /**
   * The batch, written at most once: OkHttp replays no request whose body is one-shot, whatever
   * the client's settings (RetryAndFollowUpInterceptor checks isOneShot before every follow-up).
   */
  private static final class OneShotBody extends RequestBody {
    private final byte[] bytes;
    private final @Nullable MediaType contentType;

    OneShotBody(byte[] bytes, @Nullable MediaType contentType) {
      this.bytes = bytes;
      this.contentType = contentType;
    }

    @Override
    public @Nullable MediaType contentType() {
      return contentType;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(bytes);
    }

    @Override
    public boolean isOneShot() {
      return true;
    }
  }

  /**
   * Remembers the response headers of a call's exchange: OkHttp can fail a call after the status
   * line arrived (a 204 or 205 with a Content-Length, the deadline passing in an interceptor that
   * reads the body), and the status decides.
   */
  private static final class Attempt extends EventListener {
    volatile okhttp3.@Nullable Response answered;

    @Override
    public void requestHeadersStart(Call call) {
      answered = null;
    }

    @Override
    public void responseHeadersEnd(Call call, okhttp3.Response response) {
      answered = response;
    }
  }
}
