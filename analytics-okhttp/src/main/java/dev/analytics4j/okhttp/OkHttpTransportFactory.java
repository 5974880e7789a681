package dev.analytics4j.okhttp;

import dev.analytics4j.Transport;
import java.time.Duration;

/**
 * Makes an {@link OkHttpTransport} with its own client; registered with {@link
 * java.util.ServiceLoader} so the client finds it without wiring. To use your own {@code
 * OkHttpClient}, call {@link OkHttpTransport#create(okhttp3.OkHttpClient)} instead.
 */
public final class OkHttpTransportFactory implements Transport.Factory {
  /** Called by {@link java.util.ServiceLoader}. */
  public OkHttpTransportFactory() {}

  /**
   * Returns a transport whose client uses these timeouts (the write timeout is the read timeout).
   * Zero means no timeout, as in OkHttp; each attempt still ends at its request's deadline. A
   * positive timeout under 1 ms counts as 1 ms, never as none; one longer than OkHttp accepts
   * ({@code Integer.MAX_VALUE} ms) counts as that.
   *
   * @throws IllegalArgumentException if a timeout is negative.
   */
  @Override
  public Transport create(Duration connectTimeout, Duration readTimeout) {
    return OkHttpTransport.create(connectTimeout, readTimeout);
  }

  @Override
  public String toString() {
    return "OkHttpTransportFactory";
  }
}
