package dev.analytics4j.cli;

/** A line that cannot become a message; the message is the reason written to the rejects file. */
final class LineRejectedException extends Exception {
  LineRejectedException(String reason) {
    super(reason, null, false, false);
  }
}
