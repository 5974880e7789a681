package dev.analytics4j.internal;

import dev.analytics4j.messages.Message;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. What the engine needs of the message types beyond their
 * public API (OkHttp's {@code Internal} pattern): the messages package installs the one instance.
 */
public abstract class MessagesBridge {
  private static volatile @Nullable MessagesBridge instance;

  public static MessagesBridge get() {
    MessagesBridge bridge = instance;
    if (bridge == null) {
      // Initializing Message runs its static initializer, which installs the bridge.
      try {
        Class.forName(Message.class.getName(), true, Message.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      bridge = instance;
      if (bridge == null) throw new IllegalStateException("the messages package did not install its bridge");
    }
    return bridge;
  }

  /** Called once, by the messages package. */
  public static void install(MessagesBridge bridge) {
    instance = bridge;
  }

  /**
   * Builds {@code builder}, with {@code userId} and {@code anonymousId} filling in when it names
   * neither; the builder itself is left as it was.
   */
  public abstract Message build(Message.Builder<?, ?> builder, @Nullable String userId, @Nullable String anonymousId);

  /** The message's event (track) or name (page, screen); null for the other types or a nameless page. */
  public abstract @Nullable String name(Message message);

  /** The properties of a track, page or screen; the traits of an identify or group; else empty. */
  public abstract Map<String, @Nullable Object> payload(Message message);

  /**
   * A message of the same type, messageId and timestamp with these fields; what the type does not
   * have is ignored.
   *
   * @throws IllegalArgumentException when the fields do not make a valid message.
   */
  public abstract Message rebuild(Message message, @Nullable String userId, @Nullable String anonymousId,
      @Nullable String name, Map<String, ?> payload, Map<String, ?> context, Map<String, ?> integrations);
}
