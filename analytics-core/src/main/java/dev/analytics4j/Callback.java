package dev.analytics4j;

/**
 * Learns the fate of every message the client accepted: exactly one of these methods is called
 * once per message. Methods run on the client's upload threads (the caller's thread for drops at
 * enqueue, a close thread for what close gave up on), so they should be quick: a slow callback holds
 * back that thread's next upload. Anything they throw, an {@link Error} included, is logged and
 * otherwise ignored; the client never interrupts them. They may enqueue, flush and close; see
 * {@link Analytics} for what that does from a callback ({@link Analytics#flush(java.time.Duration)}
 * throws). An {@link AnalyticsListener} is treated the same way.
 */
public interface Callback {
  /** A callback that does nothing. */
  Callback NONE = new Callback() {};

  /** The API answered 2xx to a batch holding {@code message}. */
  default void onSuccess(EncodedMessage message) {}

  /**
   * The client gave up on {@code message} after the attempts {@code failure} describes; {@link
   * Failure#mayHaveBeenDelivered()} says whether it may have arrived all the same.
   */
  default void onFailure(EncodedMessage message, Failure failure) {}

  /** {@code message} was never sent, for {@code reason}, and never will be. */
  default void onDropped(EncodedMessage message, DropReason reason) {}
}
