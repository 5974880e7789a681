package dev.analytics4j;

/** Why a message was dropped: it was never sent, and never will be. */
public enum DropReason {
  /** The queue held {@code maxQueueSize} messages or {@code maxQueueBytes} bytes already. */
  QUEUE_FULL,
  /** The message was offered with {@code offer} after {@link Analytics#close()} had started. */
  CLOSED,
  /**
   * {@link Analytics#close()} reached its deadline before the message's first request. (A message
   * whose request was already sent is reported as a failure instead, as it may have arrived.)
   */
  CLOSE_TIMEOUT,
  /**
   * The client's flusher thread ended with an unexpected {@link Error}, so nothing more can be sent;
   * the client refuses new messages from then on.
   */
  CLIENT_FAILED,
  /** The client was built with {@code enabled(false)}: the message was validated, never sent. */
  DISABLED
}
