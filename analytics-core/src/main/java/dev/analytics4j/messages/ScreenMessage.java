package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Records that a user viewed a screen of a mobile or desktop app, for apps that report through a server. */
public final class ScreenMessage extends Message {
  private final @Nullable String name;
  private final Map<String, @Nullable Object> properties;

  ScreenMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.SCREEN, builder, userId, anonymousId);
    this.name = builder.name;
    this.properties = FrozenMap.unmodifiable(builder.properties);
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  ScreenMessage(ScreenMessage original, @Nullable String name, Map<String, @Nullable Object> properties, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.name = name;
    this.properties = properties;
  }

  /** Starts a screen view of the screen called {@code name} ({@code "Checkout"}). */
  public static Builder builder(String name) {
    return new Builder().name(name);
  }

  /** Starts a screen view without a name, which the API accepts. */
  public static Builder builder() {
    return new Builder();
  }

  /** The name of the screen, or null when not set. */
  public @Nullable String name() {
    return name;
  }

  /** Details of the screen view; empty when none were set. */
  public Map<String, @Nullable Object> properties() {
    return properties;
  }

  @Override
  @Nullable String keyField() {
    return name != null ? "name=" + name : null;
  }

  /** Builds a {@link ScreenMessage}; may be reused. */
  public static final class Builder extends Message.Builder<ScreenMessage, Builder> {
    private @Nullable String name;
    Map<String, @Nullable Object> properties = Collections.emptyMap();

    Builder() {}

    /** The name of the screen. */
    public Builder name(String name) {
      this.name = requireNonBlank(name, "name");
      return this;
    }

    /** Replaces the properties; the map is copied. */
    public Builder properties(Map<String, ?> properties) {
      this.properties = copy(properties, "properties");
      return this;
    }

    @Override
    ScreenMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new ScreenMessage(this, userId, anonymousId);
    }
  }
}
