package dev.analytics4j.internal;

import dev.analytics4j.AnalyticsContext;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Not API: may change in any release. The lowest layer of an {@link AnalyticsContext}, for the Spring
 * Boot starter's request data (ip, userAgent, locale, page): top-level context keys that fill in
 * where neither the message, nor the scope, nor {@code defaultContext} set them. It travels with the
 * scope (nested scopes, {@code Analytics.wrap}, {@code currentContext}/{@code attach}), so that a
 * request's data follows its work to other threads, and a user's scope opened inside the request
 * keeps it.
 */
public abstract class RequestData {
  private static volatile @Nullable RequestData instance;

  /** Called once, by {@link AnalyticsContext}. */
  public static void install(RequestData core) {
    instance = core;
  }

  /**
   * {@code context} with {@code requestData} (copied deeply) as its lowest layer, in place of the
   * one it had.
   */
  public static AnalyticsContext under(AnalyticsContext context, Map<String, ?> requestData) {
    Objects.requireNonNull(context, "context == null");
    Objects.requireNonNull(requestData, "requestData == null");
    return core().withRequestData(context, requestData);
  }

  /** A context with nothing in it: what a thread has outside every scope. */
  public static AnalyticsContext none() {
    return core().empty();
  }

  private static RequestData core() {
    RequestData core = instance;
    if (core == null) {
      // Initializing AnalyticsContext runs its static initializer, which installs the core.
      try {
        Class.forName(AnalyticsContext.class.getName(), true, AnalyticsContext.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      core = instance;
      if (core == null) throw new IllegalStateException("AnalyticsContext did not install its request data core");
    }
    return core;
  }

  protected abstract AnalyticsContext withRequestData(AnalyticsContext context, Map<String, ?> requestData);

  protected abstract AnalyticsContext empty();
}
