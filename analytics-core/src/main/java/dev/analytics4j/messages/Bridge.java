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
    builder.userId = userId;
    builder.anonymousId = anonymousId;
    try {
      return builder.build();
    } finally {
      builder.userId = null;
      builder.anonymousId = null;
    }
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
   * alone. Integrations are still checked, as a hook may have put anything there.
   */
  @Override
  public Message rebuild(Message message, @Nullable String userId, @Nullable String anonymousId,
      @Nullable String name, Map<String, ?> payload, Map<String, ?> context, Map<String, ?> integrations) {
    Message.Builder<?, ?> builder;
    Map<String, @Nullable Object> owned = cast(payload);
    if (message instanceof TrackMessage) {
      TrackMessage.Builder track = TrackMessage.builder(name != null ? name : ((TrackMessage) message).event());
      track.properties = owned;
      builder = track;
    } else if (message instanceof PageMessage) {
      PageMessage page = (PageMessage) message;
      PageMessage.Builder pageBuilder = PageMessage.builder();
      pageBuilder.properties = owned;
      String pageName = name != null ? name : page.name();
      if (pageName != null) pageBuilder.name(pageName);
      if (page.category() != null) pageBuilder.category(page.category());
      builder = pageBuilder;
    } else if (message instanceof ScreenMessage) {
      ScreenMessage.Builder screenBuilder = ScreenMessage.builder();
      screenBuilder.properties = owned;
      String screenName = name != null ? name : ((ScreenMessage) message).name();
      if (screenName != null) screenBuilder.name(screenName);
      builder = screenBuilder;
    } else if (message instanceof IdentifyMessage) {
      IdentifyMessage.Builder identify = IdentifyMessage.builder();
      identify.traits = owned;
      builder = identify;
    } else if (message instanceof GroupMessage) {
      GroupMessage.Builder group = GroupMessage.builder(((GroupMessage) message).groupId());
      group.traits = owned;
      builder = group;
    } else {
      builder = AliasMessage.builder(((AliasMessage) message).previousId());
    }
    builder.messageId = message.messageId();
    builder.timestamp = message.timestamp();
    // The setters: a hook's blank id is refused as the caller's would be.
    if (userId != null) builder.userId(userId);
    if (anonymousId != null) builder.anonymousId(anonymousId);
    builder.context = cast(context);
    if (integrations != message.integrations()) builder.integrations(integrations);
    else builder.integrations = message.integrations();
    return builder.build();
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> cast(Map<String, ?> map) {
    return (Map<String, V>) map;
  }
}
