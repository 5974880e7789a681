package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Metrics;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.messages.Message;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. The engine's access to what the public value types keep
 * package-private (their constructors, and the state the engine keeps on an {@link EncodedMessage}),
 * as OkHttp's {@code okhttp3.internal.Internal}: {@link Analytics}'s static initializer installs the
 * one instance, so the public types gain no public member for the engine's sake.
 */
public abstract class Internal {
  private static volatile @Nullable Internal instance;

  public static Internal get() {
    Internal bridge = instance;
    if (bridge == null) {
      // Initializing Analytics runs its static initializer, which installs the bridge.
      try {
        Class.forName(Analytics.class.getName(), true, Analytics.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      bridge = instance;
      if (bridge == null) throw new IllegalStateException("dev.analytics4j.Analytics did not install its bridge");
    }
    return bridge;
  }

  /** Called once, by {@link Analytics}. */
  public static void install(Internal bridge) {
    if (instance != null) throw new IllegalStateException("already installed");
    instance = bridge;
  }

  protected Internal() {}

  public abstract EncodedMessage encodedMessage(Message.Type type, String messageId, byte[] bytes, boolean recovered);

  /** The message's JSON itself, not a copy: the engine never changes it. */
  public abstract byte[] bytes(EncodedMessage message);

  /** The sequence number of its record in the spool, or -1 when it has none. */
  public abstract long spoolSeq(EncodedMessage message);

  /** Set by the spool under its lock before the message is handed to the queue, which publishes it. */
  public abstract void spoolSeq(EncodedMessage message, long seq);

  /** When this client accepted it ({@link System#nanoTime()}); until set, when it was made. */
  public abstract long enqueuedNanos(EncodedMessage message);

  /** Set by the queue, under its lock, which publishes it to the upload threads. */
  public abstract void enqueuedNanos(EncodedMessage message, long nanos);

  public abstract Failure failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose, boolean expired);

  /** The result of a flush that counts nothing. */
  public abstract FlushResult emptyFlushResult();

  public abstract FlushResult flushResult(boolean complete, long delivered, long failed, long dropped);

  public abstract Metrics metrics(long enqueued, long sent, long failed, EnumMap<DropReason, Long> dropped,
      long retries, long requests, int queuedMessages, long queuedBytes, long recovered, long spooledMessages,
      long spoolBytes);

  /** The context outside every scope. */
  public abstract AnalyticsContext emptyContext();

  /** {@code context} with {@code requestData} (copied deeply) as its lowest layer; see {@link RequestData}. */
  public abstract AnalyticsContext withRequestData(AnalyticsContext context, Map<String, ?> requestData);

  /** The starter's request data under {@code context}: its lowest layer, empty outside a request. */
  public abstract Map<String, @Nullable Object> requestData(AnalyticsContext context);

  /** What a scope of {@code inner}'s values opened inside {@code outer} holds: {@code outer.with(inner)}. */
  public abstract AnalyticsContext nested(AnalyticsContext outer, AnalyticsContext inner);

  /** {@code high} over {@code low}; nested maps merged too when {@code deep}. */
  public abstract Map<String, @Nullable Object> merge(Map<String, ?> high, Map<String, ?> low, boolean deep);

  /** What a {@link BeforeSend} hook sees and changes of {@code message}; see {@code BeforeSend.Fields}. */
  public abstract BeforeSend.Fields fields(Message message, @Nullable String name, Map<String, @Nullable Object> payload,
      boolean payloadOwned, Map<String, @Nullable Object> context, boolean contextOwned);

  /** Why a hook dropped the message, or null when none did. */
  public abstract @Nullable String dropReason(BeforeSend.Fields fields);

  /**
   * The message as the hooks left it.
   *
   * @throws IllegalArgumentException when the hooks left fields that do not make a valid message.
   */
  public abstract Message rebuild(BeforeSend.Fields fields);

  /** The engine behind {@code client}. */
  public abstract Pipeline pipeline(Analytics client);

  /** What {@code builder} has been told. */
  public abstract Settings settings(Analytics.Builder builder);

  public abstract boolean isNone(SpoolSync sync);

  public abstract boolean isEveryWrite(SpoolSync sync);

  public abstract long intervalNanos(SpoolSync sync);
}
