/**
 * The default transport of {@code dev.analytics4j}: OkHttp 5, found by the client through
 * {@link java.util.ServiceLoader}, so {@code requires dev.analytics4j.okhttp} is all an application
 * on the module path writes.
 */
module dev.analytics4j.okhttp {
  requires transitive dev.analytics4j;
  // OkHttp's own descriptor requires Okio and the Kotlin stdlib transitively; its types are in our API.
  requires transitive okhttp3;
  requires static org.jspecify;

  exports dev.analytics4j.okhttp;

  provides dev.analytics4j.Transport.Factory with dev.analytics4j.okhttp.OkHttpTransportFactory;
}
