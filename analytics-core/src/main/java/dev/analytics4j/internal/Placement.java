package dev.analytics4j.internal;

import org.jspecify.annotations.Nullable;

/**
 * Where {@link MessageQueue#put} (or {@link MessageQueue#putSpooled}, {@link MessageQueue#reserveDrop})
 * placed a message: in the window, in the spool's backlog, nowhere because the queue is closed or
 * failed, or nowhere because it is full, with the epoch the caller's drop report must be settled in.
 */
final class Placement {
  static final Placement ACCEPTED = new Placement(null);
  static final Placement CLOSED = new Placement(null);
  static final Placement FAILED = new Placement(null);
  /** Counted in the current epoch, held only in the spool until {@link MessageQueue#admit} takes it into the window. */
  static final Placement BACKLOGGED = new Placement(null);

  final @Nullable FlushEpoch epoch;

  Placement(@Nullable FlushEpoch epoch) {
    this.epoch = epoch;
  }

  /** Refused as full: the caller reports the drop, then settles it in {@link #epoch}. */
  boolean isFull() {
    return epoch != null;
  }
}
