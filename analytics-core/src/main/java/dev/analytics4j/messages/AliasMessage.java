package dev.analytics4j.messages;

/**
 * Merges two identities: tells destinations that {@code previousId} (typically an anonymous id, or
 * an old user id) and {@code userId} are the same user. Both are required; {@code anonymousId} is
 * optional.
 */
public final class AliasMessage extends Message {
  private final String previousId;

  AliasMessage(Builder builder) {
    super(Type.ALIAS, builder);
    this.previousId = builder.previousId;
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

  /** Builds an {@link AliasMessage}; may be reused. */
  public static final class Builder extends Message.Builder<AliasMessage, Builder> {
    private final String previousId;

    Builder(String previousId) {
      this.previousId = previousId;
    }

    @Override
    void validate() {
      if (userId == null) throw new IllegalArgumentException("userId must be set on an alias");
      super.validate();
    }

    @Override
    AliasMessage newMessage() {
      return new AliasMessage(this);
    }
  }
}
