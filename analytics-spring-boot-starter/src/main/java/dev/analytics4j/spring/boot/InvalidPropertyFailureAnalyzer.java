package dev.analytics4j.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a refused {@code analytics4j.*} value into Boot's "APPLICATION FAILED TO START" report:
 * the property, its value, where it was set, why it was refused, and what it accepts. Registered
 * in {@code META-INF/spring.factories}.
 */
final class InvalidPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidPropertyException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidPropertyException cause) {
    String origin = cause.origin();
    String description = "Invalid value '" + cause.value() + "' for configuration property '" + cause.property() + "'"
        + (origin != null ? " (from " + origin + ")" : "") + ".\n\nReason: " + cause.reason();
    String action = "Set " + cause.property() + " to " + cause.allowed() + ", or remove it to use the default.";
    return new FailureAnalysis(description, action, cause);
  }
}
