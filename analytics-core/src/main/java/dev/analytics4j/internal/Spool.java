package dev.analytics4j.internal;

import dev.analytics4j.EncodedMessage;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.internal.spool.AckLog;
import dev.analytics4j.internal.spool.RecordCodec;
import dev.analytics4j.internal.spool.RecordReader;
import dev.analytics4j.internal.spool.Recovery;
import dev.analytics4j.internal.spool.Segment;
import dev.analytics4j.internal.spool.SpoolDirectory;
import dev.analytics4j.internal.spool.SpoolFile;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The durable side of the queue, and the one spool class the pipeline calls: every accepted message
 * is appended to a segment file before {@code enqueue} returns, and its record is acknowledged once
 * its outcome is final and reported; a segment whose records are all acknowledged is deleted.
 * Messages that do not fit the in-memory window stay only here (the backlog) and are read back, in
 * order, by the flusher thread as room frees. The files and their format are in
 * {@code dev.analytics4j.internal.spool} and {@code docs/spool-format.md}.
 *
 * <p>Appends, acknowledgements and the segment list are guarded by {@link #lock}; reading back
 * ({@link SpoolReader}) has a lock of its own and takes this one only to look at the segment list,
 * so callers never wait for a disk read. Neither pins a virtual thread during file I/O.
 *
 * <p>Once the directory is no longer this client's ({@link SpoolDirectory#lost()}: removed, replaced,
 * or its lock file gone), the spool is <em>detached</em>: it creates, writes and deletes nothing more
 * there, new messages are kept in memory as without a spool (one WARN says so), and what it had
 * written is still read back through its open files and sent. Nothing unsent is then said to be left
 * for the next client.
 */
final class Spool implements Closeable {
  private static final Internal API = Internal.get();
  private static final Log logger = Log.get(Spool.class);

  static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  static final int DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
  private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How often appends look at whether the directory is still this client's. */
  private static final long OWNERSHIP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** What became of an append. {@link #DETACHED}: not written; the caller keeps it in memory. */
  enum Result { ACCEPTED, BACKLOGGED, FULL, ERROR, CLOSED, FAILED, DETACHED }

  private final SpoolDirectory directory;
  private final SpoolFileSystem fileSystem;
  private final long maxBytes;
  private final long segmentBytes;
  private final SpoolSync sync;
  final ReentrantLock lock = new ReentrantLock();
  private final Condition closing = lock.newCondition();
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private AckLog acks;
  private long nextSeq;
  private long totalBytes;
  private @Nullable Segment writing;
  private ByteBuffer writeBuffer = ByteBuffer.allocate(4096);
  private boolean closed;
  private long nextOwnershipCheck;
  /** Bytes ever appended, for group commit. */
  private long appended;
  private final SpoolForcer forcer;
  private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - ERROR_LOG_INTERVAL_NANOS);

  /** Reads the backlog back, from its cursor. */
  private final SpoolReader backlog;

  /** What recovery found, for the log and tests. */
  final long recovered;
  final int tornRecords;
  final int quarantinedRegions;

  private Spool(SpoolDirectory directory, long maxBytes, long segmentBytes, SpoolSync sync) throws IOException {
    this.directory = directory;
    this.fileSystem = directory.fileSystem();
    this.maxBytes = maxBytes;
    // A segment may pass its size by one record; the format's limit holds all the same.
    this.segmentBytes = Math.min(segmentBytes, RecordCodec.MAX_SEGMENT_BYTES - RecordCodec.HEADER_BYTES - RecordCodec.MAX_LENGTH);
    this.sync = sync;
    this.backlog = new SpoolReader(this);
    this.forcer = new SpoolForcer(this, sync);
    Recovery recovery = Recovery.run(fileSystem, new RecordReader(256 * 1024));
    this.tornRecords = recovery.tornRecords;
    this.quarantinedRegions = recovery.damagedRegions + recovery.quarantinedFiles;
    this.recovered = recovery.pending;
    lock.lock();
    try {
      segments.putAll(recovery.segments);
      for (Segment segment : segments.values()) totalBytes += segment.fileBytes;
      nextSeq = recovery.nextSeq;
      acks = AckLog.rewrite(fileSystem, segments.values(), !API.isNone(sync));
      roll();
      // The oldest recovered segment, or the new empty one: the backlog starts there.
      backlog.startAt(segments.firstEntry().getValue());
    } finally {
      lock.unlock();
    }
    if (recovered > 0 || tornRecords > 0 || quarantinedRegions > 0) {
      logger.info("Spool {}: {} messages of an earlier run to send; {} torn records skipped, {} damaged "
          + "regions or files quarantined", directory, recovered, tornRecords, quarantinedRegions);
    }
    forcer.start();
  }

  /**
   * Opens (creating it if needed) the spool in {@code directory} for {@code writeKey}, taking its
   * lock and reading what an earlier client left in it.
   *
   * @throws IllegalStateException when another client owns the directory, or it holds messages of
   *     another write key or of one it cannot tell.
   * @throws UncheckedIOException when the directory cannot be created, read or locked.
   */
  static Spool open(Path directory, String writeKey, long maxBytes, int segmentBytes, SpoolSync sync,
      SpoolFileSystem.Factory fileSystems) {
    SpoolDirectory owned = SpoolDirectory.open(directory, writeKey, fileSystems);
    try {
      return new Spool(owned, maxBytes, segmentBytes, sync);
    } catch (IOException e) {
      owned.close();
      throw new UncheckedIOException("cannot open the spool in " + owned + ": " + e, e);
    } catch (RuntimeException | Error e) {
      owned.close();
      throw e;
    }
  }

  /**
   * Whether what is unsent now stays for the next client on the directory: true unless the directory
   * has been found, now or before, to be no longer this client's.
   */
  boolean keepsForNextClient() {
    lock.lock();
    try {
      return directory.checkOwned();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the records written stay for the next client: also once only the lock file went. */
  boolean recordsStayForNextClient() {
    return directory.checkOwned() || directory.stillNamed();
  }

  // ---------------------------------------------------------------------------------------------
  // Appending

  /**
   * Writes {@code message} as the next record and hands it to {@code queue}: into the window if the
   * backlog is empty and there is room, otherwise into the backlog. The record is kept only if the
   * queue took it; a message refused for the budget or an I/O error is not written.
   */
  Result append(EncodedMessage message, MessageQueue queue) {
    // A FileChannel closes itself when an interrupted thread uses it; a caller's interrupt must not
    // close the segment for everyone, so it is set aside during the I/O and restored after.
    boolean interrupted = Thread.interrupted();
    try {
      return appendUninterrupted(message, queue);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private Result appendUninterrupted(EncodedMessage message, MessageQueue queue) {
    long target;
    Result result;
    lock.lock();
    try {
      if (closed) return Result.CLOSED;
      if (directory.detached()) return Result.DETACHED;
      long now = System.nanoTime();
      if (now - nextOwnershipCheck >= 0) {
        nextOwnershipCheck = now + OWNERSHIP_CHECK_NANOS;
        if (!directory.checkOwned()) return Result.DETACHED;
      }
      byte[] id = message.messageId().getBytes(StandardCharsets.UTF_8);
      byte[] json = API.bytes(message);
      if (!RecordCodec.fits(id, json)) return Result.ERROR;
      int recordBytes = RecordCodec.recordBytes(id, json);
      if (totalBytes + recordBytes > maxBytes) return Result.FULL;
      Segment segment;
      long position;
      try {
        segment = writing;
        if (segment == null || segment.sealed || segment.size >= segmentBytes) {
          segment = roll();
          if (segment == null) return Result.DETACHED;
        }
        position = segment.size;
        ByteBuffer buffer = RecordCodec.encode(writeBuffer, nextSeq, message.type(), id, json);
        if (buffer.capacity() > writeBuffer.capacity()) writeBuffer = buffer;
        segment.file.writeFully(buffer, position);
      } catch (IOException | RuntimeException e) {
        writeFailed(e);
        return Result.ERROR;
      }
      API.spoolSeq(message, nextSeq);
      Placement placement = queue.putSpooled(message, true);
      if (placement == Placement.CLOSED || placement == Placement.FAILED) {
        // Not accepted, so not kept: the next client must not send what was reported dropped.
        API.spoolSeq(message, -1);
        try {
          segment.file.truncate(position);
        } catch (IOException e) {
          keepAcknowledged(segment, position, RecordCodec.recordBytes(id, json));
          logger.warn("Could not take back a spool record after close: {}; acknowledged instead, so it is "
              + "never sent", e.toString());
        }
        return placement == Placement.CLOSED ? Result.CLOSED : Result.FAILED;
      }
      nextSeq++;
      segment.endSeq = nextSeq;
      segment.size = position + recordBytes;
      segment.fileBytes = segment.size;
      segment.live++;
      totalBytes += recordBytes;
      appended += recordBytes;
      target = appended;
      if (placement == Placement.ACCEPTED) {
        // The backlog is empty, so the reader has read everything before this record.
        Segment left = backlog.caughtUp(segment);
        if (left != null && left != segment && left.live == 0) delete(left);
        result = Result.ACCEPTED;
      } else {
        result = Result.BACKLOGGED;
      }
    } finally {
      lock.unlock();
    }
    if (API.isEveryWrite(sync)) forcer.forceTo(target);
    return result;
  }

  /** A record that stays on disk though its message was refused: its seq is used up and acknowledged. */
  private void keepAcknowledged(Segment segment, long position, int recordBytes) {
    long seq = nextSeq++;
    segment.endSeq = nextSeq;
    segment.size = position + recordBytes;
    segment.fileBytes = segment.size;
    segment.acked.set((int) (seq - segment.base));
    segment.sealed = true;
    totalBytes += recordBytes;
    try {
      acks.append(seq);
    } catch (IOException e) {
      logger.warn("Could not acknowledge a refused spool record either: {}; the next client may send it", e.toString());
    }
  }

  /**
   * Starts a new segment, after sealing (and, with a sync policy, forcing) the current one; null,
   * creating nothing, when the directory is no longer this client's.
   */
  private @Nullable Segment roll() throws IOException {
    assert lock.isHeldByCurrentThread();
    if (!directory.checkOwned()) return null;
    Segment old = writing;
    if (old != null) {
      if (!API.isNone(sync)) old.file.force();
      old.sealed = true;
    }
    if (old != null && old.endSeq == old.base && old.base == nextSeq) nextSeq++; // Its first write failed: its name is taken.
    SpoolFile file = null;
    long first = nextSeq;
    while (file == null) {
      try {
        file = fileSystem.create(Segment.nameOf(nextSeq));
      } catch (FileAlreadyExistsException e) {
        // Not ours (planted, or copied in): left alone; seqs may skip, they need only grow.
        logger.warn("Spool {}: {} exists though this client did not make it; left alone", directory, Segment.nameOf(nextSeq));
        if (++nextSeq - first > 1_000) throw e;
      }
    }
    long base = nextSeq;
    Segment segment = new Segment(base, file, false);
    segments.put(base, segment);
    writing = segment;
    if (!API.isNone(sync)) fileSystem.forceDirectory();
    if (old != null && old.live == 0 && !backlog.isAt(old)) delete(old);
    return segment;
  }

  private void writeFailed(Throwable e) {
    assert lock.isHeldByCurrentThread();
    Segment segment = writing;
    if (segment != null) {
      try {
        segment.file.truncate(segment.size);
      } catch (IOException | RuntimeException ignored) {
        // The partial record stays; recovery skips it as damaged. Write the next one elsewhere.
      }
      segment.sealed = true;
    }
    logRateLimited("Could not write to the spool in {}: {}; messages are dropped (SPOOL_ERROR) until it can",
        directory, e.toString());
  }

  void logRateLimited(String format, Object... arguments) {
    long now = System.nanoTime();
    long last = lastErrorLogNanos.get();
    if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
      logger.warn(format, arguments);
    }
  }

  /** Bytes appended so far and the segment taking them, for the forcer. */
  long appendedLocked() {
    assert lock.isHeldByCurrentThread();
    return appended;
  }

  /**
   * For the forcer's thread: waits up to {@code nanos} unless closed, then checks that the directory
   * is still this client's; false once closed.
   */
  boolean awaitTickLocked(long nanos) throws InterruptedException {
    assert lock.isHeldByCurrentThread();
    if (closed) return false;
    closing.awaitNanos(nanos);
    if (closed) return false;
    directory.checkOwned();
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Acknowledging

  /** Records that the outcome of {@code messages} is final and reported; never throws. */
  void ack(List<EncodedMessage> messages) {
    boolean interrupted = Thread.interrupted();
    try {
      ackUninterrupted(messages);
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void ackUninterrupted(List<EncodedMessage> messages) {
    int count = 0;
    for (EncodedMessage message : messages) if (API.spoolSeq(message) >= 0) count++;
    if (count == 0) return;
    ByteBuffer buffer = ByteBuffer.allocate(count * RecordCodec.ACK_BYTES);
    for (EncodedMessage message : messages) if (API.spoolSeq(message) >= 0) RecordCodec.putAck(buffer, API.spoolSeq(message));
    buffer.flip();
    lock.lock();
    try {
      if (closed) return;
      if (!directory.detached()) {
        try {
          acks.append(buffer);
        } catch (IOException | RuntimeException e) {
          // The records stay unacknowledged on disk: the next client sends them again.
          logger.warn("Could not record acknowledgements in the spool: {}", e.toString());
          return;
        }
      }
      for (EncodedMessage message : messages) {
        long seq = API.spoolSeq(message);
        if (seq < 0) continue;
        Map.Entry<Long, Segment> entry = segments.floorEntry(seq);
        if (entry == null) continue;
        Segment segment = entry.getValue();
        if (!segment.acknowledge(seq)) continue;
        if (segment.live == 0 && segment != writing && !backlog.isAt(segment)) delete(segment);
      }
      if (!directory.detached() && acks.bytes() > AckLog.COMPACT_BYTES) {
        try {
          AckLog old = acks;
          acks = AckLog.rewrite(fileSystem, segments.values(), !API.isNone(sync));
          old.close();
        } catch (IOException e) {
          logger.warn("Could not compact the spool's acks file: {}", e.toString());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a segment whose records are all acknowledged, deleting its file while the directory is ours. */
  private void delete(Segment segment) {
    assert lock.isHeldByCurrentThread();
    segments.remove(segment.base);
    totalBytes -= segment.fileBytes;
    SpoolFile.closeQuietly(segment.file);
    if (directory.detached()) return;
    try {
      fileSystem.delete(segment.name);
    } catch (IOException e) {
      logger.warn("Could not delete the spent spool segment {}: {}", segment.name, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // For the backlog's reader, with the lock held

  boolean closedLocked() {
    assert lock.isHeldByCurrentThread();
    return closed;
  }

  @Nullable Segment writingLocked() {
    assert lock.isHeldByCurrentThread();
    return writing;
  }

  /** The segment after {@code segment}, or the one being written when none is. */
  @Nullable Segment afterLocked(Segment segment) {
    assert lock.isHeldByCurrentThread();
    Map.Entry<Long, Segment> following = segments.higherEntry(segment.base);
    return following == null ? writing : following.getValue();
  }

  /** Forgets {@code segment} once the reader has passed it and nothing in it is live. */
  void passedLocked(Segment segment) {
    assert lock.isHeldByCurrentThread();
    if (segment.live == 0 && segment != writing) delete(segment);
  }

  /** Reads the backlog back: into the window on the flusher thread, or for close to report. */
  SpoolReader backlog() {
    return backlog;
  }

  long bytes() {
    lock.lock();
    try {
      return totalBytes;
    } finally {
      lock.unlock();
    }
  }

  Path directory() {
    return directory.path();
  }

  /**
   * Forces what was written (with a sync policy), closes the files and releases the lock. What is
   * not acknowledged stays for the next client; acknowledgements arriving later are not recorded, so
   * those messages are sent again by the next client. Waits for a read-back under way to end.
   */
  @Override
  public void close() {
    backlog.readLock.lock();
    lock.lock();
    try {
      if (closed) return;
      boolean owned = directory.checkOwned();
      if (owned && !API.isNone(sync) && writing != null) {
        try {
          writing.file.force();
        } catch (IOException e) {
          logger.warn("Could not force the spool to disk at close: {}", e.toString());
        }
      }
      closed = true;
      closing.signalAll();
      // Nothing left to send: the files go, and the acks with them (stale ones would be compacted).
      boolean empty = owned && segments.values().stream().allMatch(segment -> segment.live == 0);
      for (Segment segment : new ArrayList<>(segments.values())) {
        if (empty) delete(segment); else SpoolFile.closeQuietly(segment.file);
      }
      try {
        if (empty) acks.clear();
      } catch (IOException e) {
        // The next client's compaction drops them.
      }
      SpoolFile.closeQuietly(acks);
    } finally {
      lock.unlock();
      backlog.readLock.unlock();
    }
    // The sync thread, signalled above, ends on its own once a force under way returns.
    directory.close();
  }

  @Override
  public String toString() {
    return "Spool{directory=" + directory + ", maxBytes=" + maxBytes + ", sync=" + sync + "}";
  }
}
