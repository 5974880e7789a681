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
   * Sends {@code request} and returns the response once its status and body have been read.
   *
   * @throws IOException on any network failure (the client retries those).
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
    private final String url;
    private final Map<String, String> headers;
    private final byte[] body;

    /** {@code headers} is copied; {@code body} is not (it is never modified after this call). */
    public Request(String url, Map<String, String> headers, byte[] body) {
      this.url = Objects.requireNonNull(url, "url == null");
      this.headers = Collections.unmodifiableMap(
          new LinkedHashMap<>(Objects.requireNonNull(headers, "headers == null")));
      this.body = Objects.requireNonNull(body, "body == null");
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

    @Override
    public String toString() {
      return "Request{url=" + url + ", bytes=" + body.length + "}";
    }
  }

  /** The parts of a response the client acts on. */
  final class Response {
    private final int code;
    private final @Nullable String retryAfter;
    private final String body;

    /**
     * @param retryAfter the raw {@code Retry-After} header, or null when absent.
     * @param body the start of the response body, for logs and failure reports.
     */
    public Response(int code, @Nullable String retryAfter, String body) {
      if (code < 100 || code > 999) throw new IllegalArgumentException("code must be in 100..999: " + code);
      this.code = code;
      this.retryAfter = retryAfter;
      this.body = Objects.requireNonNull(body, "body == null");
    }

    public int code() {
      return code;
    }

    public @Nullable String retryAfter() {
      return retryAfter;
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
