package dev.analytics4j.internal;

import dev.analytics4j.EncodedMessage;
import java.util.List;

/** What {@link MessageQueue#giveUp} took out of the queue, for close (or a dead flusher) to report. */
final class Leftovers {
  /** Messages waiting in the window, never sent, and their epochs. */
  final List<EncodedMessage> pending;
  final List<FlushEpoch.Run> pendingRuns;
  /** Batches still in flight: they stay counted until released. */
  final List<Batch> inFlight;
  /** Messages held only in the spool, and their epochs. */
  final long backlog;
  final List<FlushEpoch.Run> backlogRuns;

  Leftovers(List<EncodedMessage> pending, List<FlushEpoch.Run> pendingRuns, List<Batch> inFlight,
      long backlog, List<FlushEpoch.Run> backlogRuns) {
    this.pending = pending;
    this.pendingRuns = pendingRuns;
    this.inFlight = inFlight;
    this.backlog = backlog;
    this.backlogRuns = backlogRuns;
  }
}
