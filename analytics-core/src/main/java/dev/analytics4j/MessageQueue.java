package dev.analytics4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The bounded buffer between callers and the flusher, and the rules that cut it into batches.
 *
 * <p>Bounds count every message the client holds, waiting or in flight, in messages and in
 * serialized bytes, so a slow or dead endpoint cannot grow the heap past them. {@link #offer} never
 * blocks. The single consumer, the flusher thread, calls {@link #take} to get the next batch once one
 * is due (by count, by request size, by interval, or because a flush or close asked) and an upload
 * slot is free; a batch stays counted until {@link #release} is called for it.
 */
final class MessageQueue {
  enum Offer { ACCEPTED, FULL, CLOSED }

  /** What {@link #abandon} took out of the queue, for close to report. */
  static final class Abandoned {
    final List<EncodedMessage> pending;
    final List<Batch> inFlight;
    final List<FlushMarker> markers;

    Abandoned(List<EncodedMessage> pending, List<Batch> inFlight, List<FlushMarker> markers) {
      this.pending = pending;
      this.inFlight = inFlight;
      this.markers = markers;
    }
  }

  /** Upper bound on one timed wait, so a missed signal could never stall the flusher for long. */
  private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int maxMessages;
  private final long maxBytes;
  private final int flushAt;
  private final int maxInFlight;
  private final long intervalNanos;
  private final int envelopeSize;
  private final int maxBatchBytes;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** {@link EncodedMessage}s and {@link FlushMarker}s in arrival order. */
  private final ArrayDeque<Object> items = new ArrayDeque<>();
  private final List<FlushMarker> openMarkers = new ArrayList<>();
  private final List<Batch> inFlight = new ArrayList<>();
  private int heldMessages;
  private long heldBytes;
  private int pendingMessages;
  private long pendingBytes;
  private long firstPendingNanos;
  private boolean closed;
  private boolean abandoned;

  MessageQueue(int maxMessages, long maxBytes, int flushAt, int maxInFlight, long intervalNanos,
      int envelopeSize, int maxBatchBytes) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.flushAt = flushAt;
    this.maxInFlight = maxInFlight;
    this.intervalNanos = intervalNanos;
    this.envelopeSize = envelopeSize;
    this.maxBatchBytes = maxBatchBytes;
  }

  Offer offer(EncodedMessage message) {
    int size = message.size();
    lock.lock();
    try {
      if (closed) return Offer.CLOSED;
      if (heldMessages >= maxMessages || heldBytes + size > maxBytes) return Offer.FULL;
      items.addLast(message);
      heldMessages++;
      heldBytes += size;
      pendingMessages++;
      pendingBytes += size;
      if (pendingMessages == 1) {
        firstPendingNanos = System.nanoTime();
        changed.signal();
      } else if (pendingMessages >= flushAt || requestFull()) {
        changed.signal();
      }
      return Offer.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Places a marker behind every message held now, or returns the last one when nothing was
   * enqueued after it. It is sealed at once when no message is waiting, and otherwise by the
   * flusher when it reaches the head of the queue.
   */
  FlushMarker mark() {
    FlushMarker marker = new FlushMarker();
    boolean sealNow;
    lock.lock();
    try {
      Object last = items.peekLast();
      if (last instanceof FlushMarker) {
        // Nothing was enqueued since that flush, so it covers exactly the same messages; sharing it
        // keeps a caller flushing in a loop against a dead endpoint from piling up markers.
        return (FlushMarker) last;
      }
      for (Batch batch : inFlight) marker.add(batch);
      sealNow = pendingMessages == 0 || abandoned;
      if (!sealNow) {
        items.addLast(marker);
        openMarkers.add(marker);
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    if (sealNow) marker.seal();
    return marker;
  }

  /**
   * Waits for the next thing the flusher must act on: a {@link Batch}, already counted as in
   * flight, or a {@link FlushMarker} that reached the head of the queue and must be sealed. Returns
   * null once the queue is closed and everything has been released, or after {@link #abandon}.
   */
  @Nullable Object take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        if (abandoned) return null;
        Object head = items.peekFirst();
        if (head instanceof FlushMarker) {
          items.pollFirst();
          openMarkers.remove(0);
          return head;
        }
        long waitNanos = MAX_WAIT_NANOS;
        if (head != null) {
          long now = System.nanoTime();
          long waited = now - firstPendingNanos;
          boolean due = closed || !openMarkers.isEmpty() || pendingMessages >= flushAt
              || requestFull() || waited >= intervalNanos;
          if (due && inFlight.size() < maxInFlight) return cutBatch(now);
          if (!due) waitNanos = Math.min(waitNanos, intervalNanos - waited);
        } else if (closed && inFlight.isEmpty()) {
          return null;
        }
        changed.awaitNanos(waitNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the waiting messages already fill one request. */
  private boolean requestFull() {
    return envelopeSize + pendingBytes + pendingMessages - 1 > maxBatchBytes;
  }

  private Batch cutBatch(long now) {
    List<EncodedMessage> messages = new ArrayList<>(Math.min(pendingMessages, flushAt));
    long requestBytes = envelopeSize;
    long messageBytes = 0;
    while (messages.size() < flushAt) {
      Object head = items.peekFirst();
      if (!(head instanceof EncodedMessage)) break;
      EncodedMessage message = (EncodedMessage) head;
      long next = requestBytes + message.size() + (messages.isEmpty() ? 0 : 1);
      if (next > maxBatchBytes && !messages.isEmpty()) break;
      items.pollFirst();
      messages.add(message);
      requestBytes = next;
      messageBytes += message.size();
    }
    pendingMessages -= messages.size();
    pendingBytes -= messageBytes;
    firstPendingNanos = now;
    Batch batch = new Batch(messages, messageBytes);
    inFlight.add(batch);
    for (FlushMarker marker : openMarkers) marker.add(batch);
    return batch;
  }

  /** Frees the room {@code batch} held. Returns false when it was released already. */
  boolean release(Batch batch) {
    lock.lock();
    try {
      if (!inFlight.remove(batch)) return false;
      heldMessages -= batch.size();
      heldBytes -= batch.bytes;
      changed.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new messages; everything held becomes due so the flusher drains it. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives up on everything held: removes the waiting messages and returns them with the batches
   * still in flight (which stay counted until released) and the markers that were waiting.
   */
  Abandoned abandon() {
    lock.lock();
    try {
      closed = true;
      abandoned = true;
      List<EncodedMessage> pending = new ArrayList<>(pendingMessages);
      List<FlushMarker> markers = new ArrayList<>(openMarkers);
      for (Object item : items) {
        if (item instanceof FlushMarker) {
          ((FlushMarker) item).droppedAtClose(pending.size());
        } else {
          pending.add((EncodedMessage) item);
        }
      }
      items.clear();
      openMarkers.clear();
      heldMessages -= pendingMessages;
      heldBytes -= pendingBytes;
      pendingMessages = 0;
      pendingBytes = 0;
      changed.signalAll();
      return new Abandoned(pending, new ArrayList<>(inFlight), markers);
    } finally {
      lock.unlock();
    }
  }

  int heldMessages() {
    lock.lock();
    try {
      return heldMessages;
    } finally {
      lock.unlock();
    }
  }

  long heldBytes() {
    lock.lock();
    try {
      return heldBytes;
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }
}
