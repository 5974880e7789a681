/**
 * The bundle: core and the OkHttp transport in one module, with OkHttp, Okio, Moshi and the Kotlin
 * stdlib inside it under {@code dev.analytics4j.shaded} (not exported). It has core's name, so it
 * replaces core (the two never sit together); {@code requires dev.analytics4j} is all an application
 * writes. SLF4J is optional, as in core.
 */
module dev.analytics4j {
  requires static org.slf4j;
  // The embedded OkHttp logs its own platform messages through java.util.logging.
  requires java.logging;

  exports dev.analytics4j;
  exports dev.analytics4j.messages;
  exports dev.analytics4j.okhttp;

  uses dev.analytics4j.Transport.Factory;

  provides dev.analytics4j.Transport.Factory with dev.analytics4j.okhttp.OkHttpTransportFactory;
}
