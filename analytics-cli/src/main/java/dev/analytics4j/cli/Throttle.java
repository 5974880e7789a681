package dev.analytics4j.cli;

import dev.analytics4j.Transport;
import dev.analytics4j.internal.RateLimiter;
import dev.analytics4j.okhttp.OkHttpTransport;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The importer's transport as the job's {@link RateLimiter} sees it: every answer to every request
 * (the client's, the endpoint check's, the narrower's) tells the limiter how the endpoint copes. A
 * 429 halves the rate and pauses it for the wait the answer asks, the longer of {@code Retry-After}
 * and {@code X-RateLimit-Reset}, each capped at {@link RateLimiter#MAX_PAUSE_NANOS}; a 2xx lets the
 * rate climb back towards the ceiling.
 *
 * <p>{@link Transport.Response} carries {@code Retry-After} but no other header, so the importer's
 * own OkHttp client ({@link #okHttp()}) hands {@code X-RateLimit-Reset} over through a thread-local:
 * OkHttp runs a synchronous call's interceptors on the calling thread.
 */
final class Throttle implements Transport {
  private static final ThreadLocal<@Nullable String> RATE_LIMIT_RESET = new ThreadLocal<>();

  private final Transport delegate;
  private final RateLimiter limiter;

  Throttle(Transport delegate, RateLimiter limiter) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
    this.limiter = Objects.requireNonNull(limiter, "limiter == null");
  }

  /**
   * The importer's default transport when it paces: timeouts as before (connect 10 s, read 30 s), and the
   * {@code X-RateLimit-Reset} header of each answer kept for {@link #send}.
   */
  static Transport okHttp() {
    OkHttpClient client = new OkHttpClient.Builder()
        .connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .writeTimeout(30, TimeUnit.SECONDS)
        // As OkHttpTransport's own client: idle connections dropped before common servers drop theirs.
        .connectionPool(new ConnectionPool(5, 4, TimeUnit.SECONDS))
        .addNetworkInterceptor(chain -> {
          okhttp3.Response response = chain.proceed(chain.request());
          RATE_LIMIT_RESET.set(response.header("X-RateLimit-Reset"));
          return response;
        })
        .build();
    Transport transport = OkHttpTransport.create(client);
    return new Transport() {
      @Override
      public Response send(Request request) throws IOException {
        return transport.send(request);
      }

      @Override
      public void close() {
        transport.close();
        // OkHttpTransport leaves a client it was given running; this one is the importer's own.
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  @Override
  public Response send(Request request) throws IOException {
    RATE_LIMIT_RESET.remove();
    Response response;
    String reset;
    try {
      response = delegate.send(request);
    } finally {
      reset = RATE_LIMIT_RESET.get();
      RATE_LIMIT_RESET.remove();
    }
    int code = response.code();
    if (code == 429) {
      Instant now = Instant.now();
      limiter.throttled(Math.max(
          RateLimiter.waitNanos(response.retryAfter(), now, RateLimiter.MAX_PAUSE_NANOS),
          RateLimiter.waitNanos(reset, now, RateLimiter.MAX_PAUSE_NANOS)));
    } else if (code >= 200 && code < 300) {
      limiter.accepted();
    }
    return response;
  }

  @Override
  public void close() {
    delegate.close();
  }
}
