package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.CollectingTransport;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The thread's scopes are kept in a holder the thread keeps (one ThreadLocal lookup per open, close
 * or read). Random opens, attaches and closes (in order, out of order, twice, from another thread)
 * must leave the current context exactly where the ThreadLocal-per-change implementation it
 * replaced left it: that one is kept below as the reference.
 */
class ContextScopesHolderTest {
  private final Analytics values = Analytics.builder("k").transport(new CollectingTransport()).shutdownHook(false).build();

  @AfterEach
  void close() {
    values.close();
  }

  @Test
  void randomOpensAndClosesLeaveTheContextWhereTheThreadLocalImplementationLeftIt() throws Exception {
    Random random = new Random(19);
    for (int round = 0; round < 300; round++) {
      ContextScopes scopes = new ContextScopes();
      ThreadLocalScopes reference = new ThreadLocalScopes();
      List<AnalyticsContext.Scope> opened = new ArrayList<>();
      List<AnalyticsContext.Scope> referenceOpened = new ArrayList<>();
      List<String> log = new ArrayList<>();
      for (int op = 0; op < 30; op++) {
        int kind = random.nextInt(10);
        if (kind < 4 || opened.isEmpty()) {
          AnalyticsContext.Builder builder = values.context();
          if (random.nextBoolean()) builder.userId("u" + op);
          if (random.nextInt(3) == 0) builder.anonymousId("a" + op);
          if (random.nextBoolean()) builder.property("k" + random.nextInt(4), op);
          if (random.nextBoolean()) builder.context("c" + random.nextInt(4), op);
          AnalyticsContext context = builder.build();
          if (random.nextBoolean()) {
            log.add("open " + context);
            opened.add(scopes.open(context));
            referenceOpened.add(reference.attach(Internal.get().nested(reference.current(), context)));
          } else {
            log.add("attach " + context);
            opened.add(scopes.attach(context));
            referenceOpened.add(reference.attach(context));
          }
        } else if (kind < 9) {
          int i = random.nextInt(opened.size());
          log.add("close " + i);
          opened.get(i).close();
          referenceOpened.get(i).close();
        } else {
          int i = random.nextInt(opened.size());
          log.add("close " + i + " on another thread");
          Thread other = new Thread(() -> {
            opened.get(i).close();
            referenceOpened.get(i).close();
          });
          other.start();
          other.join();
        }
        assertEquals(describe(reference.current()), describe(scopes.current()), "round " + round + " " + log);
      }
      AtomicReference<String> elsewhere = new AtomicReference<>();
      Thread other = new Thread(() -> elsewhere.set(describe(scopes.current())));
      other.start();
      other.join();
      assertEquals(describe(Internal.get().emptyContext()), elsewhere.get(), "another thread's context");
    }
  }

  private static String describe(AnalyticsContext context) {
    return context.userId() + " " + context.anonymousId() + " " + context.properties() + " " + context.context();
  }

  /** The implementation before the holder (log lines left out): the ThreadLocal set at every change. */
  private static final class ThreadLocalScopes {
    private final ThreadLocal<ThreadScope> current = new ThreadLocal<>();

    AnalyticsContext current() {
      ThreadScope scope = current.get();
      return scope != null ? scope.installed : Internal.get().emptyContext();
    }

    AnalyticsContext.Scope attach(AnalyticsContext context) {
      ThreadScope scope = new ThreadScope(Thread.currentThread(), current.get(), context);
      current.set(scope);
      return scope;
    }

    private void restore(@Nullable ThreadScope scope) {
      while (scope != null && scope.closed) scope = scope.previous;
      current.set(scope);
    }

    private final class ThreadScope implements AnalyticsContext.Scope {
      private final Thread owner;
      private final @Nullable ThreadScope previous;
      final AnalyticsContext installed;
      private boolean closed;

      ThreadScope(Thread owner, @Nullable ThreadScope previous, AnalyticsContext installed) {
        this.owner = owner;
        this.previous = previous;
        this.installed = installed;
      }

      @Override
      public void close() {
        if (Thread.currentThread() != owner || closed) return;
        closed = true;
        ThreadScope innermost = current.get();
        if (innermost == this || encloses(innermost)) restore(previous);
      }

      private boolean encloses(@Nullable ThreadScope scope) {
        for (ThreadScope s = scope; s != null; s = s.previous) if (s == this) return true;
        return false;
      }
    }
  }
}
