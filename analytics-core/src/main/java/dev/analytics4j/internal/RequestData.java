package dev.analytics4j.internal;

import dev.analytics4j.AnalyticsContext;
import java.util.Map;
import java.util.Objects;

/**
 * Not API: may change in any release. The lowest layer of an {@link AnalyticsContext}, for the Spring
 * Boot starter's request data (ip, userAgent, locale, page): top-level context keys that fill in
 * where neither the message, nor the scope, nor {@code defaultContext} set them. It travels with the
 * scope (nested scopes, {@code Analytics.wrap}, {@code currentContext}/{@code attach}), so that a
 * request's data follows its work to other threads, and a user's scope opened inside the request
 * keeps it.
 */
public final class RequestData {
  private RequestData() {}

  /**
   * {@code context} with {@code requestData} (copied deeply) as its lowest layer, in place of the
   * one it had.
   */
  public static AnalyticsContext under(AnalyticsContext context, Map<String, ?> requestData) {
    Objects.requireNonNull(context, "context == null");
    Objects.requireNonNull(requestData, "requestData == null");
    return Internal.get().withRequestData(context, requestData);
  }

  /** A context with nothing in it: what a thread has outside every scope. */
  public static AnalyticsContext none() {
    return Internal.get().emptyContext();
  }
}
