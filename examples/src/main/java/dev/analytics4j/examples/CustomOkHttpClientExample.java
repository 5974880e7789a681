package dev.analytics4j.examples;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.okhttp.OkHttpTransport;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Your own OkHttpClient: an HTTP proxy, timeouts, an interceptor. The client is yours: closing the
 * analytics client cancels its own calls but never shuts your OkHttpClient down.
 *
 * <p>Locally the collector on 127.0.0.1 plays the proxy: the endpoint host
 * {@code analytics.internal.example} does not resolve, so the events can only arrive through the
 * proxy, which receives the absolute URL. With a write key set, {@code ANALYTICS_PROXY=host:port}
 * picks a real proxy (none when unset).
 */
public final class CustomOkHttpClientExample {
  private CustomOkHttpClientExample() {}

  public static void main(String[] args) throws Exception {
    try (ExampleTarget target = ExampleTarget.start()) {
      run(target);
    }
  }

  static void run(ExampleTarget target) throws Exception {
    Proxy proxy = proxy(target);
    OkHttpClient http = new OkHttpClient.Builder()
        .proxy(proxy)
        .connectTimeout(Duration.ofSeconds(3))
        .readTimeout(Duration.ofSeconds(10))
        .callTimeout(Duration.ofSeconds(15))
        .addInterceptor(chain -> {
          System.out.println("  -> " + chain.request().method() + " " + chain.request().url() + " via " + proxy);
          return chain.proceed(chain.request());
        })
        .build();

    Analytics.Builder builder = Analytics.builder(target.writeKey()).transport(OkHttpTransport.create(http));
    if (target.collector() != null) builder.endpoint("http://analytics.internal.example");
    try (Analytics analytics = builder.build()) {
      analytics.enqueue(TrackMessage.builder("Proxy Configured").userId("u1").properties(Map.of("proxy", proxy.toString())));
      FlushResult result = analytics.flush(Duration.ofSeconds(10));
      System.out.println("Flush: " + result);
    } finally {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
    LocalCollector collector = target.collector();
    if (collector != null && !collector.received().isEmpty()) {
      System.out.println("Host header the proxy saw: " + collector.received().get(0).headers.get("Host"));
    }
    target.report();
  }

  private static Proxy proxy(ExampleTarget target) {
    LocalCollector collector = target.collector();
    if (collector != null) {
      int port = Integer.parseInt(collector.endpoint().substring(collector.endpoint().lastIndexOf(':') + 1));
      return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port));
    }
    String configured = System.getenv("ANALYTICS_PROXY");
    if (configured == null || configured.trim().isEmpty()) return Proxy.NO_PROXY;
    int colon = configured.lastIndexOf(':');
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(
        configured.substring(0, colon), Integer.parseInt(configured.substring(colon + 1))));
  }
}
