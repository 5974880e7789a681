package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The future {@link Analytics#flush()} returns. Only the client completes it, so one instance can be
 * shared by every flush that covers the same messages (a caller flushing in a loop against a dead
 * endpoint allocates nothing per call); attempts by callers to complete or cancel it are ignored and
 * return false. Dependent stages are ordinary {@link CompletableFuture}s.
 */
final class FlushFuture extends CompletableFuture<FlushResult> {
  static final FlushFuture EMPTY = new FlushFuture();

  /**
   * The result, set under the queue's lock as the flush completes, before the completer resolves the
   * future: what a flush that times out in between reports.
   */
  volatile @Nullable FlushResult completedWith;

  static {
    EMPTY.resolve(Internal.get().emptyFlushResult());
  }

  void resolve(FlushResult result) {
    super.complete(result);
  }

  @Override
  public boolean complete(FlushResult value) {
    return false;
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    return false;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return false;
  }

  @Override
  public void obtrudeValue(FlushResult value) {
    throw new UnsupportedOperationException("a flush's result is set by the client only");
  }

  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException("a flush's result is set by the client only");
  }

  @Override
  public CompletableFuture<FlushResult> completeAsync(Supplier<? extends FlushResult> supplier, Executor executor) {
    return this;
  }

  @Override
  public CompletableFuture<FlushResult> completeAsync(Supplier<? extends FlushResult> supplier) {
    return this;
  }

  /** A timeout applies to a copy, which the caller owns; this future stays the client's. */
  @Override
  public CompletableFuture<FlushResult> orTimeout(long timeout, TimeUnit unit) {
    return copy().orTimeout(timeout, unit);
  }

  @Override
  public CompletableFuture<FlushResult> completeOnTimeout(FlushResult value, long timeout, TimeUnit unit) {
    return copy().completeOnTimeout(value, timeout, unit);
  }

  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
