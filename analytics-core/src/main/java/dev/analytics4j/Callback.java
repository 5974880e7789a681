package dev.analytics4j;

/**
 * Learns the fate of every message the client accepted: exactly one of these methods is called
 * once per message. Methods run on the client's upload threads (or the caller's thread for drops at
 * enqueue time), so they must be quick and must not block; exceptions they throw are logged and
 * otherwise ignored.
 */
public interface Callback {
  /** A callback that does nothing. */
  Callback NONE = new Callback() {};

  /** The API answered 2xx to a batch holding {@code message}. */
  default void onSuccess(EncodedMessage message) {}

  /** The client gave up on {@code message} after the attempts {@code failure} describes. */
  default void onFailure(EncodedMessage message, Failure failure) {}

  /** {@code message} was never sent, for {@code reason}. */
  default void onDropped(EncodedMessage message, DropReason reason) {}
}
