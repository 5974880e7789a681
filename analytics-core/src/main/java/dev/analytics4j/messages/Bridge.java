package dev.analytics4j.messages;

import dev.analytics4j.internal.MessagesBridge;
import java.util.Collections;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The engine's access to the message types, installed by {@link Message}'s static initializer. */
final class Bridge extends MessagesBridge {
  @Override
  public Message build(Message.Builder<?, ?> builder, @Nullable String userId, @Nullable String anonymousId) {
    if (builder.userId != null || builder.anonymousId != null || (userId == null && anonymousId == null)) {
      return builder.build();
    }
    // Not set on the builder: one shared by threads, each in its own scope, must never carry one's
    // user to another.
    return builder.build(userId, anonymousId);
  }

  @Override
  public @Nullable String name(Message message) {
    if (message instanceof TrackMessage) return ((TrackMessage) message).event();
    if (message instanceof PageMessage) return ((PageMessage) message).name();
    if (message instanceof ScreenMessage) return ((ScreenMessage) message).name();
    return null;
  }

  @Override
  public Map<String, @Nullable Object> payload(Message message) {
    if (message instanceof TrackMessage) return ((TrackMessage) message).properties();
    if (message instanceof PageMessage) return ((PageMessage) message).properties();
    if (message instanceof ScreenMessage) return ((ScreenMessage) message).properties();
    if (message instanceof IdentifyMessage) return ((IdentifyMessage) message).traits();
    if (message instanceof GroupMessage) return ((GroupMessage) message).traits();
    return Collections.emptyMap();
  }

  /**
   * Takes the maps as they are, without the builders' copies: the engine made them for this message
   * alone. What changed is checked as the builders' setters check it (a hook's blank id is refused as
   * the caller's would be, integrations are copied and checked, as a hook may have put anything
   * there); what did not was checked when the message was built. No builder: a message rebuilt for
   * every scoped or hooked message is one object, not two with wrappers around its maps.
   */
  @Override
  public Message rebuild(Message message, @Nullable String userId, @Nullable String anonymousId,
      @Nullable String name, Map<String, ?> payload, Map<String, ?> context, Map<String, ?> integrations) {
    Map<String, @Nullable Object> owned = cast(payload);
    Map<String, @Nullable Object> ownContext = cast(context);
    // In the order the builders checked them, so that a hook's failure names the same field.
    String checkedName = null;
    if (message instanceof TrackMessage) {
      checkedName = changed(name, ((TrackMessage) message).event(), "event");
    } else if (message instanceof PageMessage) {
      checkedName = changed(name, ((PageMessage) message).name(), "name");
    } else if (message instanceof ScreenMessage) {
      checkedName = changed(name, ((ScreenMessage) message).name(), "name");
    }
    if (userId != null && userId != message.userId()) Message.requireNonBlank(userId, "userId");
    if (anonymousId != null && anonymousId != message.anonymousId()) Message.requireNonBlank(anonymousId, "anonymousId");
    Map<String, Object> ownIntegrations = integrations != message.integrations()
        ? Message.checkedIntegrations(integrations) : message.integrations();
    if (message instanceof AliasMessage) AliasMessage.validateAlias(userId);
    Message.validateUser(userId, anonymousId);
    if (message instanceof TrackMessage) {
      return new TrackMessage((TrackMessage) message, checkedName, owned, userId, anonymousId, ownContext, ownIntegrations);
    } else if (message instanceof PageMessage) {
      return new PageMessage((PageMessage) message, checkedName, owned, userId, anonymousId, ownContext, ownIntegrations);
    } else if (message instanceof ScreenMessage) {
      return new ScreenMessage((ScreenMessage) message, checkedName, owned, userId, anonymousId, ownContext,
          ownIntegrations);
    } else if (message instanceof IdentifyMessage) {
      return new IdentifyMessage((IdentifyMessage) message, owned, userId, anonymousId, ownContext, ownIntegrations);
    } else if (message instanceof GroupMessage) {
      return new GroupMessage((GroupMessage) message, owned, userId, anonymousId, ownContext, ownIntegrations);
    }
    return new AliasMessage((AliasMessage) message, userId, anonymousId, ownContext, ownIntegrations);
  }

  /**
   * The name to send: {@code name} when a hook gave one (checked, unless it is the message's own),
   * else the message's.
   */
  private static @Nullable String changed(@Nullable String name, @Nullable String own, String field) {
    if (name == null || name == own) return own;
    return Message.requireNonBlank(name, field);
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> cast(Map<String, ?> map) {
    return (Map<String, V>) map;
  }
}
