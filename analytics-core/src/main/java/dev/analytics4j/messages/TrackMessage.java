package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Records an action a user performed, such as {@code "Order Completed"}, with its properties. */
public final class TrackMessage extends Message {
  private final String event;
  private final Map<String, @Nullable Object> properties;

  TrackMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.TRACK, builder, userId, anonymousId);
    this.event = builder.event;
    this.properties = FrozenMap.unmodifiable(builder.properties);
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  TrackMessage(TrackMessage original, String event, Map<String, @Nullable Object> properties, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.event = event;
    this.properties = properties;
  }

  /**
   * Starts a track of {@code event}, the name of the action. Segment recommends past-tense object
   * action names ({@code "Product Viewed"}); destinations group events by this exact string.
   */
  public static Builder builder(String event) {
    return new Builder(requireNonBlank(event, "event"));
  }

  /** The name of the action. */
  public String event() {
    return event;
  }

  /** Details of the action; empty when none were set. */
  public Map<String, @Nullable Object> properties() {
    return properties;
  }

  @Override
  String keyField() {
    return "event=" + event;
  }


  /** Builds a {@link TrackMessage}; may be reused. */
  public static final class Builder extends Message.Builder<TrackMessage, Builder> {
    private final String event;
    Map<String, @Nullable Object> properties = Collections.emptyMap();

    Builder(String event) {
      this.event = event;
    }

    /** Replaces the properties; the map is copied. */
    public Builder properties(Map<String, ?> properties) {
      this.properties = copy(properties, "properties");
      return this;
    }

    @Override
    TrackMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new TrackMessage(this, userId, anonymousId);
    }
  }
}
