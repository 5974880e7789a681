package dev.analytics4j.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The loop of the client's one flusher thread: takes each due batch from the {@link MessageQueue}
 * and hands it to the {@link Uploader}. It blocks only in {@link MessageQueue#take()}, a timed wait,
 * and survives anything thrown, an {@link Error} included, pausing briefly after one so that a
 * persistent failure cannot make it spin. It ends when the queue is closed and drained, or
 * given up. Should it end any other way, {@code onDeath} is told, so that the client reports what
 * it holds and refuses new messages instead of holding them forever.
 */
final class Flusher implements Runnable {
  private static final Log logger = Log.get(Flusher.class);
  private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final MessageQueue queue;
  private final Uploader uploader;
  private final Consumer<Throwable> onDeath;
  /** Reads backlog messages from the spool into the window; null without a spool. */
  private final @Nullable Runnable refill;

  Flusher(MessageQueue queue, Uploader uploader, Consumer<Throwable> onDeath) {
    this(queue, uploader, onDeath, null);
  }

  Flusher(MessageQueue queue, Uploader uploader, Consumer<Throwable> onDeath, @Nullable Runnable refill) {
    this.queue = queue;
    this.uploader = uploader;
    this.onDeath = onDeath;
    this.refill = refill;
  }

  @Override
  public void run() {
    Throwable death = new IllegalStateException("the flusher thread ended unexpectedly");
    try {
      loop();
      death = null;
    } catch (Throwable t) {
      death = t;
    } finally {
      if (death != null) onDeath.accept(death);
    }
  }

  private void loop() {
    while (true) {
      Batch batch = null;
      try {
        batch = queue.take();
        if (batch == null) break;
        if (batch == MessageQueue.REFILL) {
          batch = null;
          if (refill != null) refill.run();
          continue;
        }
        uploader.submit(batch);
      } catch (InterruptedException e) {
        // close() interrupts only after giving up the queue's messages, so the next take() returns null.
        logger.debug("Flusher interrupted");
      } catch (Throwable t) {
        try {
          logger.error("Flusher caught an unexpected error; continuing", t);
        } catch (Throwable ignored) {
          // Out of memory even for the log line; carry on all the same.
        }
        if (batch != null) uploader.failUnsent(batch, t);
        LockSupport.parkNanos(ERROR_PAUSE_NANOS);
      }
    }
    logger.debug("Flusher stopped");
  }
}
