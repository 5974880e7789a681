package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** What {@link Wire} gives other modules of analytics4j, and the request headers every client sends. */
public final class WireCore extends Wire.Core {
  /** The headers of every request: JSON, the write key as Basic auth, the user agent, and gzip when on. */
  static Map<String, String> requestHeaders(String writeKey, @Nullable String userAgent, boolean gzip) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", "Basic " + Base64.getEncoder()
        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
    headers.put("User-Agent", userAgent != null ? userAgent : Analytics.LIBRARY_NAME + "/" + Analytics.VERSION);
    if (gzip) headers.put("Content-Encoding", "gzip");
    return headers;
  }

  @Override
  protected void keepMessageLibrary(Analytics.Builder builder) {
    Internal.get().settings(builder).keepMessageLibrary = true;
  }

  @Override
  protected EncodedMessage encode(Analytics client, Message message) {
    if (Internal.get().pipeline(client).hasHooks()) {
      throw new IllegalStateException("this client has BeforeSend hooks, which Wire.encode would pass around");
    }
    return Internal.get().pipeline(client).encode(message);
  }

  @Override
  protected Wire.@Nullable EncodedLine encodeLine(Analytics client, byte[] utf8, Supplier<String> derivedId) {
    MessageEncoder encoder = Internal.get().pipeline(client).plainEncoder();
    if (encoder == null) return null; // hooks or a default context: only the message's path applies them
    return LineEncoder.PER_THREAD.get().encode(encoder, utf8, derivedId);
  }

  @Override
  protected boolean offer(Analytics client, EncodedMessage message) {
    return Internal.get().pipeline(client).offer(message);
  }

  @Override
  protected Transport.Request emptyBatch(Analytics.Builder builder, Duration timeout) {
    Settings settings = Internal.get().settings(builder);
    MessageEncoder encoder = new MessageEncoder(settings.writeKey, Analytics.LIBRARY_NAME, Analytics.VERSION);
    return new Transport.Request(settings.url(), requestHeaders(settings.writeKey, settings.userAgent, false),
        encoder.batchBody(Collections.emptyList(), Instant.now()), timeout);
  }

  @Override
  protected Transport.Request batch(Analytics.Builder builder, List<EncodedMessage> messages, Duration timeout) {
    Settings settings = Internal.get().settings(builder);
    MessageEncoder encoder = new MessageEncoder(settings.writeKey, Analytics.LIBRARY_NAME, Analytics.VERSION);
    byte[] body = encoder.batchBody(messages, Instant.now());
    return new Transport.Request(settings.url(), requestHeaders(settings.writeKey, settings.userAgent, settings.gzip),
        settings.gzip ? Uploader.gzip(body) : body, timeout);
  }
}
