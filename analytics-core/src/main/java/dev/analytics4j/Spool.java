package dev.analytics4j;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of the queue, and the one spool class the pipeline calls: every accepted message
 * is appended to a segment file before {@code enqueue} returns, and its record is acknowledged once
 * its outcome is final and reported; a segment whose records are all acknowledged is deleted.
 * Messages that do not fit the in-memory window stay only here (the backlog) and are read back, in
 * order, by the flusher thread as room frees. The files and their format are in
 * {@code dev.analytics4j.internal.spool} and {@code docs/spool-format.md}.
 *
 * <p>Appends, acknowledgements and the segment list are guarded by {@link #lock}; reading back is
 * serialized by {@link #readLock} and takes {@link #lock} only to look at the segment list, so callers
 * never wait for a disk read. Both are {@code java.util.concurrent} locks, which never pin a virtual
 * thread during the file I/O done under them.
 *
 * <p>Once the directory is no longer this client's ({@link SpoolDirectory#lost()}: removed, replaced,
 * or its lock file gone), the spool is <em>detached</em>: it creates, writes and deletes nothing more
 * there, new messages are kept in memory as without a spool (one WARN says so), and what it had
 * written is still read back through its open files and sent. Nothing unsent is then said to be left
 * for the next client.
 */
final class Spool implements Closeable {
  private static final Logger logger = LoggerFactory.getLogger(Spool.class);

  static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  static final int DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
  private static final long ERROR_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How often appends look at whether the directory is still this client's. */
  private static final long OWNERSHIP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final AtomicInteger SYNC_THREAD_IDS = new AtomicInteger();

  /** What became of an append. {@link #DETACHED}: not written; the caller keeps it in memory. */
  enum Result { ACCEPTED, BACKLOGGED, FULL, ERROR, CLOSED, FAILED, DETACHED }

  private final SpoolDirectory directory;
  private final SpoolFileSystem fileSystem;
  private final long maxBytes;
  private final long segmentBytes;
  private final SpoolSync sync;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closing = lock.newCondition();
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private AckLog acks;
  private long nextSeq;
  private long totalBytes;
  private @Nullable Segment writing;
  private ByteBuffer writeBuffer = ByteBuffer.allocate(4096);
  private boolean closed;
  /** Why the directory is no longer this client's; null while it is. */
  private volatile @Nullable String detached;
  private long nextOwnershipCheck;
  /** Bytes ever appended and bytes known forced, for group commit. */
  private long appended;
  private final ReentrantLock syncLock = new ReentrantLock();
  private volatile long synced;
  private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - ERROR_LOG_INTERVAL_NANOS);

  /** The next record to read back: guarded by {@link #lock}, moved only by the reader. */
  private @Nullable Segment cursor;
  private long cursorPos;
  final ReentrantLock readLock = new ReentrantLock();
  private final RecordReader reader = new RecordReader(256 * 1024);
  private @Nullable EncodedMessage peeked;

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
    Recovery recovery = Recovery.run(fileSystem, reader);
    this.tornRecords = recovery.tornRecords;
    this.quarantinedRegions = recovery.damagedRegions + recovery.quarantinedFiles;
    this.recovered = recovery.pending;
    lock.lock();
    try {
      segments.putAll(recovery.segments);
      for (Segment segment : segments.values()) totalBytes += segment.fileBytes;
      nextSeq = recovery.nextSeq;
      acks = AckLog.rewrite(fileSystem, segments.values(), !sync.isNone());
      roll();
      // The oldest recovered segment, or the new empty one: the backlog starts there.
      cursor = segments.firstEntry().getValue();
      cursorPos = 0;
    } finally {
      lock.unlock();
    }
    if (recovered > 0 || tornRecords > 0 || quarantinedRegions > 0) {
      logger.info("Spool {}: {} messages of an earlier run to send; {} torn records skipped, {} damaged "
          + "regions or files quarantined", directory, recovered, tornRecords, quarantinedRegions);
    }
    if (!sync.isNone() && !sync.isEveryWrite()) {
      Thread thread = new Thread(this::syncLoop, "analytics4j-spool-sync-" + SYNC_THREAD_IDS.incrementAndGet());
      thread.setDaemon(true);
      thread.start();
    }
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

  // ---------------------------------------------------------------------------------------------
  // Ownership

  /**
   * Whether what is unsent now stays for the next client on the directory: true unless the directory
   * has been found, now or before, to be no longer this client's.
   */
  boolean keepsForNextClient() {
    lock.lock();
    try {
      checkOwnership();
      return detached == null;
    } finally {
      lock.unlock();
    }
  }

  /** Detaches the spool if the directory is no longer this client's; true while it is. */
  private boolean checkOwnership() {
    assert lock.isHeldByCurrentThread();
    if (detached != null) return false;
    String lost = directory.lost();
    if (lost == null) return true;
    detached = lost;
    logger.warn("Spool {}: {}. This client no longer owns it and writes nothing more there: new messages "
        + "are kept in memory only, as without a spool; what it had written is still sent from its open "
        + "files, and what is unsent at close is reported CLOSE_TIMEOUT, not SPOOLED", directory, lost);
    return false;
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
      if (detached != null) return Result.DETACHED;
      long now = System.nanoTime();
      if (now - nextOwnershipCheck >= 0) {
        nextOwnershipCheck = now + OWNERSHIP_CHECK_NANOS;
        if (!checkOwnership()) return Result.DETACHED;
      }
      byte[] id = message.messageId().getBytes(StandardCharsets.UTF_8);
      byte[] json = message.bytes();
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
      message.spoolSeq = nextSeq;
      MessageQueue.Offer offer = queue.offerSpooled(message, true);
      if (offer == MessageQueue.Offer.CLOSED || offer == MessageQueue.Offer.FAILED) {
        // Not accepted, so not kept: the next client must not send what was reported dropped.
        message.spoolSeq = -1;
        try {
          segment.file.truncate(position);
        } catch (IOException e) {
          segment.sealed = true;
          logger.warn("Could not take back a spool record after close: {}", e.toString());
        }
        return offer == MessageQueue.Offer.CLOSED ? Result.CLOSED : Result.FAILED;
      }
      nextSeq++;
      segment.endSeq = nextSeq;
      segment.size = position + recordBytes;
      segment.fileBytes = segment.size;
      segment.live++;
      totalBytes += recordBytes;
      appended += recordBytes;
      target = appended;
      if (offer == MessageQueue.Offer.ACCEPTED) {
        // The backlog is empty, so the reader has read everything before this record.
        Segment left = cursor;
        if (left != null && left != segment && left.live == 0) delete(left);
        cursor = segment;
        cursorPos = segment.size;
        result = Result.ACCEPTED;
      } else {
        result = Result.BACKLOGGED;
      }
    } finally {
      lock.unlock();
    }
    if (sync.isEveryWrite()) syncTo(target);
    return result;
  }

  /**
   * Starts a new segment, after sealing (and, with a sync policy, forcing) the current one; null,
   * creating nothing, when the directory is no longer this client's.
   */
  private @Nullable Segment roll() throws IOException {
    assert lock.isHeldByCurrentThread();
    if (!checkOwnership()) return null;
    Segment old = writing;
    if (old != null) {
      if (!sync.isNone()) old.file.force();
      old.sealed = true;
    }
    long base = nextSeq;
    SpoolFile file = fileSystem.create(Segment.nameOf(base));
    Segment segment = new Segment(base, file, false);
    segments.put(base, segment);
    writing = segment;
    if (!sync.isNone()) fileSystem.forceDirectory();
    if (old != null && old.live == 0 && old != cursor) delete(old);
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

  private void logRateLimited(String format, Object... arguments) {
    long now = System.nanoTime();
    long last = lastErrorLogNanos.get();
    if (now - last >= ERROR_LOG_INTERVAL_NANOS && lastErrorLogNanos.compareAndSet(last, now)) {
      logger.warn(format, arguments);
    }
  }

  /** Group commit: returns once everything appended up to {@code target} has been forced. */
  private void syncTo(long target) {
    if (synced >= target) return;
    syncLock.lock();
    try {
      if (synced >= target) return;
      long upTo;
      Segment segment;
      lock.lock();
      try {
        upTo = appended;
        segment = writing;
      } finally {
        lock.unlock();
      }
      boolean interrupted = Thread.interrupted();
      try {
        if (segment != null) segment.file.force();
        synced = upTo;
      } catch (IOException | RuntimeException e) {
        logRateLimited("Could not force the spool to disk: {}", e.toString());
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    } finally {
      syncLock.unlock();
    }
  }

  private void syncLoop() {
    long interval = sync.intervalNanos();
    while (true) {
      long target;
      lock.lock();
      try {
        if (closed) return;
        closing.awaitNanos(interval);
        if (closed) return;
        checkOwnership();
        target = appended;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        syncTo(target);
      } catch (Throwable t) {
        logger.warn("Spool sync failed", t);
      }
    }
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
    for (EncodedMessage message : messages) if (message.spoolSeq >= 0) count++;
    if (count == 0) return;
    ByteBuffer buffer = ByteBuffer.allocate(count * RecordCodec.ACK_BYTES);
    for (EncodedMessage message : messages) if (message.spoolSeq >= 0) RecordCodec.putAck(buffer, message.spoolSeq);
    buffer.flip();
    lock.lock();
    try {
      if (closed) return;
      if (detached == null) {
        try {
          acks.append(buffer);
        } catch (IOException | RuntimeException e) {
          // The records stay unacknowledged on disk: the next client sends them again.
          logger.warn("Could not record acknowledgements in the spool: {}", e.toString());
          return;
        }
      }
      for (EncodedMessage message : messages) {
        long seq = message.spoolSeq;
        if (seq < 0) continue;
        Map.Entry<Long, Segment> entry = segments.floorEntry(seq);
        if (entry == null) continue;
        Segment segment = entry.getValue();
        if (!segment.acknowledge(seq)) continue;
        if (segment.live == 0 && segment != writing && segment != cursor) delete(segment);
      }
      if (detached == null && acks.bytes() > AckLog.COMPACT_BYTES) {
        try {
          AckLog old = acks;
          acks = AckLog.rewrite(fileSystem, segments.values(), !sync.isNone());
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
    closeQuietly(segment.file);
    if (detached != null) return;
    try {
      fileSystem.delete(segment.name);
    } catch (IOException e) {
      logger.warn("Could not delete the spent spool segment {}: {}", segment.name, e.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading back

  /**
   * Moves backlog messages into the window while it has room, on the flusher thread. Backlog
   * records that cannot be read back (a damaged, cut or deleted file) are counted as dropped.
   */
  void refill(MessageQueue queue, Reporter reporter) {
    boolean interrupted = Thread.interrupted();
    readLock.lock();
    try {
      while (true) {
        EncodedMessage message = peeked;
        if (message == null) {
          if (queue.backlog() == 0) return;
          message = next();
          if (message == null) {
            dropUnreadable(queue, reporter);
            return;
          }
          if (message.isRecovered()) reporter.recoveredRead(message);
        }
        if (!queue.admit(message)) {
          peeked = message;
          return;
        }
        peeked = null;
      }
    } finally {
      readLock.unlock();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads back up to {@code count} backlog messages for close to report as left in the spool; the
   * records stay. Fewer when the spool has closed or the backlog ends.
   */
  List<EncodedMessage> readForReport(long count) {
    List<EncodedMessage> messages = new ArrayList<>();
    boolean interrupted = Thread.interrupted();
    readLock.lock();
    try {
      while (messages.size() < count) {
        EncodedMessage message = peeked;
        peeked = null;
        if (message == null) message = next();
        if (message == null) break;
        messages.add(message);
      }
    } finally {
      readLock.unlock();
      if (interrupted) Thread.currentThread().interrupt();
    }
    return messages;
  }

  /**
   * The reader is at the end of what was written while the queue still counts a backlog: those
   * records could not be read (damaged, cut short or deleted under the client), and exactly that
   * many are counted as dropped.
   */
  private void dropUnreadable(MessageQueue queue, Reporter reporter) {
    long lost;
    lock.lock();
    try {
      if (cursor != writing || writing == null || cursorPos != writing.size) return;
      lost = queue.backlog();
    } finally {
      lock.unlock();
    }
    if (lost <= 0) return;
    logger.error("Spool {}: {} messages could not be read back (a damaged, cut or deleted segment file); "
        + "counted as dropped (SPOOL_ERROR)", directory, lost);
    List<FlushEpoch.Run> runs = queue.dropBacklog(lost);
    long counted = 0;
    for (FlushEpoch.Run run : runs) counted += run.count;
    reporter.droppedUnread(counted, DropReason.SPOOL_ERROR);
    queue.settle(runs, MessageQueue.Outcome.DROPPED);
  }

  /** The next unacknowledged record after the cursor, or null at the end of what is written. */
  private @Nullable EncodedMessage next() {
    assert readLock.isHeldByCurrentThread();
    while (true) {
      Segment segment;
      long pos;
      long limit;
      lock.lock();
      try {
        if (closed) return null;
        segment = cursor;
        if (segment == null) {
          if (writing == null) return null;
          cursor = segment = writing;
          cursorPos = 0;
        }
        pos = cursorPos = segment.skipHole(cursorPos);
        limit = segment.size;
        if (pos >= limit) {
          if (segment == writing) return null;
          Map.Entry<Long, Segment> following = segments.higherEntry(segment.base);
          cursor = following == null ? writing : following.getValue();
          cursorPos = 0;
          if (segment.live == 0) delete(segment);
          continue;
        }
      } finally {
        lock.unlock();
      }
      RecordReader.Found found;
      try {
        found = reader.read(segment.file, segment.base, pos, limit, true);
      } catch (IOException | RuntimeException e) {
        logger.error("Could not read spool segment {} back: {}; its remaining messages are dropped "
            + "(SPOOL_ERROR)", segment.name, e.toString());
        skipRest(segment, pos);
        continue;
      }
      if (found == RecordReader.Found.RECORD) {
        lock.lock();
        try {
          if (cursor == segment && cursorPos == pos) cursorPos = reader.end;
          if (segment.acked.get((int) (reader.seq - segment.base))) continue;
        } finally {
          lock.unlock();
        }
        EncodedMessage message = new EncodedMessage(reader.type, reader.messageId, reader.json, segment.recovered);
        message.spoolSeq = reader.seq;
        return message;
      }
      if (found == RecordReader.Found.CUT) {
        logger.error("Spool segment {} ends at byte {}, before the {} bytes written to it (cut short "
            + "under the client?); the messages past that point are dropped (SPOOL_ERROR)",
            segment.name, reader.end, limit);
        skipRest(segment, pos);
        continue;
      }
      logger.error("Spool segment {}: bytes {}..{} are damaged and skipped; their messages are dropped "
          + "(SPOOL_ERROR)", segment.name, pos, reader.end);
      lock.lock();
      try {
        if (cursor == segment && cursorPos == pos) cursorPos = reader.end;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Gives up on the rest of {@code segment}; no new record goes into it. */
  private void skipRest(Segment segment, long pos) {
    reader.reset();
    lock.lock();
    try {
      if (cursor == segment && cursorPos == pos) cursorPos = segment.size;
      segment.sealed = true;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------

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
    readLock.lock();
    lock.lock();
    try {
      if (closed) return;
      checkOwnership();
      boolean owned = detached == null;
      if (owned && !sync.isNone() && writing != null) {
        try {
          writing.file.force();
        } catch (IOException e) {
          logger.warn("Could not force the spool to disk at close: {}", e.toString());
        }
      }
      closed = true;
      closing.signalAll();
      boolean empty = true;
      for (Segment segment : segments.values()) if (segment.live > 0) empty = false;
      for (Segment segment : new ArrayList<>(segments.values())) {
        if (empty && owned) {
          delete(segment);
        } else {
          closeQuietly(segment.file);
        }
      }
      if (empty && owned) {
        try {
          acks.clear();
        } catch (IOException e) {
          // Stale acks are dropped by the next client's compaction.
        }
      }
      closeQuietly(acks);
    } finally {
      lock.unlock();
      readLock.unlock();
    }
    // The sync thread, signalled above, ends on its own once a force under way returns.
    directory.close();
  }

  private static void closeQuietly(@Nullable Closeable closeable) {
    if (closeable == null) return;
    try {
      closeable.close();
    } catch (IOException e) {
      // Nothing left to do with it.
    }
  }

  @Override
  public String toString() {
    return "Spool{directory=" + directory + ", maxBytes=" + maxBytes + ", sync=" + sync + "}";
  }
}
