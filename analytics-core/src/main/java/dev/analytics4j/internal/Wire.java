package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. The core's wire format for other modules of analytics4j: a
 * message validated and encoded by a client's own rules, offered to that client, and the request
 * that proves an endpoint and key before any message is read. Nothing outside {@code
 * analytics-core} writes a message, a batch envelope, a timestamp or a header itself.
 *
 * <p>Encoding and offering are two steps so that a caller learns that a message is refused (and
 * why) before it hands the message over, and so that an {@link EncodedMessage} may one day come
 * from a raw JSON line validated and encoded without building maps: {@link #offer} takes any
 * encoded message, whatever produced it.
 */
public final class Wire {
  private static volatile @Nullable Core core;

  private Wire() {}

  /**
   * Makes clients built from {@code builder} keep a message's own {@code context.library} in place,
   * as the message gives it, instead of writing their own there; messages without one still get the
   * client's. For imports, whose messages were made by other libraries.
   */
  public static Analytics.Builder keepMessageLibrary(Analytics.Builder builder) {
    Objects.requireNonNull(builder, "builder == null");
    core().keepMessageLibrary(builder);
    return builder;
  }

  /**
   * Validates and serializes {@code message} by the client's rules, as {@link Analytics#offer(Message)}
   * would (its default context, its library option), without offering it. The caller's scope
   * ({@code Analytics.context()}) is not applied: the message is taken as final, as an import's
   * lines are.
   *
   * @throws IllegalArgumentException naming the field or key path of a value the wire cannot carry,
   *     or when the message is over the API's 32,000 bytes.
   * @throws IllegalStateException when the client has {@code BeforeSend} hooks, which a message
   *     encoded here would pass around.
   */
  public static EncodedMessage encode(Analytics client, Message message) {
    Objects.requireNonNull(client, "client == null");
    Objects.requireNonNull(message, "message == null");
    return core().encode(client, message);
  }

  /**
   * Offers a message encoded by {@link #encode}, as {@link Analytics#offer(Message)} does from there
   * on: accepted, or reported dropped to the callback and false.
   */
  public static boolean offer(Analytics client, EncodedMessage message) {
    Objects.requireNonNull(client, "client == null");
    Objects.requireNonNull(message, "message == null");
    return core().offer(client, message);
  }

  /**
   * The request a client built from {@code builder} would send for an empty batch: its URL, its
   * headers (uncompressed), and the envelope with a {@code sentAt} of now. An endpoint answers it
   * as it would answer the client, so a wrong host or a refused key is found before anything is sent.
   */
  public static Transport.Request emptyBatch(Analytics.Builder builder, Duration timeout) {
    Objects.requireNonNull(builder, "builder == null");
    Objects.requireNonNull(timeout, "timeout == null");
    return core().emptyBatch(builder, timeout);
  }

  /**
   * The request a client built from {@code builder} would send for a batch of exactly
   * {@code messages}, as encoded by {@link #encode}: its URL, its headers (compressed as the builder
   * says), and the envelope with a {@code sentAt} of now. For a caller that must choose a batch's
   * messages itself, as the importer does when it narrows down a batch the endpoint refused.
   *
   * @throws IllegalArgumentException when {@code messages} is empty.
   */
  public static Transport.Request batch(Analytics.Builder builder, List<EncodedMessage> messages, Duration timeout) {
    Objects.requireNonNull(builder, "builder == null");
    Objects.requireNonNull(messages, "messages == null");
    Objects.requireNonNull(timeout, "timeout == null");
    if (messages.isEmpty()) throw new IllegalArgumentException("messages is empty");
    return core().batch(builder, List.copyOf(messages), timeout);
  }

  /** Called once, by {@link Analytics} as it is initialised. */
  public static void install(Core implementation) {
    Objects.requireNonNull(implementation, "implementation == null");
    if (core != null) throw new IllegalStateException("already installed");
    core = implementation;
  }

  private static Core core() {
    Core c = core;
    // Every caller holds an Analytics or an Analytics.Builder, made by Analytics.builder(), so the
    // class that installs the implementation has been initialised.
    if (c == null) throw new IllegalStateException("dev.analytics4j.Analytics is not initialised");
    return c;
  }

  /**
   * Implemented by {@link WireCore}, which reaches the engine and, through {@link Internal}, the
   * client behind an {@code Analytics}.
   */
  public abstract static class Core {
    protected Core() {}

    protected abstract void keepMessageLibrary(Analytics.Builder builder);

    protected abstract EncodedMessage encode(Analytics client, Message message);

    protected abstract boolean offer(Analytics client, EncodedMessage message);

    protected abstract Transport.Request emptyBatch(Analytics.Builder builder, Duration timeout);

    protected abstract Transport.Request batch(Analytics.Builder builder, List<EncodedMessage> messages,
        Duration timeout);
  }
}
