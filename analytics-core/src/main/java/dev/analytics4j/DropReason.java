package dev.analytics4j;

/**
 * Why a message was dropped: it was never sent, and never will be by this client ({@link #SPOOLED}
 * excepted: the next client on the same spool directory sends it).
 */
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
  DISABLED,
  /** The spool's byte budget ({@code spoolMaxBytes}) was full: the message was not written. */
  SPOOL_FULL,
  /**
   * The spool could not write the message (a full disk, an I/O error), or could not read it back
   * (its file damaged or deleted); the log says which. The client keeps working.
   */
  SPOOL_ERROR,
  /**
   * Unlike the other reasons, not lost: {@link Analytics#close()} reached its deadline (or the client
   * failed) before the message was delivered, and it was left in the spool, where the next client
   * started on the same directory sends it ({@link EncodedMessage#isRecovered()} is true there). It
   * may have been sent once already, if its request was on the wire; the API deduplicates by
   * {@code messageId}.
   */
  SPOOLED,
  /** A {@link BeforeSend} hook dropped the message on purpose; it was never encoded. */
  BEFORE_SEND,
  /**
   * A {@link BeforeSend} hook threw, or left fields that do not make a valid message (the caller's
   * message itself was valid); a WARN says why. Never encoded.
   */
  BEFORE_SEND_FAILED
}
