package dev.analytics4j.spark;

/**
 * A row that cannot become a message: {@link #reason()} groups such rows in the summary (it names the
 * column, never a value), while the message adds the detail for the rejects file.
 */
final class RejectedValueException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String reason;

  RejectedValueException(String reason, String detail) {
    super(detail.isEmpty() ? reason : reason + ": " + detail, null, false, false);
    this.reason = reason;
  }

  RejectedValueException(String reason) {
    this(reason, "");
  }

  /** What went wrong and where, without the row's values: the key the summary counts by. */
  String reason() {
    return reason;
  }
}
