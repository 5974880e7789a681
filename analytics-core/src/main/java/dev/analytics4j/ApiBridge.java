package dev.analytics4j;

import dev.analytics4j.internal.Internal;
import dev.analytics4j.internal.MessagesBridge;
import dev.analytics4j.internal.Pipeline;
import dev.analytics4j.internal.Settings;
import dev.analytics4j.messages.Message;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The engine's access to the API types' package-private parts, installed by {@link Analytics}. */
final class ApiBridge extends Internal {
  @Override
  public EncodedMessage encodedMessage(Message.Type type, String messageId, byte[] bytes, boolean recovered) {
    return new EncodedMessage(type, messageId, bytes, recovered);
  }

  @Override
  public byte[] bytes(EncodedMessage message) {
    return message.bytes();
  }

  @Override
  public long spoolSeq(EncodedMessage message) {
    return message.spoolSeq;
  }

  @Override
  public void spoolSeq(EncodedMessage message, long seq) {
    message.spoolSeq = seq;
  }

  @Override
  public long enqueuedNanos(EncodedMessage message) {
    return message.enqueuedNanos;
  }

  @Override
  public void enqueuedNanos(EncodedMessage message, long nanos) {
    message.enqueuedNanos = nanos;
  }

  @Override
  public Failure failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose, boolean expired) {
    return new Failure(statusCode, cause, attempts, reason, mayHaveBeenDelivered, abandonedAtClose, expired);
  }

  @Override
  public FlushResult emptyFlushResult() {
    return FlushResult.EMPTY;
  }

  @Override
  public FlushResult flushResult(boolean complete, long delivered, long failed, long dropped) {
    return new FlushResult(complete, delivered, failed, dropped);
  }

  @Override
  public Metrics metrics(long enqueued, long sent, long failed, EnumMap<DropReason, Long> dropped, long retries,
      long requests, int queuedMessages, long queuedBytes, long recovered, long spooledMessages, long spoolBytes) {
    return new Metrics(enqueued, sent, failed, dropped, retries, requests, queuedMessages, queuedBytes, recovered,
        spooledMessages, spoolBytes);
  }

  @Override
  public AnalyticsContext emptyContext() {
    return AnalyticsContext.EMPTY;
  }

  @Override
  public AnalyticsContext withRequestData(AnalyticsContext context, Map<String, ?> requestData) {
    return AnalyticsContext.withRequestData(context, requestData);
  }

  @Override
  public Map<String, @Nullable Object> requestData(AnalyticsContext context) {
    return context.requestData();
  }

  @Override
  public AnalyticsContext nested(AnalyticsContext outer, AnalyticsContext inner) {
    return outer.with(inner);
  }

  @Override
  public Map<String, @Nullable Object> merge(Map<String, ?> high, Map<String, ?> low, boolean deep) {
    return AnalyticsContext.merge(high, low, deep);
  }

  @Override
  public BeforeSend.Fields fields(Message message, @Nullable String name, Map<String, @Nullable Object> payload,
      boolean payloadOwned, Map<String, @Nullable Object> context, boolean contextOwned) {
    return new BeforeSend.Fields(message, name, payload, payloadOwned, context, contextOwned);
  }

  @Override
  public @Nullable String dropReason(BeforeSend.Fields fields) {
    return fields.dropReason;
  }

  @Override
  public Message rebuild(BeforeSend.Fields fields) {
    // Hooks that only read (a consent lookup that finds nothing, a sampler that keeps the message)
    // and no scope or defaults merged: the message as it was, not a copy of it.
    // A map a hook was given but did not change is the message's own again.
    Message message = fields.message;
    MessagesBridge messages = MessagesBridge.get();
    Map<String, @Nullable Object> payload = HookMap.sent(fields.payload);
    Map<String, @Nullable Object> context = HookMap.sent(fields.context);
    Map<String, Object> integrations = HookMap.sent(fields.integrations);
    if (fields.userId == message.userId() && fields.anonymousId == message.anonymousId()
        && fields.name == messages.name(message) && payload == messages.payload(message)
        && context == message.context() && integrations == message.integrations()) {
      return message;
    }
    return messages.rebuild(message, fields.userId, fields.anonymousId, fields.name, payload, context, integrations);
  }

  @Override
  public Pipeline pipeline(Analytics client) {
    return client.pipeline;
  }

  @Override
  public Settings settings(Analytics.Builder builder) {
    return builder.settings;
  }

  @Override
  public boolean isNone(SpoolSync sync) {
    return sync.isNone();
  }

  @Override
  public boolean isEveryWrite(SpoolSync sync) {
    return sync.isEveryWrite();
  }

  @Override
  public long intervalNanos(SpoolSync sync) {
    return sync.intervalNanos();
  }
}
