package dev.analytics4j.internal;

import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.DropReason;
import dev.analytics4j.messages.Message;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What happens to a message on the caller's thread before it is encoded: the current
 * {@link AnalyticsContext} of the client fills in what the message leaves out, then the
 * {@link BeforeSend} hooks run. With no scope open and no hook, the message passes untouched.
 */
final class MessagePreparer {
  private static final Log logger = Log.get(MessagePreparer.class);

  /** Why a message will not be sent: a hook dropped it, or failed on it. */
  static final class Dropped extends RuntimeException {
    final DropReason reason;

    Dropped(DropReason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }

  private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  final ContextScopes scopes = new ContextScopes();
  private final AtomicLong unloggedFailures = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS);
  /** An array: iterating a list would make an iterator (two, unmodifiable) for every message. */
  private final BeforeSend[] hooks;
  private final MessagesBridge bridge = MessagesBridge.get();

  /** Merged before the hooks run, when there are hooks; else the encoder adds it. */
  private final @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;

  MessagePreparer(List<BeforeSend> hooks, @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext) {
    this.hooks = hooks.toArray(new BeforeSend[0]);
    this.defaultContext = defaultContext;
  }

  boolean hasHooks() {
    return hooks.length > 0;
  }

  /** Builds {@code builder}, the scope's user filling in when it names none. */
  Message build(Message.Builder<?, ?> builder) {
    AnalyticsContext scope = scopes.current();
    if (scope.userId() == null && scope.anonymousId() == null) return builder.build();
    return bridge.build(builder, scope.userId(), scope.anonymousId());
  }

  /**
   * {@code message} with the scope's properties and context under its own, after the hooks.
   *
   * @throws Dropped when a hook drops it, throws, or leaves fields that make no valid message.
   */
  Message prepare(Message message) {
    AnalyticsContext scope = scopes.current();
    boolean scoped = !scope.properties().isEmpty() || !scope.context().isEmpty();
    if (!scoped && hooks.length == 0) return message;
    Map<String, @Nullable Object> ownPayload = bridge.payload(message);
    Map<String, @Nullable Object> payload = ownPayload;
    Map<String, @Nullable Object> context = message.context();
    if (scoped) {
      if (carriesProperties(message.type())) payload = Overlay.of(payload, scope.properties());
      context = Internal.get().merge(context, scope.context(), true);
    }
    if (hooks.length == 0) {
      return bridge.rebuild(message, message.userId(), message.anonymousId(), null, payload, context,
          message.integrations());
    }
    // The hooks see the context as it will be sent: a redactor must reach what defaultContext adds
    // (the Spring Boot starter's request ip and user agent), under the message's and the scope's.
    Map<String, ?> defaults = defaults(scope);
    if (defaults != null && !defaults.isEmpty()) {
      Map<String, @Nullable Object> withDefaults = new LinkedHashMap<>(defaults);
      withDefaults.putAll(context);
      context = withDefaults;
    }
    // A merge made new maps, which the hooks may change in place; else they copy on first use.
    BeforeSend.Fields fields = Internal.get().fields(message, bridge.name(message),
        payload, false,
        context, context != message.context() && context != scope.context());
    for (BeforeSend hook : hooks) {
      try {
        hook.apply(fields);
      } catch (Throwable t) {
        throw failed(message, "a beforeSend hook threw " + t, t);
      }
      String dropReason = Internal.get().dropReason(fields);
      if (dropReason != null) throw new Dropped(DropReason.BEFORE_SEND, dropReason);
    }
    try {
      return Internal.get().rebuild(fields);
    } catch (RuntimeException e) {
      throw failed(message, "the beforeSend hooks left an invalid message: " + e.getMessage(), null);
    }
  }

  /**
   * What fills in top-level context keys that the message and the scope leave out: {@code
   * defaultContext}, over the scope's request data (the Spring Boot starter's); null when neither
   * has any.
   */
  @Nullable Map<String, ?> defaults() {
    return defaults(scopes.current());
  }

  /**
   * Whether {@link #defaults()} may give anything, decided without calling the application's
   * {@code defaultContext} supplier: a client that has one, or a scope with request data.
   */
  boolean mayHaveDefaults() {
    return defaultContext != null || !Internal.get().requestData(scopes.current()).isEmpty();
  }

  private @Nullable Map<String, ?> defaults(AnalyticsContext scope) {
    Map<String, ?> own = null;
    if (defaultContext != null) {
      try {
        own = defaultContext.get();
      } catch (Throwable t) {
        // An Error too (a NoClassDefFoundError from a request-scoped lookup): it is the supplier's
        // failure, not the caller's, and must not cost the message or reach the enqueuing thread.
        try {
          logger.warn("defaultContext threw; sending the message without it", t);
        } catch (Throwable ignored) {
          // The message matters more than the log line.
        }
      }
    }
    Map<String, @Nullable Object> requestData = Internal.get().requestData(scope);
    if (requestData.isEmpty()) return own;
    if (own == null || own.isEmpty()) return requestData;
    Map<String, @Nullable Object> merged = new LinkedHashMap<>(requestData);
    merged.putAll(own);
    return merged;
  }

  /**
   * {@code message} with the current scope's values and no hook: what the caller asked to send,
   * whose refusal by the encoder is the caller's mistake, not a hook's.
   */
  Message scoped(Message message) {
    AnalyticsContext scope = scopes.current();
    if (scope.properties().isEmpty() && scope.context().isEmpty()) return message;
    Map<String, @Nullable Object> payload = bridge.payload(message);
    if (carriesProperties(message.type())) payload = Overlay.of(payload, scope.properties());
    return bridge.rebuild(message, message.userId(), message.anonymousId(), null, payload,
        Internal.get().merge(message.context(), scope.context(), true), message.integrations());
  }

  /**
   * A message the hooks turned into one the encoder refuses, or that changed while it was encoded
   * (a hook kept a map and changed it later): theirs to answer for, not the caller's.
   */
  Dropped failedEncoding(Message message, RuntimeException e) {
    return failed(message, "the beforeSend hooks left a message that cannot be sent: " + e, null);
  }

  /**
   * Logs why a message failed, with the stack trace, at most once per 10 s: a hook that fails on
   * every message must not cost every caller a stack trace in the log. Each is reported regardless.
   */
  private Dropped failed(Message message, String why, @Nullable Throwable cause) {
    long unlogged = unloggedFailures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= FAILURE_LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
      unloggedFailures.addAndGet(-unlogged);
      try {
        logger.warn("Dropped {} {} (BEFORE_SEND_FAILED): {}; {} such drops since the last of these lines",
            message.type().wireName(), message.messageId(), why, unlogged, cause);
      } catch (Throwable ignored) {
        // The report matters more than the log line.
      }
    }
    return new Dropped(DropReason.BEFORE_SEND_FAILED, why);
  }

  private static boolean carriesProperties(Message.Type type) {
    return type == Message.Type.TRACK || type == Message.Type.PAGE || type == Message.Type.SCREEN;
  }
}
