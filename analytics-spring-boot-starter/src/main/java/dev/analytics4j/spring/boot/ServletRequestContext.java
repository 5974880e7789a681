package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.internal.RequestData;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;

/**
 * A servlet filter that opens the client's scope for each request with the request's data as its
 * lowest layer, and closes it when the request leaves the filter, an exception included: a scope the
 * application left open inside (an exception between open and close) goes with it, so a pooled
 * thread never carries one request's data, or user, into the next. Scopes the application opens
 * inside keep the request data, and {@code Analytics.wrap} carries it to other threads. The ip and
 * url are what the servlet container reports: behind a proxy, set {@code
 * server.forward-headers-strategy}.
 */
final class ServletRequestContext extends RequestContext implements Filter, Ordered {
  /** Resolved on the first request: the client bean need not exist when the container starts. */
  private final Supplier<Analytics> analytics;

  ServletRequestContext(boolean queryStrings, Supplier<Analytics> analytics) {
    super(queryStrings);
    this.analytics = analytics;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest)) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest http = (HttpServletRequest) request;
    Analytics client = analytics.get();
    AnalyticsContext context = RequestData.under(client.currentContext(), of(http.getRemoteAddr(),
        http.getHeader(HttpHeaders.USER_AGENT), http.getHeader(HttpHeaders.ACCEPT_LANGUAGE) != null ? http.getLocale() : null,
        http.getRequestURL().toString(), http.getRequestURI(), http.getQueryString(), http.getHeader(HttpHeaders.REFERER)));
    try (AnalyticsContext.Scope scope = client.attach(context)) {
      chain.doFilter(request, response);
    }
  }

  /** Early, after Spring's forwarded-header filter, so that every filter after it and the handler see it. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 100;
  }
}
