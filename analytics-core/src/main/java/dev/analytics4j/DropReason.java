package dev.analytics4j;

/** Why a message was dropped without being sent. */
public enum DropReason {
  /** The queue held {@code maxQueueSize} messages or {@code maxQueueBytes} bytes already. */
  QUEUE_FULL,
  /** The message was offered after {@link Analytics#close()} had started. */
  CLOSED,
  /** {@link Analytics#close()} reached its deadline before the message could be sent. */
  CLOSE_TIMEOUT,
  /** The client was built with {@code enabled(false)}: the message was validated, never sent. */
  DISABLED
}
