package dev.analytics4j;

import org.jspecify.annotations.Nullable;

/** Why a batch was given up: the last HTTP status or network error, and how many attempts it took. */
public final class Failure {
  private final int statusCode;
  private final @Nullable Throwable cause;
  private final int attempts;
  private final String reason;

  Failure(int statusCode, @Nullable Throwable cause, int attempts, String reason) {
    this.statusCode = statusCode;
    this.cause = cause;
    this.attempts = attempts;
    this.reason = reason;
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

  @Override
  public String toString() {
    return "Failure{" + reason + ", attempts=" + attempts + "}";
  }
}
