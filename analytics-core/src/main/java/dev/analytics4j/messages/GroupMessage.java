package dev.analytics4j.messages;

import dev.analytics4j.internal.FrozenMap;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Ties a user to a group (a company, organisation or account) and records the group's traits, for
 * B2B destinations that report per account.
 */
public final class GroupMessage extends Message {
  private final String groupId;
  private final Map<String, @Nullable Object> traits;

  GroupMessage(Builder builder, @Nullable String userId, @Nullable String anonymousId) {
    super(Type.GROUP, builder, userId, anonymousId);
    this.groupId = builder.groupId;
    this.traits = FrozenMap.unmodifiable(builder.traits);
  }

  /** The engine's copy; see {@link Message#Message(Message, String, String, Map, Map)}. */
  GroupMessage(GroupMessage original, Map<String, @Nullable Object> traits, @Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> context, Map<String, Object> integrations) {
    super(original, userId, anonymousId, context, integrations);
    this.groupId = original.groupId;
    this.traits = traits;
  }

  /** Starts a group call for the group with id {@code groupId}. */
  public static Builder builder(String groupId) {
    return new Builder(requireNonBlank(groupId, "groupId"));
  }

  /** The id of the group in your database. */
  public String groupId() {
    return groupId;
  }

  /** What is known about the group ({@code name}, {@code employees}...); empty when none were set. */
  public Map<String, @Nullable Object> traits() {
    return traits;
  }

  @Override
  String keyField() {
    return "groupId=" + groupId;
  }

  /** Builds a {@link GroupMessage}; may be reused. */
  public static final class Builder extends Message.Builder<GroupMessage, Builder> {
    private final String groupId;
    Map<String, @Nullable Object> traits = Collections.emptyMap();

    Builder(String groupId) {
      this.groupId = groupId;
    }

    /** Replaces the group's traits; the map is copied. */
    public Builder traits(Map<String, ?> traits) {
      this.traits = copy(traits, "traits");
      return this;
    }

    @Override
    GroupMessage newMessage(@Nullable String userId, @Nullable String anonymousId) {
      return new GroupMessage(this, userId, anonymousId);
    }
  }
}
