package dev.analytics4j.internal;

import dev.analytics4j.EncodedMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Messages sent in one request, and the one-time record of what happened to them.
 *
 * <p>Its state says whether a request for it is on the wire, so that close, giving up on it, can
 * tell a batch that was never sent (dropped) from one whose request may have reached the server
 * (failed, possibly delivered). Exactly one party finishes it: the uploader, or close.
 */
final class Batch {
  private static final int IDLE = 0;
  private static final int SENDING = 1;
  private static final int FINISHED = 2;
  /** The phase bits of {@link #state}; the bits above them count the attempts started. */
  private static final int PHASE = 3;
  private static final int ONE_ATTEMPT = 4;

  final List<EncodedMessage> messages;
  final long bytes;
  /** Whose messages these are, for the flushes waiting on them. */
  final List<FlushEpoch.Run> runs;

  /**
   * The phase and, above it, the attempts started: one value, so that close, finding an attempt
   * under way, always finds it counted (with a separate counter it could see SENDING before the
   * count moved, and take a batch on the wire for one never sent).
   */
  private final AtomicInteger state = new AtomicInteger(IDLE);
  /** How the last attempt ended; written by the uploader, read by close. */
  private volatile int lastStatus;
  private volatile boolean uncertain;
  private volatile @Nullable Throwable lastError;

  Batch(List<EncodedMessage> messages, long bytes, List<FlushEpoch.Run> runs) {
    this.messages = messages;
    this.bytes = bytes;
    this.runs = runs;
  }

  int size() {
    return messages.size();
  }

  /** Claims the batch for an attempt; false once close has finished it. */
  boolean beginAttempt() {
    while (true) {
      int now = state.get();
      if ((now & PHASE) != IDLE) return false;
      if (state.compareAndSet(now, (now & ~PHASE) + ONE_ATTEMPT | SENDING)) return true;
    }
  }

  /**
   * Records how an attempt ended and hands the batch back for a retry; false when close finished it
   * meanwhile. {@code status} is 0 when there was no answer; {@code maybeReceived} says whether the
   * request may have reached the server all the same.
   */
  boolean endAttempt(int status, @Nullable Throwable error, boolean maybeReceived) {
    record(status, maybeReceived);
    lastError = error;
    return moveFrom(SENDING, IDLE);
  }

  /** Moves the phase from {@code from} to {@code to}, keeping the attempts; false when it was not {@code from}. */
  private boolean moveFrom(int from, int to) {
    while (true) {
      int now = state.get();
      if ((now & PHASE) != from) return false;
      if (state.compareAndSet(now, (now & ~PHASE) | to)) return true;
    }
  }

  /** Finishes the batch from the uploader, during or after its last attempt. */
  boolean finishByUploader(int status, boolean maybeReceived) {
    record(status, maybeReceived);
    return moveFrom(SENDING, FINISHED) || moveFrom(IDLE, FINISHED);
  }

  int attempts() {
    return state.get() >>> 2;
  }

  /** Whether its one party has finished it. */
  boolean isFinished() {
    return (state.get() & PHASE) == FINISHED;
  }

  /** Whether an attempt so far ended without an answer after its request may have arrived. */
  boolean uncertain() {
    return uncertain;
  }

  private void record(int status, boolean maybeReceived) {
    lastStatus = status;
    if (maybeReceived) uncertain = true;
  }

  /**
   * Finishes the batch for close, which gives up on it. Returns null when the uploader finished it
   * first, and otherwise how close found it.
   */
  @Nullable Unfinished finishByClose() {
    while (true) {
      int now = state.get();
      if ((now & PHASE) == FINISHED) return null;
      if (state.compareAndSet(now, (now & ~PHASE) | FINISHED)) {
        return new Unfinished((now & PHASE) == SENDING, now >>> 2, lastStatus, lastError, uncertain);
      }
    }
  }

  /** The state of a batch close gave up on. */
  static final class Unfinished {
    /** A request for the batch was on the wire. */
    final boolean sending;
    final int attempts;
    final int lastStatus;
    /** The network error that ended the last attempt, or null after an answer. */
    final @Nullable Throwable lastError;
    /** An earlier attempt ended without an answer after its request may have arrived. */
    final boolean uncertain;

    Unfinished(boolean sending, int attempts, int lastStatus, @Nullable Throwable lastError,
        boolean uncertain) {
      this.sending = sending;
      this.attempts = attempts;
      this.lastStatus = lastStatus;
      this.lastError = lastError;
      this.uncertain = uncertain;
    }
  }
}
