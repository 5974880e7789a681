package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Transport;
import dev.analytics4j.messages.Message;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
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
   * {@code url} as a client shows it in {@code toString()} and its messages: without its query and
   * fragment (where some collectors take a token), nor {@code writeKey} should it be in the path.
   */
  public static String shownUrl(String url, String writeKey) {
    return HttpUrls.shown(url, writeKey);
  }

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
   * Encodes one line of an export (a message in its wire shape, as UTF-8) straight from its bytes,
   * without building a message or a map: the bytes are exactly those {@link #encode} gives for the
   * message the importer's parser builds from the line (the wire's fields in order, others left out,
   * whitespace dropped, strings and numbers in the encoder's form, a whole-number id as its digits,
   * the timestamp as RFC 3339 UTC milliseconds, the client's library added to the context unless the
   * line has one). Returns null for a line it is not sure of: one the parser would refuse, or build in
   * a way this does not copy, or a client with {@code BeforeSend} hooks or a default context; the
   * caller then parses the line and calls {@link #encode}, which says what is wrong.
   *
   * @param derivedId called, at most once, when the line has no messageId of its own: the id to send.
   */
  public static @Nullable EncodedLine encodeLine(Analytics client, byte[] utf8, Supplier<String> derivedId) {
    Objects.requireNonNull(client, "client == null");
    Objects.requireNonNull(utf8, "utf8 == null");
    Objects.requireNonNull(derivedId, "derivedId == null");
    return core().encodeLine(client, utf8, derivedId);
  }

  /** A line {@link #encodeLine} encoded, with what the importer counts about it. */
  public static final class EncodedLine {
    private final EncodedMessage message;
    private final @Nullable String ownMessageId;
    private final int numericIds;

    EncodedLine(EncodedMessage message, @Nullable String ownMessageId, int numericIds) {
      this.message = message;
      this.ownMessageId = ownMessageId;
      this.numericIds = numericIds;
    }

    public EncodedMessage message() {
      return message;
    }

    /** The line's own messageId; null when the message carries the derived one. */
    public @Nullable String ownMessageId() {
      return ownMessageId;
    }

    /** How many of its userId, anonymousId, groupId and previousId were whole numbers, sent as text. */
    public int numericIds() {
      return numericIds;
    }
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

    protected abstract @Nullable EncodedLine encodeLine(Analytics client, byte[] utf8, Supplier<String> derivedId);

    protected abstract boolean offer(Analytics client, EncodedMessage message);

    protected abstract Transport.Request emptyBatch(Analytics.Builder builder, Duration timeout);

    protected abstract Transport.Request batch(Analytics.Builder builder, List<EncodedMessage> messages,
        Duration timeout);
  }
}
