package dev.analytics4j;

import org.jspecify.annotations.Nullable;

/** Why a batch was given up: the last HTTP status or network error, and how many attempts it took. */
public final class Failure {
  private final int statusCode;
  private final @Nullable Throwable cause;
  private final int attempts;
  private final String reason;
  private final boolean mayHaveBeenDelivered;
  private final boolean abandonedAtClose;
  private final boolean expired;

  Failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered) {
    this(statusCode, cause, attempts, reason, mayHaveBeenDelivered, false);
  }

  Failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose) {
    this(statusCode, cause, attempts, reason, mayHaveBeenDelivered, abandonedAtClose, false);
  }

  Failure(int statusCode, @Nullable Throwable cause, int attempts, String reason,
      boolean mayHaveBeenDelivered, boolean abandonedAtClose, boolean expired) {
    this.statusCode = statusCode;
    this.cause = cause;
    this.attempts = attempts;
    this.reason = reason;
    this.mayHaveBeenDelivered = mayHaveBeenDelivered;
    this.abandonedAtClose = abandonedAtClose;
    this.expired = expired;
  }

  /** The HTTP status of the last response, or 0 when the last attempt got no response. */
  public int statusCode() {
    return statusCode;
  }

  /** The exception of the last attempt (network error, cancellation), or null after a response. */
  public @Nullable Throwable cause() {
    return cause;
  }

  /** How many HTTP requests were made for the batch (0 when it was never sent). */
  public int attempts() {
    return attempts;
  }

  /** A sentence for logs, e.g. {@code "HTTP 400 is not retryable"}. */
  public String reason() {
    return reason;
  }

  /**
   * True when a request for the batch ended without an answer after it may have reached the API
   * (a read timeout, a reset connection, or close cutting an attempt short), so the messages may
   * have been accepted after all. Sending them again is safe: the API deduplicates by messageId.
   */
  public boolean mayHaveBeenDelivered() {
    return mayHaveBeenDelivered;
  }

  /**
   * True when the client gave up on the batch because {@link Analytics#close(java.time.Duration)}
   * reached its deadline, not because of an answer: during an attempt (then {@link #statusCode()}
   * is 0 and {@link #cause()} null) or while it waited to retry after the last answer or error they
   * give.
   */
  public boolean abandonedAtClose() {
    return abandonedAtClose;
  }

  /**
   * True when, with a spool, the endpoint kept answering with retryable errors (or could not be
   * reached) until the messages were older than {@link Analytics.Builder#spoolMaxAge}; {@link
   * #statusCode()} and {@link #cause()} give the last answer or error. Without a spool, retries end
   * at {@code maxRetries} or {@code maxRetryDuration} instead, and this is always false.
   */
  public boolean expired() {
    return expired;
  }

  @Override
  public String toString() {
    return "Failure{" + reason + ", attempts=" + attempts
        + (mayHaveBeenDelivered ? ", mayHaveBeenDelivered" : "") + "}";
  }
}
