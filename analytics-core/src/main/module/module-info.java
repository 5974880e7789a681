/**
 * The analytics4j client: {@link dev.analytics4j.Analytics} and the messages it sends. The OkHttp
 * transport ({@code dev.analytics4j.okhttp}) is found through {@link java.util.ServiceLoader}; the
 * bundle has this module's name too, and replaces it with the transport inside.
 *
 * <p>SLF4J is optional ({@code requires static}): with {@code org.slf4j} in the module graph the
 * client logs there, else through {@link java.lang.System.Logger}.
 */
module dev.analytics4j {
  requires com.squareup.moshi;
  requires okio;
  // Moshi and Okio are written in Kotlin; as automatic modules they cannot say so themselves.
  requires kotlin.stdlib;
  requires static org.jspecify;
  requires static org.slf4j;

  exports dev.analytics4j;
  exports dev.analytics4j.messages;

  uses dev.analytics4j.Transport.Factory;
}
