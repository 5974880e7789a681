package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Ties a user to their traits (email, name, plan...). Send it when a user signs up or changes a
 * trait; destinations keep the traits and attach them to later events.
 */
public final class IdentifyMessage extends Message {
  private final Map<String, @Nullable Object> traits;

  IdentifyMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.IDENTIFY, builder, userId, anonymousId);
    this.traits = FrozenMap.unmodifiable(builder.traits);
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  IdentifyMessage(IdentifyMessage original, Map<String, @Nullable Object> traits, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.traits = traits;
  }

  /** Starts an identify; set {@code userId} or {@code anonymousId} before building. */
  public static Builder builder() {
    return new Builder();
  }

  /** What is known about the user; empty when none were set. */
  public Map<String, @Nullable Object> traits() {
    return traits;
  }

  /** Builds an {@link IdentifyMessage}; may be reused. */
  public static final class Builder extends Message.Builder<IdentifyMessage, Builder> {
    Map<String, @Nullable Object> traits = Collections.emptyMap();

    Builder() {}

    /** Replaces the traits; the map is copied. */
    public Builder traits(Map<String, ?> traits) {
      this.traits = copy(traits, "traits");
      return this;
    }

    @Override
    IdentifyMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new IdentifyMessage(this, userId, anonymousId);
    }
  }
}
