package dev.analytics4j;

import java.util.concurrent.CountDownLatch;

/** For test doubles that block as code deaf to interrupts does: a lock, a socket read without a timeout. */
public final class Uninterruptibly {
  private Uninterruptibly() {}

  /** Waits until {@code latch} opens whatever interrupts come, and leaves the thread interrupted if one did. */
  public static void await(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
