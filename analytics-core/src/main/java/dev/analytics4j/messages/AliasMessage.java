package dev.analytics4j.messages;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Merges two identities: tells destinations that {@code previousId} (typically an anonymous id, or
 * an old user id) and {@code userId} are the same user. Both are required; {@code anonymousId} is
 * optional.
 */
public final class AliasMessage extends Message {
  private final String previousId;

  AliasMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.ALIAS, builder, userId, anonymousId);
    this.previousId = builder.previousId;
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  AliasMessage(AliasMessage original, @Nullable String userId, @Nullable String anonymousId, Map<String, @Nullable Object> context,
      Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.previousId = original.previousId;
  }

  /** Starts an alias from {@code previousId}; set the new {@code userId} before building. */
  public static Builder builder(String previousId) {
    return new Builder(requireNonBlank(previousId, "previousId"));
  }

  /** The identity being merged into {@link #userId()}. */
  public String previousId() {
    return previousId;
  }

  @Override
  String keyField() {
    return "previousId=" + previousId;
  }

  static void validateAlias(@Nullable String userId) {
    if (userId == null) throw new IllegalArgumentException("userId must be set on an alias");
  }

  /** Builds an {@link AliasMessage}; may be reused. */
  public static final class Builder extends Message.Builder<AliasMessage, Builder> {
    private final String previousId;

    Builder(String previousId) {
      this.previousId = previousId;
    }

    @Override
    void validate(@Nullable String userId, @Nullable String anonymousId) {
      validateAlias(userId);
      super.validate(userId, anonymousId);
    }

    @Override
    AliasMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new AliasMessage(this, userId, anonymousId);
    }
  }
}
