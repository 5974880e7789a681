package dev.analytics4j.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class that exists to be run by {@link org.junit.platform.testkit.engine.EngineTestKit}
 * (and fails on purpose) when anything else, such as an IDE or {@code -Dtest}, runs it.
 */
final class OnlyInEngineTestKit implements ExecutionCondition {
  static final String KEY = "analytics4j.engineTestKit";

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return context.getConfigurationParameter(KEY).isPresent()
        ? ConditionEvaluationResult.enabled("run by EngineTestKit")
        : ConditionEvaluationResult.disabled("runs only inside EngineTestKit");
  }
}
