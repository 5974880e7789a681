package dev.analytics4j.okhttp;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.analytics4j.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * A {@link Transport} that sends with OkHttp, synchronously on the calling thread.
 *
 * <p>{@link #create()} builds a client this transport owns and releases on {@link #close()}.
 * {@link #create(OkHttpClient)} uses yours as it is (proxies, timeouts, interceptors, certificate
 * pinning); {@link #close()} then cancels only the calls this transport started and never shuts
 * your client down.
 */
public final class OkHttpTransport implements Transport {
  /** How much of a response body is kept for logs and failure reports. */
  static final int MAX_BODY_BYTES = 1024;

  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);

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
   * no redirects.
   */
  public static OkHttpTransport create() {
    return create(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  /**
   * Returns a transport that sends with {@code client} and never shuts it down. The client's own
   * settings apply unchanged, including whether it follows redirects and recovers from connection
   * failures.
   */
  public static OkHttpTransport create(OkHttpClient client) {
    Objects.requireNonNull(client, "client == null");
    return new OkHttpTransport(client, false);
  }

  /** A transport with its own client; the write timeout is the read timeout. */
  static OkHttpTransport create(Duration connectTimeout, Duration readTimeout) {
    checkTimeout(connectTimeout, "connectTimeout");
    checkTimeout(readTimeout, "readTimeout");
    OkHttpClient client = new OkHttpClient.Builder()
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout)
        .writeTimeout(readTimeout)
        // The client decides about retries (status codes, backoff, Retry-After, X-Retry-Count), but
        // a connection the server closed while it sat idle in the pool is not a failed attempt: the
        // request never reached the server. With this off, each such stale connection surfaces as
        // an IOException that costs a counted retry and a backoff, routinely so with collectors
        // whose keep-alive is shorter than the flush interval (Node's default is 5 s; OkHttp only
        // probes connections idle for 10 s or more). With it on, OkHttp replays the request once on
        // a fresh connection, and only after a failure on a reused connection: a failure on a fresh
        // connection, a timeout after the request was sent, a TLS or protocol error, or any HTTP
        // status still reaches the client. The one status it replays itself is 408 (once, and not
        // when Retry-After asks for a delay). A replay can deliver a batch twice; Segment
        // deduplicates by messageId, so that is harmless.
        .retryOnConnectionFailure(true)
        // OkHttp turns a POST into a GET on 301, 302 and 303 and drops Authorization across hosts:
        // the batch would be lost, maybe with a 2xx. A 3xx goes to the client as a status instead.
        .followRedirects(false)
        .followSslRedirects(false)
        // A batch is one large write; with Nagle's algorithm on, its tail can wait on a delayed ACK.
        .socketFactory(new NoDelaySocketFactory())
        .build();
    return new OkHttpTransport(client, true);
  }

  private static void checkTimeout(Duration timeout, String name) {
    Objects.requireNonNull(timeout, name + " == null");
    if (timeout.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + timeout);
  }

  /**
   * POSTs {@code request.body()} to {@code request.url()} with {@code request.headers()} as given
   * (values trimmed). OkHttp adds only {@code Host}, {@code Content-Length}, {@code Connection} and
   * {@code Accept-Encoding: gzip} (it decompresses the response itself).
   *
   * @throws IOException on a network failure, or if {@link #close()} cancelled the call.
   * @throws IllegalArgumentException if the URL is not an http or https URL, or a header is invalid.
   * @throws IllegalStateException if this transport is closed.
   */
  @Override
  public Transport.Response send(Transport.Request request) throws IOException {
    Objects.requireNonNull(request, "request == null");
    if (closed.get()) throw new IllegalStateException("transport closed");
    Call call = client.newCall(toOkHttp(request));
    inFlight.add(call);
    try {
      // close() may have run between the check above and add(), without seeing this call.
      if (closed.get()) throw new IllegalStateException("transport closed");
      try (okhttp3.Response response = call.execute()) {
        return new Transport.Response(
            response.code(), response.header("Retry-After"), readPrefix(response.body()));
      } catch (IOException e) {
        if (call.isCanceled() && closed.get()) {
          throw new IOException("transport closed while sending to " + request.url(), e);
        }
        throw e;
      }
    } finally {
      inFlight.remove(call);
    }
  }

  private static okhttp3.Request toOkHttp(Transport.Request request) {
    HttpUrl url = HttpUrl.parse(request.url());
    if (url == null) {
      throw new IllegalArgumentException("url must be an http or https URL: " + request.url());
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
        .post(RequestBody.create(request.body(), mediaType))
        .build();
  }

  /** Reads at most {@link #MAX_BODY_BYTES}; closing the response discards the rest. */
  private static String readPrefix(ResponseBody body) throws IOException {
    BufferedSource source = body.source();
    source.request(MAX_BODY_BYTES);
    long size = Math.min(source.getBuffer().size(), MAX_BODY_BYTES);
    return source.readString(size, UTF_8);
  }

  /**
   * Cancels the calls this transport has in flight (their {@link #send} throws an {@link
   * IOException}) and, if this transport created its client, releases the client's threads and
   * pooled connections. Idempotent.
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
}
