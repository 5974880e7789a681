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

  /**
   * The thread's innermost scope, in a holder the thread keeps: opening and closing a scope writes
   * the holder's field instead of setting the ThreadLocal (a lookup in the thread's map each), and
   * the next scope opened on the thread (a pooled thread's next request) allocates no entry.
   */
  private static final class Holder {
    @Nullable ThreadScope innermost;
  }

  private final ThreadLocal<Holder> current = new ThreadLocal<>();
  private volatile boolean used;

  public AnalyticsContext current() {
    if (!used) return Internal.get().emptyContext();
    Holder holder = current.get();
    ThreadScope scope = holder != null ? holder.innermost : null;
    return scope != null ? scope.installed : Internal.get().emptyContext();
  }

  public AnalyticsContext.Scope attach(AnalyticsContext context) {
    Holder holder = holder();
    ThreadScope scope = new ThreadScope(Thread.currentThread(), holder, holder.innermost, context);
    holder.innermost = scope;
    return scope;
  }

  /**
   * Opens {@code values} over the thread's current context (a scope nests in the one around it):
   * what {@code attach(current().with(values))} does, with one lookup of the thread's holder.
   */
  public AnalyticsContext.Scope open(AnalyticsContext values) {
    Holder holder = holder();
    ThreadScope previous = holder.innermost;
    AnalyticsContext installed = previous == null ? values : Internal.get().nested(previous.installed, values);
    ThreadScope scope = new ThreadScope(Thread.currentThread(), holder, previous, installed);
    holder.innermost = scope;
    return scope;
  }

  private Holder holder() {
    // Written once: a volatile write on every open would cost every scope a fence.
    if (!used) used = true;
    Holder holder = current.get();
    if (holder == null) {
      holder = new Holder();
      current.set(holder);
    }
    return holder;
  }

  /** Makes {@code scope}, or the nearest scope around it still open, current on its thread. */
  private static void restore(Holder holder, @Nullable ThreadScope scope) {
    while (scope != null && scope.closed) scope = scope.previous;
    holder.innermost = scope;
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

  private static final class ThreadScope implements AnalyticsContext.Scope {
    private final Thread owner;
    /** The owner thread's holder: read and written by the owner thread alone. */
    private final Holder holder;
    private final @Nullable ThreadScope previous;
    final AnalyticsContext installed;
    /** Read and written by the owner thread alone. */
    private boolean closed;

    ThreadScope(Thread owner, Holder holder, @Nullable ThreadScope previous, AnalyticsContext installed) {
      this.owner = owner;
      this.holder = holder;
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
      ThreadScope innermost = holder.innermost;
      if (innermost == this) {
        restore(holder, previous);
        return;
      }
      if (encloses(innermost)) {
        // A scope left open inside this one (an inner scope never closed) must not outlive it.
        logger.warn("Analytics context scopes closed out of order (an outer one before an inner one); "
            + "restoring what the outer one replaced");
        restore(holder, previous);
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
