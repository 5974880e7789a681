package dev.analytics4j;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of the client's one flusher thread: takes each due batch from the {@link MessageQueue}
 * and hands it to the {@link Uploader}, and seals flush markers as they come up. It blocks only in
 * {@link MessageQueue#take()}, a timed wait, and survives any exception; it ends when the queue is
 * closed and drained, or abandoned.
 */
final class Flusher implements Runnable {
  private static final Logger logger = LoggerFactory.getLogger(Flusher.class);

  private final MessageQueue queue;
  private final Uploader uploader;

  Flusher(MessageQueue queue, Uploader uploader) {
    this.queue = queue;
    this.uploader = uploader;
  }

  @Override
  public void run() {
    while (true) {
      try {
        Object next = queue.take();
        if (next == null) break;
        if (next instanceof FlushMarker) {
          ((FlushMarker) next).seal();
        } else {
          uploader.submit((Batch) next);
        }
      } catch (InterruptedException e) {
        // close() interrupts only after abandoning the queue, so the next take() returns null.
        logger.debug("Flusher interrupted");
      } catch (Throwable t) {
        logger.error("Flusher caught an unexpected error; continuing", t);
        if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
      }
    }
    logger.debug("Flusher stopped");
  }
}
