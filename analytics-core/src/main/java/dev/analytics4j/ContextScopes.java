package dev.analytics4j;

import dev.analytics4j.internal.Log;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's {@link AnalyticsContext} per thread. Until a scope is first opened nothing is looked
 * up, so a client that never uses scopes pays one volatile read per message.
 */
final class ContextScopes {
  private static final Log logger = Log.get(ContextScopes.class);

  private final ThreadLocal<AnalyticsContext> current = new ThreadLocal<>();
  private volatile boolean used;

  AnalyticsContext current() {
    if (!used) return AnalyticsContext.EMPTY;
    AnalyticsContext context = current.get();
    return context != null ? context : AnalyticsContext.EMPTY;
  }

  AnalyticsContext.Scope attach(AnalyticsContext context) {
    used = true;
    AnalyticsContext previous = current();
    set(context);
    return new ThreadScope(Thread.currentThread(), previous, context);
  }

  private void set(AnalyticsContext context) {
    if (context.isEmpty()) {
      current.remove();
    } else {
      current.set(context);
    }
  }

  Runnable wrap(Runnable task) {
    AnalyticsContext captured = current();
    return () -> {
      try (AnalyticsContext.Scope scope = attach(captured)) {
        task.run();
      }
    };
  }

  <T> Callable<T> wrap(Callable<T> task) {
    AnalyticsContext captured = current();
    return () -> {
      try (AnalyticsContext.Scope scope = attach(captured)) {
        return task.call();
      }
    };
  }

  Executor wrap(Executor executor) {
    return task -> executor.execute(wrap(task));
  }

  private final class ThreadScope implements AnalyticsContext.Scope {
    private final Thread owner;
    private final AnalyticsContext previous;
    private final AnalyticsContext installed;
    private final AtomicBoolean closed = new AtomicBoolean();

    ThreadScope(Thread owner, AnalyticsContext previous, AnalyticsContext installed) {
      this.owner = owner;
      this.previous = previous;
      this.installed = installed;
    }

    @Override
    public void close() {
      if (Thread.currentThread() != owner) {
        logger.warn("An analytics context scope was closed on {}, not on {} that opened it; ignored: "
            + "close it where it was opened (use Analytics.wrap to carry a context)", Thread.currentThread(), owner);
        return;
      }
      if (!closed.compareAndSet(false, true)) {
        logger.warn("An analytics context scope was closed twice; ignored");
        return;
      }
      if (current() != installed) {
        logger.warn("Analytics context scopes closed out of order (an outer one before an inner one); "
            + "restoring what this one replaced");
      }
      set(previous);
    }
  }
}
