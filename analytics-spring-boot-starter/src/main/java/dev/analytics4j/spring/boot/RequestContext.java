package dev.analytics4j.spring.boot;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The current web request's context, in the Tracking API's reserved keys: {@code ip}, {@code
 * userAgent}, {@code locale} and {@code page} ({@code url}, {@code path}, {@code referrer}, and
 * {@code search} when query strings are allowed). The servlet filter and the WebFlux filter that
 * extend this put it into the client's scope for the request ({@code Analytics.context()}), as its
 * lowest layer: the message's own fields, the scope's, and {@code defaultContext} all win over it,
 * and top-level keys any of them set are left to them whole.
 *
 * <p>What a client sends in its request must never make the application's {@code enqueue} throw: the
 * API refuses a message over 32,000 bytes, and a request can carry a User-Agent, a URL or a referrer
 * of any length the server accepts. So each value is cut to its own cap, and all of them together to
 * {@link #TOTAL_BYTES} as serialized, which leaves the application more than 27,000 bytes of its own.
 * Values are cut on character boundaries, never inside a surrogate pair, and an unpaired surrogate
 * becomes U+FFFD: the client refuses those outright.
 *
 * <p>Query strings, the request's and the referrer's, often carry tokens, e-mail addresses or session
 * ids that the application did not mean to send to an analytics vendor: they are left out (the url
 * and referrer end at their path) unless {@code analytics4j.request-context-query-strings} is set.
 */
abstract class RequestContext {
  /** The serialized size of every value this context adds, at most. */
  static final int TOTAL_BYTES = 4_096;
  static final int IP_CHARS = 64;
  static final int LOCALE_CHARS = 64;
  static final int PATH_CHARS = 1_024;
  static final int USER_AGENT_CHARS = 512;
  static final int URL_CHARS = 2_048;
  static final int SEARCH_CHARS = 1_024;
  static final int REFERRER_CHARS = 2_048;

  private final boolean queryStrings;

  RequestContext(boolean queryStrings) {
    this.queryStrings = queryStrings;
  }

  /**
   * The context of one request. {@code url} is without its query; the budget goes first to what
   * is short and most telling (ip, locale, path, userAgent), last to the url, search and referrer.
   */
  Map<String, Object> of(@Nullable String ip, @Nullable String userAgent, @Nullable Locale locale,
      String url, String path, @Nullable String query, @Nullable String referrer) {
    Budget budget = new Budget();
    String ipValue = budget.take("ip", ip, IP_CHARS);
    String localeValue = budget.take("locale", locale != null ? locale.toLanguageTag() : null, LOCALE_CHARS);
    String pathValue = budget.take("path", path, PATH_CHARS);
    String userAgentValue = budget.take("userAgent", userAgent, USER_AGENT_CHARS);
    String search = null;
    if (queryStrings && query != null && !query.isEmpty()) {
      // Whole or not at all: half a query string is another query, and the url keeps it only with it.
      String whole = "?" + query;
      boolean fits = whole.length() <= SEARCH_CHARS && url.length() + whole.length() <= URL_CHARS
          && 2 * jsonBytes(whole) + jsonBytes(url) + 20 <= budget.left;
      if (fits) search = budget.take("search", whole, SEARCH_CHARS);
    }
    String urlValue = budget.take("url", search != null ? url + search : url, URL_CHARS);
    String referrerValue = budget.take("referrer",
        referrer == null || queryStrings ? referrer : withoutQuery(referrer), REFERRER_CHARS);

    Map<String, Object> context = new LinkedHashMap<>();
    if (ipValue != null) context.put("ip", ipValue);
    if (userAgentValue != null) context.put("userAgent", userAgentValue);
    if (localeValue != null) context.put("locale", localeValue);
    Map<String, Object> page = new LinkedHashMap<>();
    if (pathValue != null) page.put("path", pathValue);
    if (referrerValue != null) page.put("referrer", referrerValue);
    if (search != null) page.put("search", search);
    if (urlValue != null) page.put("url", urlValue);
    context.put("page", page);
    return context;
  }

  /** The referrer up to its query or fragment. */
  static String withoutQuery(String url) {
    int end = url.length();
    int query = url.indexOf('?');
    if (query >= 0) end = query;
    int fragment = url.indexOf('#');
    if (fragment >= 0 && fragment < end) end = fragment;
    return url.substring(0, end);
  }

  /** What is left of {@link #TOTAL_BYTES}, in serialized bytes, as values are taken. */
  private static final class Budget {
    int left = TOTAL_BYTES;

    /** {@code value} cut to its cap and to what is left, or null when nothing of it fits. */
    @Nullable String take(String key, @Nullable String value, int maxChars) {
      if (value == null) return null;
      int overhead = key.length() + 4; // the key, its quotes, the colon and a comma
      if (left <= overhead + 2) return null;
      String cut = cut(value, maxChars, left - overhead);
      if (cut.isEmpty() && !value.isEmpty()) return null;
      left -= overhead + jsonBytes(cut);
      return cut;
    }
  }

  /**
   * {@code value}, well-formed, cut to at most {@code maxChars} characters and {@code maxBytes}
   * bytes as JSON, without splitting a surrogate pair.
   */
  static String cut(String value, int maxChars, int maxBytes) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), maxChars));
    int bytes = 2; // the quotes
    for (int i = 0; i < value.length(); ) {
      int codePoint = value.codePointAt(i);
      int chars = Character.charCount(codePoint);
      if (Character.getType(codePoint) == Character.SURROGATE) codePoint = 0xFFFD; // unpaired
      int size = jsonBytes(codePoint);
      if (out.length() + Character.charCount(codePoint) > maxChars || bytes + size > maxBytes) break;
      out.appendCodePoint(codePoint);
      bytes += size;
      i += chars;
    }
    return out.toString();
  }

  /** Bytes of {@code value} as a JSON string, quotes included, as the client's encoder writes it. */
  static int jsonBytes(String value) {
    int bytes = 2;
    for (int i = 0; i < value.length(); ) {
      int codePoint = value.codePointAt(i);
      bytes += jsonBytes(codePoint);
      i += Character.charCount(codePoint);
    }
    return bytes;
  }

  private static int jsonBytes(int codePoint) {
    if (codePoint == '"' || codePoint == '\\') return 2;
    if (codePoint < 0x20 || codePoint == 0x2028 || codePoint == 0x2029) return 6; // at most \\u00XX
    if (codePoint < 0x80) return 1;
    if (codePoint < 0x800) return 2;
    if (codePoint < 0x10000) return 3;
    return 4;
  }
}
