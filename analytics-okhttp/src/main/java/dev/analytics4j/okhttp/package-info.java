/**
 * The default {@link dev.analytics4j.Transport}: OkHttp 5. Having this module on the class path is
 * enough; the client finds {@link dev.analytics4j.okhttp.OkHttpTransportFactory} with
 * {@link java.util.ServiceLoader}. Use {@link dev.analytics4j.okhttp.OkHttpTransport#create(okhttp3.OkHttpClient)}
 * to bring your own client (proxies, interceptors, certificate pinning).
 */
@NullMarked
package dev.analytics4j.okhttp;

import org.jspecify.annotations.NullMarked;
