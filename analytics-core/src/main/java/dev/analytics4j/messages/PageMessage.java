package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Records that a user viewed a web page; send it from the server when pages are rendered there. */
public final class PageMessage extends Message {
  private final @Nullable String name;
  private final @Nullable String category;
  private final Map<String, @Nullable Object> properties;

  PageMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.PAGE, builder, userId, anonymousId);
    this.name = builder.name;
    this.category = builder.category;
    this.properties = FrozenMap.unmodifiable(builder.properties);
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  PageMessage(PageMessage original, @Nullable String name, Map<String, @Nullable Object> properties, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.name = name;
    this.category = original.category;
    this.properties = properties;
  }

  /** Starts a page view of the page called {@code name} ({@code "Pricing"}). */
  public static Builder builder(String name) {
    return new Builder().name(name);
  }

  /** Starts a page view without a name; the API accepts one, identified by its properties (path, url). */
  public static Builder builder() {
    return new Builder();
  }

  /** The name of the page, or null when not set. */
  public @Nullable String name() {
    return name;
  }

  /** The category of the page ({@code "Docs"}), or null when not set. */
  public @Nullable String category() {
    return category;
  }

  /** Details of the page ({@code path}, {@code url}, {@code referrer}...); empty when none were set. */
  public Map<String, @Nullable Object> properties() {
    return properties;
  }

  @Override
  @Nullable String keyField() {
    return name != null ? "name=" + name : null;
  }

  /** Builds a {@link PageMessage}; may be reused. */
  public static final class Builder extends Message.Builder<PageMessage, Builder> {
    private @Nullable String name;
    private @Nullable String category;
    Map<String, @Nullable Object> properties = Collections.emptyMap();

    Builder() {}

    /** The name of the page. */
    public Builder name(String name) {
      this.name = requireNonBlank(name, "name");
      return this;
    }

    /** The category of the page, for destinations that group pages. */
    public Builder category(String category) {
      this.category = requireNonBlank(category, "category");
      return this;
    }

    /** Replaces the properties; the map is copied. */
    public Builder properties(Map<String, ?> properties) {
      this.properties = copy(properties, "properties");
      return this;
    }

    @Override
    PageMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new PageMessage(this, userId, anonymousId);
    }
  }
}
