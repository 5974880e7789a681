package dev.analytics4j.spring.boot;

import org.jspecify.annotations.Nullable;

/**
 * An {@code analytics4j.*} value the client refuses, with the property's name, so that
 * {@link InvalidPropertyFailureAnalyzer} can tell the user which line of their configuration to
 * change, instead of the builder's words at the end of a long stack trace.
 */
final class InvalidPropertyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;
  private final String allowed;
  private final @Nullable String origin;

  InvalidPropertyException(String property, String value, String allowed, @Nullable String origin,
      String reason, @Nullable Throwable cause) {
    super(property + "=" + value + " is refused: " + reason, cause);
    this.property = property;
    this.value = value;
    this.allowed = allowed;
    this.origin = origin;
  }

  /** The property's full name, such as {@code analytics4j.flush-at}. */
  String property() {
    return property;
  }

  /** The value as bound, or a mark in place of a secret. */
  String value() {
    return value;
  }

  /** What the property accepts, as a phrase: "a whole number from 1 to 2500". */
  String allowed() {
    return allowed;
  }

  /** Where the value was set, such as "class path resource [application.properties] - 3:18", or null. */
  @Nullable String origin() {
    return origin;
  }

  /** The builder's own words. */
  String reason() {
    String message = getMessage();
    return message.substring(message.indexOf(" is refused: ") + " is refused: ".length());
  }
}
