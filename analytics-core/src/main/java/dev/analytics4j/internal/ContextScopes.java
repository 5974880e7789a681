package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * One client's {@link AnalyticsContext} per thread. Until a scope is first opened nothing is looked
 * up, so a client that never uses scopes pays one volatile read per message.
 *
 * <p>The thread holds its innermost open scope, each scope the one it replaced: closing scopes out
 * of order must never bring back a scope that was closed already, or a pooled thread would carry
 * it into the next request.
 */
public final class ContextScopes {
  private static final Log logger = Log.get(ContextScopes.class);

  private final ThreadLocal<ThreadScope> current = new ThreadLocal<>();
  private volatile boolean used;

  public AnalyticsContext current() {
    if (!used) return Internal.get().emptyContext();
    ThreadScope scope = current.get();
    return scope != null ? scope.installed : Internal.get().emptyContext();
  }

  public AnalyticsContext.Scope attach(AnalyticsContext context) {
    used = true;
    ThreadScope scope = new ThreadScope(Thread.currentThread(), current.get(), context);
    current.set(scope);
    return scope;
  }

  /** Makes {@code scope}, or the nearest scope around it still open, current on this thread. */
  private void restore(@Nullable ThreadScope scope) {
    while (scope != null && scope.closed) scope = scope.previous;
    // Null, not remove(): the thread keeps its entry, so the next scope opened on it (a pooled
    // thread's next request) allocates none. The entry holds nothing, and goes with the thread.
    current.set(scope);
  }

  public Runnable wrap(Runnable task) {
    AnalyticsContext captured = current();
    return () -> {
      try (AnalyticsContext.Scope scope = attach(captured)) {
        task.run();
      }
    };
  }

  public <T> Callable<T> wrap(Callable<T> task) {
    AnalyticsContext captured = current();
    return () -> {
      try (AnalyticsContext.Scope scope = attach(captured)) {
        return task.call();
      }
    };
  }

  public Executor wrap(Executor executor) {
    return task -> executor.execute(wrap(task));
  }

  private final class ThreadScope implements AnalyticsContext.Scope {
    private final Thread owner;
    private final @Nullable ThreadScope previous;
    final AnalyticsContext installed;
    /** Read and written by the owner thread alone. */
    private boolean closed;

    ThreadScope(Thread owner, @Nullable ThreadScope previous, AnalyticsContext installed) {
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
      if (closed) {
        logger.warn("An analytics context scope was closed twice; ignored");
        return;
      }
      closed = true;
      ThreadScope innermost = current.get();
      if (innermost == this) {
        restore(previous);
        return;
      }
      if (encloses(innermost)) {
        // A scope left open inside this one (an inner scope never closed) must not outlive it.
        logger.warn("Analytics context scopes closed out of order (an outer one before an inner one); "
            + "restoring what the outer one replaced");
        restore(previous);
      } else {
        // Its enclosing scope was closed first and took it off the thread already.
        logger.warn("Analytics context scopes closed out of order (an inner one after an outer one); "
            + "the current context is left as it is");
      }
    }

    private boolean encloses(@Nullable ThreadScope scope) {
      for (ThreadScope s = scope; s != null; s = s.previous) if (s == this) return true;
      return false;
    }
  }
}
