package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.internal.RequestData;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * WebFlux has no request thread: this filter puts the client's scope for the request (the request's
 * data as its lowest layer) into the Reactor {@code Context} of the exchange, and a {@code
 * ThreadLocalAccessor} registered with Micrometer's context-propagation library attaches it
 * ({@code Analytics.attach}) around each signal on whichever thread runs the application's operators,
 * and closes it afterwards, with Reactor's automatic context propagation
 * ({@code spring.reactor.context-propagation=auto}). Without automatic propagation nothing is
 * attached. A scope the application leaves open inside a signal goes when the signal's is closed.
 */
final class ReactiveRequestContext extends RequestContext implements WebFilter, Ordered {
  static final String KEY = "dev.analytics4j.request-context";

  static {
    ContextRegistry.getInstance().registerThreadLocalAccessor(new Accessor());
  }

  /** Resolved on the first request, as the servlet filter does. */
  private final Supplier<Analytics> analytics;

  ReactiveRequestContext(boolean queryStrings, Supplier<Analytics> analytics) {
    super(queryStrings);
    this.analytics = analytics;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    return chain.filter(exchange).contextWrite(context -> {
      Analytics client = analytics.get();
      Attached around = context.getOrDefault(KEY, null);
      AnalyticsContext base = around != null && around.client == client ? around.context : RequestData.none();
      return context.put(KEY, new Attached(client, RequestData.under(base, of(exchange.getRequest()))));
    });
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

  /** A request's context in the Reactor {@code Context}, with the client it belongs to. */
  static final class Attached {
    final Analytics client;
    final AnalyticsContext context;

    Attached(Analytics client, AnalyticsContext context) {
      this.client = client;
      this.context = context;
    }
  }

  /**
   * Attaches a request's context for the length of a signal and closes it after: a stack per
   * thread, as signals nest (an operator that subscribes to another publisher inside one). Reactor
   * pairs every {@code setValue} with a {@code restore} on the same thread.
   */
  static final class Accessor implements ThreadLocalAccessor<Attached> {
    private static final ThreadLocal<@Nullable ArrayDeque<Entry>> ATTACHED = new ThreadLocal<>();

    /** What one {@code setValue} attached: null when it cleared the thread and nothing was attached. */
    private static final class Entry {
      final @Nullable Attached value;
      final AnalyticsContext.@Nullable Scope scope;

      Entry(@Nullable Attached value, AnalyticsContext.@Nullable Scope scope) {
        this.value = value;
        this.scope = scope;
      }
    }

    @Override
    public Object key() {
      return KEY;
    }

    @Override
    public @Nullable Attached getValue() {
      ArrayDeque<Entry> stack = ATTACHED.get();
      Entry top = stack != null ? stack.peek() : null;
      return top != null ? top.value : null;
    }

    @Override
    public void setValue(Attached value) {
      push(new Entry(value, value.client.attach(value.context)));
    }

    /** A signal without a request context: the thread has none while it runs. */
    @Override
    public void setValue() {
      ArrayDeque<Entry> stack = ATTACHED.get();
      Entry top = stack != null ? stack.peek() : null;
      Attached current = top != null ? top.value : null;
      push(new Entry(null, current != null ? current.client.attach(RequestData.none()) : null));
    }

    @Override
    public void restore(Attached previousValue) {
      pop();
    }

    @Override
    public void restore() {
      pop();
    }

    private static void push(Entry entry) {
      ArrayDeque<Entry> stack = ATTACHED.get();
      if (stack == null) {
        stack = new ArrayDeque<>();
        ATTACHED.set(stack);
      }
      stack.push(entry);
    }

    private static void pop() {
      ArrayDeque<Entry> stack = ATTACHED.get();
      if (stack == null || stack.isEmpty()) return;
      Entry entry = stack.pop();
      if (stack.isEmpty()) ATTACHED.remove();
      if (entry.scope != null) entry.scope.close();
    }
  }
}
