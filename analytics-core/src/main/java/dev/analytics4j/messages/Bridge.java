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

  @Override
  public Message rebuild(Message message, @Nullable String userId, @Nullable String anonymousId,
      @Nullable String name, Map<String, ?> payload, Map<String, ?> context, Map<String, ?> integrations) {
    Message.Builder<?, ?> builder;
    if (message instanceof TrackMessage) {
      builder = TrackMessage.builder(name != null ? name : ((TrackMessage) message).event()).properties(payload);
    } else if (message instanceof PageMessage) {
      PageMessage page = (PageMessage) message;
      PageMessage.Builder pageBuilder = PageMessage.builder().properties(payload);
      if (name != null) pageBuilder.name(name);
      if (page.category() != null) pageBuilder.category(page.category());
      builder = pageBuilder;
    } else if (message instanceof ScreenMessage) {
      ScreenMessage.Builder screenBuilder = ScreenMessage.builder().properties(payload);
      if (name != null) screenBuilder.name(name);
      builder = screenBuilder;
    } else if (message instanceof IdentifyMessage) {
      builder = IdentifyMessage.builder().traits(payload);
    } else if (message instanceof GroupMessage) {
      builder = GroupMessage.builder(((GroupMessage) message).groupId()).traits(payload);
    } else {
      builder = AliasMessage.builder(((AliasMessage) message).previousId());
    }
    builder.messageId = message.messageId();
    builder.timestamp = message.timestamp();
    builder.userId = userId;
    builder.anonymousId = anonymousId;
    builder.context(context).integrations(integrations);
    return builder.build();
  }
}
