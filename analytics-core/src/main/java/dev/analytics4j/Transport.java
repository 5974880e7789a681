package dev.analytics4j;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The seam between the client and an HTTP library: send one POST, return its status.
 *
 * <p>The client calls {@link #send} from its own upload threads, several at once, and decides
 * about retries itself; an implementation must not retry. {@code analytics-okhttp} provides the
 * default implementation and registers a {@link Factory} with {@link java.util.ServiceLoader}.
 */
public interface Transport extends Closeable {

  /**
   * Sends {@code request} once and returns the response as soon as its status is known.
   *
   * <p>An implementation makes exactly one attempt: it never retries, never follows a redirect
   * (a 3xx is returned as it is, with its {@code Location}), and gives up with an {@link
   * IOException} once {@link Request#timeout()} has passed since the call started. The status line
   * decides the outcome: the body of a 2xx is not needed, and failing to read it must not turn the
   * answer into an error; the body of another answer is read only up to a small limit, for logs.
   *
   * @throws IOException on any network failure or timeout (the client retries those).
   */
  Response send(Request request) throws IOException;

  /**
   * Cancels calls still in flight and releases what this transport created. Never shuts down an
   * HTTP client the user passed in.
   */
  @Override
  default void close() {}

  /** Creates the default transport; found with {@link java.util.ServiceLoader}. */
  interface Factory {
    Transport create(Duration connectTimeout, Duration readTimeout);
  }

  /** A POST request with a complete body. */
  final class Request {
    /** The timeout of a request made without one: long enough to mean "none", short of overflow. */
    static final Duration NO_TIMEOUT = Duration.ofDays(365);

    private final String url;
    private final Map<String, String> headers;
    private final byte[] body;
    private final Duration timeout;

    /** A request with no overall deadline of its own; see {@link #Request(String, Map, byte[], Duration)}. */
    public Request(String url, Map<String, String> headers, byte[] body) {
      this(url, headers, body, NO_TIMEOUT);
    }

    /**
     * {@code headers} is copied; {@code body} is not (it is never modified after this call).
     * {@code timeout} bounds the whole call, from connecting to reading the status line.
     */
    public Request(String url, Map<String, String> headers, byte[] body, Duration timeout) {
      this.url = Objects.requireNonNull(url, "url == null");
      this.headers = Collections.unmodifiableMap(
          new LinkedHashMap<>(Objects.requireNonNull(headers, "headers == null")));
      this.body = Objects.requireNonNull(body, "body == null");
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
    }

    public String url() {
      return url;
    }

    /** Header names to values, in the order they should be sent; includes {@code Content-Type}. */
    public Map<String, String> headers() {
      return headers;
    }

    /** The request body; callers must not modify it. */
    public byte[] body() {
      return body;
    }

    /** How long the whole attempt may take: connect, write, and read up to the status line. */
    public Duration timeout() {
      return timeout;
    }

    @Override
    public String toString() {
      return "Request{url=" + url + ", bytes=" + body.length + ", timeout=" + timeout + "}";
    }
  }

  /** The parts of a response the client acts on. */
  final class Response {
    private final int code;
    private final @Nullable String retryAfter;
    private final @Nullable String location;
    private final String body;

    /** A response without a {@code Location} header. */
    public Response(int code, @Nullable String retryAfter, String body) {
      this(code, retryAfter, null, body);
    }

    /**
     * @param retryAfter the raw {@code Retry-After} header, or null when absent.
     * @param location the raw {@code Location} header (a redirect's target), or null when absent.
     * @param body the start of the response body, for logs and failure reports; empty for a 2xx.
     */
    public Response(int code, @Nullable String retryAfter, @Nullable String location, String body) {
      if (code < 100 || code > 999) throw new IllegalArgumentException("code must be in 100..999: " + code);
      this.code = code;
      this.retryAfter = retryAfter;
      this.location = location;
      this.body = Objects.requireNonNull(body, "body == null");
    }

    public int code() {
      return code;
    }

    public @Nullable String retryAfter() {
      return retryAfter;
    }

    public @Nullable String location() {
      return location;
    }

    public String body() {
      return body;
    }

    @Override
    public String toString() {
      return "Response{code=" + code + (retryAfter != null ? ", retryAfter=" + retryAfter : "") + "}";
    }
  }
}
