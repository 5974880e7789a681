package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import dev.analytics4j.internal.MessagesBridge;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A validated, immutable Tracking API message. Build one with the builder of its type, for example
 * {@link TrackMessage#builder(String)}.
 *
 * <p>Values of {@code context}, {@code integrations}, traits and properties are checked for JSON
 * compatibility when the message is enqueued, where an error names the offending key path.
 */
public abstract class Message {
  /** The earliest {@code timestamp} the wire can carry: 0000-01-01T00:00:00Z. */
  static final Instant MIN_TIMESTAMP = Instant.parse("0000-01-01T00:00:00Z");
  /** The latest {@code timestamp} the wire can carry, to the nanosecond: 9999-12-31T23:59:59.999999999Z. */
  static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /** The largest {@code messageId} the API accepts. */
  public static final int MAX_MESSAGE_ID_LENGTH = 100;

  static {
    MessagesBridge.install(new Bridge());
  }

  /** The message types of the Tracking API. */
  public enum Type {
    IDENTIFY("identify"),
    TRACK("track"),
    PAGE("page"),
    SCREEN("screen"),
    GROUP("group"),
    ALIAS("alias");

    private final String wireName;

    Type(String wireName) {
      this.wireName = wireName;
    }

    /** The value of the {@code type} field on the wire. */
    public String wireName() {
      return wireName;
    }
  }

  private final Type type;
  private final String messageId;
  private final Instant timestamp;
  private final @Nullable String userId;
  private final @Nullable String anonymousId;
  private final Map<String, @Nullable Object> context;
  private final Map<String, Object> integrations;

  /** From {@code builder}, with the user it names or, when built in a scope, the scope's. */
  Message(Type type, Builder<?, ?> builder, @Nullable String userId, @Nullable String anonymousId) {
    this.type = type;
    this.messageId = builder.messageId != null ? builder.messageId : randomMessageId();
    this.timestamp = builder.timestamp != null ? builder.timestamp : Instant.now();
    this.userId = userId;
    this.anonymousId = anonymousId;
    this.context = FrozenMap.unmodifiable(builder.context);
    this.integrations = FrozenMap.unmodifiable(builder.integrations);
  }

  /**
   * {@code original}'s type, messageId and timestamp with these fields, checked by the caller
   * ({@code Bridge.rebuild}): the engine's copy of a message with a scope's values and the hooks'
   * changes. Its maps are taken as they are, unwrapped: such a message never leaves the engine.
   */
  Message(Message original, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    this.type = original.type;
    this.messageId = original.messageId;
    this.timestamp = original.timestamp;
    this.userId = userId;
    this.anonymousId = anonymousId;
    this.context = context;
    this.integrations = integrations;
  }

  public final Type type() {
    return type;
  }

  public final String messageId() {
    return messageId;
  }

  /** When the event happened; sent with millisecond precision. */
  public final Instant timestamp() {
    return timestamp;
  }

  public final @Nullable String userId() {
    return userId;
  }

  public final @Nullable String anonymousId() {
    return anonymousId;
  }

  /** The caller's context; the client adds {@code library} when it encodes the message. */
  public final Map<String, @Nullable Object> context() {
    return context;
  }

  /** Destination name to {@code true}, {@code false} or an options map. */
  public final Map<String, Object> integrations() {
    return integrations;
  }

  /** The field that tells messages of this type apart, such as {@code event=Order Completed}. */
  @Nullable String keyField() {
    return null;
  }

  @Override
  public final String toString() {
    String keyField = keyField();
    return getClass().getSimpleName()
        + "{" + (keyField != null ? keyField + ", " : "")
        + "messageId=" + messageId
        + ", timestamp=" + timestamp
        + (userId != null ? ", userId=" + userId : "")
        + (anonymousId != null ? ", anonymousId=" + anonymousId : "")
        + "}";
  }

  /**
   * A random version 4 UUID, written as {@link UUID#toString()} writes it. A messageId is a
   * deduplication key: it must not repeat, but nothing is gained by making it unguessable, and
   * {@link UUID#randomUUID()} draws from SecureRandom, which serializes every enqueuing thread on one
   * lock and costs microseconds per call. Each thread's ThreadLocalRandom walks a 2^64-long sequence
   * from its own random seed, so ids repeat neither within a thread nor, in practice, across them.
   */
  static String randomMessageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long mostSignificant = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long leastSignificant = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L; // IETF variant
    return new UUID(mostSignificant, leastSignificant).toString();
  }

  /** A frozen copy of {@code integrations}, each entry checked: destination name to Boolean or options map. */
  static Map<String, Object> checkedIntegrations(Map<String, ?> integrations) {
    Map<String, Object> copy = copy(integrations, "integrations");
    for (Map.Entry<String, Object> e : copy.entrySet()) {
      Builder.checkIntegration(e.getKey(), e.getValue());
    }
    return copy;
  }

  static void validateUser(@Nullable String userId, @Nullable String anonymousId) {
    if (userId == null && anonymousId == null) {
      throw new IllegalArgumentException("either userId or anonymousId must be set");
    }
  }

  static String requireNonBlank(@Nullable String value, String name) {
    // Not requireNonNull(value, name + " == null"): that builds the message for every field of every message.
    if (value == null) throw new NullPointerException(name + " == null");
    if (isBlank(value)) throw new IllegalArgumentException(name + " must not be blank");
    return value;
  }

  static boolean isBlank(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (!Character.isWhitespace(s.charAt(i))) return false;
    }
    return true;
  }

  /**
   * Copies {@code map} once, in its order; the copy never changes, so built messages share it. A
   * {@link FrozenMap}: a fraction of a LinkedHashMap's size, walked by the encoder without an iterator.
   */
  static <V> Map<String, V> copy(Map<String, ? extends V> map, String name) {
    if (map == null) throw new NullPointerException(name + " == null");
    return FrozenMap.copyOf(map);
  }

  /**
   * The setters every message type shares. A builder may be reused: {@link #build()} never changes
   * it, and each call generates a new {@code messageId} unless one was set.
   */
  // Cloneable stays: it is in the published API, though the engine no longer clones a builder.
  public abstract static class Builder<M extends Message, B extends Builder<M, B>> implements Cloneable {
    @Nullable String messageId;
    @Nullable Instant timestamp;
    @Nullable String userId;
    @Nullable String anonymousId;
    Map<String, @Nullable Object> context = Collections.emptyMap();
    Map<String, Object> integrations = Collections.emptyMap();

    Builder() {}

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }

    /** The known user; at least one of {@code userId} and {@code anonymousId} is required. */
    public B userId(String userId) {
      this.userId = requireNonBlank(userId, "userId");
      return self();
    }

    /** A stable id for a user not known yet (a session or device id). */
    public B anonymousId(String anonymousId) {
      this.anonymousId = requireNonBlank(anonymousId, "anonymousId");
      return self();
    }

    /**
     * The deduplication key of the message. Generated (a random UUID) when not set; set it when
     * re-sending the same event must not count twice.
     */
    public B messageId(String messageId) {
      requireNonBlank(messageId, "messageId");
      if (messageId.length() > MAX_MESSAGE_ID_LENGTH) {
        throw new IllegalArgumentException("messageId must be at most " + MAX_MESSAGE_ID_LENGTH
            + " characters: " + messageId.length());
      }
      this.messageId = messageId;
      return self();
    }

    /**
     * When the event happened; defaults to now. Any time in the years 0000 to 9999 is kept as given
     * (imports), to the millisecond.
     *
     * @throws IllegalArgumentException for a time outside the years 0000 to 9999: the wire's
     *     timestamps are RFC 3339, whose years have four digits, and a collector refuses the whole
     *     request that carries one.
     */
    public B timestamp(Instant timestamp) {
      Objects.requireNonNull(timestamp, "timestamp == null");
      if (timestamp.isBefore(MIN_TIMESTAMP) || timestamp.isAfter(MAX_TIMESTAMP)) {
        throw new IllegalArgumentException("timestamp must be in the years 0000 to 9999 (RFC 3339): " + timestamp);
      }
      this.timestamp = timestamp;
      return self();
    }

    /** Replaces the context ({@code ip}, {@code userAgent}, {@code locale}, ...). */
    public B context(Map<String, ?> context) {
      this.context = copy(context, "context");
      return self();
    }

    /** Replaces the integrations map: destination name to {@code Boolean} or an options map. */
    public B integrations(Map<String, ?> integrations) {
      this.integrations = checkedIntegrations(integrations);
      return self();
    }

    /** Turns one destination on or off; {@code "All"} applies to the destinations not named. */
    public B enableIntegration(String name, boolean enabled) {
      requireNonBlank(name, "integration name");
      Map<String, Object> copy = new LinkedHashMap<>(integrations);
      copy.put(name, enabled);
      this.integrations = copy;
      return self();
    }

    static void checkIntegration(@Nullable String name, @Nullable Object value) {
      if (name == null) throw new IllegalArgumentException("integrations must not contain a null name");
      if (!(value instanceof Boolean) && !(value instanceof Map)) {
        throw new IllegalArgumentException("integrations." + name
            + " must be a Boolean or a Map of options but was "
            + (value == null ? "null" : value.getClass().getName()));
      }
    }

    /** Checks the fields and returns a new message. */
    public final M build() {
      return build(userId, anonymousId);
    }

    /**
     * A new message with this user instead of the builder's: a scope's, for a builder that names
     * none. The builder is left as it was (it may be shared by threads, each in its own scope).
     */
    final M build(@Nullable String userId, @Nullable String anonymousId) {
      validate(userId, anonymousId);
      return newMessage(userId, anonymousId);
    }

    /** Checks the fields of this type, with this user; called before {@link #newMessage}. */
    void validate(@Nullable String userId, @Nullable String anonymousId) {
      validateUser(userId, anonymousId);
    }

    abstract M newMessage(@Nullable String userId, @Nullable String anonymousId);
  }
}
