package dev.analytics4j.spring.boot;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The current web request's context for {@code Analytics.Builder#defaultContext}, in the Tracking
 * API's reserved keys: {@code ip}, {@code userAgent}, {@code locale} and {@code page} ({@code url},
 * {@code path}, {@code search}, {@code referrer}). Null off a request.
 */
abstract class RequestContext implements Supplier<@Nullable Map<String, ?>> {

  static Map<String, Object> of(@Nullable String ip, @Nullable String userAgent, @Nullable Locale locale,
      String url, String path, @Nullable String query, @Nullable String referrer) {
    Map<String, Object> context = new LinkedHashMap<>();
    if (ip != null) context.put("ip", ip);
    if (userAgent != null) context.put("userAgent", userAgent);
    if (locale != null) context.put("locale", locale.toLanguageTag());
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("path", path);
    if (referrer != null) page.put("referrer", referrer);
    if (query != null && !query.isEmpty()) page.put("search", "?" + query);
    page.put("url", query != null && !query.isEmpty() ? url + "?" + query : url);
    context.put("page", page);
    return context;
  }
}
