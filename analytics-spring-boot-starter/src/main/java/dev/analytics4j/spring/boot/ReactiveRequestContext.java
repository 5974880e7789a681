package dev.analytics4j.spring.boot;

import io.micrometer.context.ContextRegistry;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * WebFlux has no request thread: this filter puts the request's context into the Reactor
 * {@code Context} of the exchange, and a {@code ThreadLocalAccessor} registered with Micrometer's
 * context-propagation library lets Reactor's automatic context propagation
 * ({@code spring.reactor.context-propagation=auto}) restore it on whichever thread runs the
 * application's operators. Without automatic propagation nothing is attached.
 */
final class ReactiveRequestContext extends RequestContext implements WebFilter, Ordered {
  static final String KEY = "dev.analytics4j.request-context";
  private static final ThreadLocal<@Nullable Map<String, Object>> CURRENT = new ThreadLocal<>();

  ReactiveRequestContext(boolean queryStrings) {
    super(queryStrings);
  }

  static {
    ContextRegistry.getInstance().registerThreadLocalAccessor(KEY, CURRENT::get, CURRENT::set, CURRENT::remove);
  }

  @Override
  public @Nullable Map<String, ?> get() {
    return CURRENT.get();
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    return chain.filter(exchange).contextWrite(context -> context.put(KEY, of(exchange.getRequest())));
  }

  /** Early, so the context is there for every filter after it and the handler. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 100;
  }

  Map<String, Object> of(ServerHttpRequest request) {
    HttpHeaders headers = request.getHeaders();
    InetSocketAddress remote = request.getRemoteAddress();
    String ip = remote == null ? null
        : remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    String acceptLanguage = headers.getFirst(HttpHeaders.ACCEPT_LANGUAGE);
    Locale locale = null;
    if (acceptLanguage != null && !headers.getAcceptLanguageAsLocales().isEmpty()) {
      locale = headers.getAcceptLanguageAsLocales().get(0);
    }
    String url = request.getURI().toString();
    int queryStart = url.indexOf('?');
    return of(ip, headers.getFirst(HttpHeaders.USER_AGENT), locale,
        queryStart >= 0 ? url.substring(0, queryStart) : url, request.getURI().getRawPath(),
        request.getURI().getRawQuery(), headers.getFirst(HttpHeaders.REFERER));
  }
}
