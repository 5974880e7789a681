package dev.analytics4j.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The request Spring MVC bound to the current thread ({@link RequestContextHolder}); nothing on
 * other threads, such as an {@code @Async} executor's. The ip and url are what the servlet
 * container reports: behind a proxy, set {@code server.forward-headers-strategy}.
 */
final class ServletRequestContext extends RequestContext {
  ServletRequestContext(boolean queryStrings) {
    super(queryStrings);
  }

  @Override
  public @Nullable Map<String, ?> get() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    if (!(attributes instanceof ServletRequestAttributes)) return null;
    HttpServletRequest request = ((ServletRequestAttributes) attributes).getRequest();
    return of(request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT),
        request.getHeader(HttpHeaders.ACCEPT_LANGUAGE) != null ? request.getLocale() : null,
        request.getRequestURL().toString(), request.getRequestURI(), request.getQueryString(),
        request.getHeader(HttpHeaders.REFERER));
  }
}
