package dev.analytics4j.spring.boot;

import java.util.Map;

/**
 * Reads a health indicator's result without naming Actuator's types, which Boot 3 and Boot 4 keep
 * in different packages: the same tests run on both.
 */
final class Reflect {
  private Reflect() {}

  static String status(Object indicator) {
    Object health = call(indicator, "health");
    return (String) call(call(health, "getStatus"), "getCode");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> details(Object indicator) {
    return (Map<String, Object>) call(call(indicator, "health"), "getDetails");
  }

  private static Object call(Object target, String method) {
    try {
      return target.getClass().getMethod(method).invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(target.getClass() + "." + method + "()", e);
    }
  }
}
