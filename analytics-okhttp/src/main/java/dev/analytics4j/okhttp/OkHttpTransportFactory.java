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
   * Returns a transport whose client uses these timeouts (the write timeout is the read timeout;
   * zero means no timeout, as in OkHttp).
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
