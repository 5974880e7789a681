package dev.analytics4j.internal;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The checks of the endpoint and upload URLs a client is given. {@link URI} alone is not enough:
 * it leaves the host null for names with an underscore ({@code analytics_proxy}, common in Docker
 * networks) and accepts any port number, so the authority is checked here: a host name or a
 * bracketed IPv6 address, then an optional port in 1..65535. Credentials are refused without
 * echoing the URL, before anything else can echo it; every other refusal shows the URL without its
 * query and fragment ({@link #shown}).
 */
final class HttpUrls {
  private HttpUrls() {}

  /**
   * {@code endpoint} without trailing slashes, once it is a host (with an optional path prefix) to
   * which {@code /v1/batch} can be appended.
   */
  static String endpoint(String endpoint) {
    URI uri = parse(endpoint, "endpoint");
    String path = trimSlashes(uri.getRawPath() == null ? "" : uri.getRawPath());
    if (path.endsWith("/v1") || path.endsWith("/v1/batch")) {
      throw new IllegalArgumentException("endpoint must be a host without /v1 (the client adds "
          + "/v1/batch); use uploadUrl for a full URL: " + shown(endpoint));
    }
    if (uri.getRawQuery() != null) {
      // Appending /v1/batch would put the path inside the query: "/?tenant=acme/v1/batch".
      throw new IllegalArgumentException("endpoint must not contain a query (the client appends "
          + "/v1/batch); use uploadUrl for a full URL: " + shown(endpoint));
    }
    return trimSlashes(endpoint);
  }

  /** {@code uploadUrl} as it is, once it is an http or https URL an HTTP client will send to. */
  static String uploadUrl(String uploadUrl) {
    parse(uploadUrl, "uploadUrl");
    return uploadUrl;
  }

  /** Parses an http or https URL the way an HTTP client will send to it; {@code name} names it in errors. */
  static URI parse(String url, String name) {
    if (hasUserInfo(url)) throw new IllegalArgumentException(name + " must not contain credentials");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // Not e as the cause: its message quotes the whole URL.
      throw new IllegalArgumentException(name + " is not a valid URL (" + e.getReason() + "): " + shown(url));
    }
    String scheme = uri.getScheme();
    if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
      throw new IllegalArgumentException(name + " must be an http or https URL: " + shown(url));
    }
    String authority = uri.getRawAuthority();
    if (authority == null || authority.isEmpty()) {
      throw new IllegalArgumentException(name + " has no host: " + shown(url));
    }
    checkAuthority(authority, url, name);
    if (uri.getRawFragment() != null) {
      // A fragment is never sent; a URL with one is a mistake, not an address.
      throw new IllegalArgumentException(name + " must not contain a fragment: " + shown(url));
    }
    return uri;
  }

  /** Whether the authority of {@code url} (between {@code scheme:} or {@code //} and the path) has an {@code @}. */
  private static boolean hasUserInfo(String url) {
    int start = 0;
    int colon = url.indexOf(':');
    if (colon >= 0 && url.substring(0, colon).chars().noneMatch(c -> c == '/' || c == '?' || c == '#')) {
      start = colon + 1;
    }
    while (start < url.length() && (url.charAt(start) == '/' || url.charAt(start) == '\\')) start++;
    for (int i = start; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '@') return true;
      // OkHttp, like browsers, ends the authority at a backslash too.
      if (c == '/' || c == '\\' || c == '?' || c == '#') return false;
    }
    return false;
  }

  private static void checkAuthority(String authority, String url, String name) {
    String host;
    String port = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      host = close < 0 ? "" : authority.substring(1, close);
      String rest = close < 0 ? "" : authority.substring(close + 1);
      if (!isIpv6Literal(host) || !(rest.isEmpty() || rest.charAt(0) == ':')) {
        throw new IllegalArgumentException(name + " has an invalid host: " + shown(url));
      }
      if (!rest.isEmpty()) port = rest.substring(1);
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      if (colon >= 0) port = authority.substring(colon + 1);
      if (host.isEmpty()) throw new IllegalArgumentException(name + " has no host: " + shown(url));
      if (!isHostName(host)) throw new IllegalArgumentException(name + " has an invalid host: " + shown(url));
    }
    // An empty port ("host:") means the scheme's default, as in RFC 3986 and OkHttp.
    if (port != null && !port.isEmpty() && !isPort(port)) {
      throw new IllegalArgumentException(name + " port must be in 1..65535: " + shown(url));
    }
  }

  /**
   * Dot-separated labels of letters, digits, {@code -} and {@code _} (an international name is
   * fine: HTTP clients convert it); one trailing dot is allowed, an empty label is not.
   */
  private static boolean isHostName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    if (name.isEmpty()) return false;
    boolean labelEmpty = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '.') {
        if (labelEmpty) return false;
        labelEmpty = true;
      } else if (c == '-' || c == '_' || Character.isLetterOrDigit(name.codePointAt(i))) {
        labelEmpty = false;
        if (Character.isHighSurrogate(c)) i++;
      } else {
        return false;
      }
    }
    return !labelEmpty;
  }

  /** Hex digits, colons and the dots of an embedded IPv4 address; no zone (HTTP clients refuse one). */
  private static boolean isIpv6Literal(String host) {
    if (host.indexOf(':') < 0) return false;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.') return false;
    }
    return true;
  }

  private static boolean isPort(String port) {
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
    int value = Integer.parseInt(port);
    return value >= 1 && value <= 65535;
  }

  /**
   * {@code url} for a message or {@code toString}, which may end up in a log: without its query and
   * fragment, where some collectors take a token (the client keeps an upload URL's query and sends
   * it). Cut at the first {@code ?} or {@code #}, so that it works on a URL that does not parse.
   */
  static String shown(String url) {
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '?') return url.substring(0, i) + "?[hidden]";
      if (c == '#') return url.substring(0, i) + "#[hidden]";
    }
    return url;
  }

  /** {@link #shown(String)}, and without {@code writeKey} should the user have put it in the path. */
  static String shown(String url, String writeKey) {
    return new Redactor(writeKey).redact(shown(url));
  }

  /** Without trailing slashes, so that appending {@code /v1/batch} makes no empty path segment. */
  private static String trimSlashes(String url) {
    int end = url.length();
    while (end > 0 && url.charAt(end - 1) == '/') end--;
    return url.substring(0, end);
  }
}
