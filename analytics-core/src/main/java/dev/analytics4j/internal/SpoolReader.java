package dev.analytics4j.internal;

import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.internal.spool.RecordReader;
import dev.analytics4j.internal.spool.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Reads the spool's backlog back into the window, in order, on the flusher thread (and, at close,
 * to tell the callback what is left). Its cursor, the next record to read, is guarded by the spool's
 * lock and moved only here, but for {@link #caughtUp}; the reading itself is serialized by
 * {@link #readLock} and done without the spool's lock, so appends never wait for a disk read.
 */
final class SpoolReader {
  private static final Internal API = Internal.get();
  private static final Log logger = Log.get(SpoolReader.class);

  /** Reads of one record before its segment's rest is given up as unreadable. */
  private static final int READ_ATTEMPTS = 3;

  private final Spool spool;
  final ReentrantLock readLock = new ReentrantLock();
  private final RecordReader reader = new RecordReader(256 * 1024);
  private @Nullable Segment cursor;
  private long cursorPos;
  /** Read, but refused by a full window: offered again first. */
  private @Nullable EncodedMessage peeked;

  SpoolReader(Spool spool) {
    this.spool = spool;
  }

  void startAt(Segment segment) {
    assert spool.lock.isHeldByCurrentThread();
    cursor = segment;
    cursorPos = 0;
  }

  /** An append went straight to the window: all before it was read. Returns the segment left behind. */
  @Nullable Segment caughtUp(Segment segment) {
    assert spool.lock.isHeldByCurrentThread();
    Segment left = cursor;
    cursor = segment;
    cursorPos = segment.size;
    return left;
  }

  boolean isAt(Segment segment) {
    assert spool.lock.isHeldByCurrentThread();
    return cursor == segment;
  }

  /**
   * Moves backlog messages into the window while it has room. Backlog records that cannot be read
   * back (a damaged, cut or deleted file) are counted as dropped.
   */
  void refill(MessageQueue queue, Reporter reporter) {
    // A FileChannel closes itself when an interrupted thread uses it: set the interrupt aside.
    boolean interrupted = Thread.interrupted();
    try {
      EncodedMessage recovered;
      while ((recovered = refillUntilRecovered(queue, reporter)) != null) {
        // The listener hears of a recovered message before it can be sent, but without the read
        // lock: close takes that lock to report the backlog and to close the spool, and a listener
        // that blocks must not hold close past its deadline. Close may meanwhile report the message
        // (it is peeked): then it is not admitted.
        reporter.recoveredRead(recovered);
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Moves backlog messages into the window until it is full or the backlog is read, and returns
   * null; or stops at a recovered message just read, left peeked, and returns it for the listener.
   */
  private @Nullable EncodedMessage refillUntilRecovered(MessageQueue queue, Reporter reporter) {
    readLock.lock();
    try {
      while (true) {
        EncodedMessage message = peeked;
        if (message == null) {
          if (queue.backlog() == 0) return null;
          message = next();
          if (message == null) {
            dropUnreadable(queue, reporter);
            return null;
          }
          if (message.isRecovered()) {
            peeked = message;
            return message;
          }
        }
        if (!queue.admit(message)) {
          peeked = message;
          return null;
        }
        peeked = null;
      }
    } finally {
      readLock.unlock();
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
    spool.lock.lock();
    try {
      Segment writing = spool.writingLocked();
      if (cursor != writing || writing == null || cursorPos != writing.size) return;
      lost = queue.backlog();
    } finally {
      spool.lock.unlock();
    }
    if (lost <= 0) return;
    logger.error("Spool {}: {} messages could not be read back (a damaged, cut or deleted segment file); "
        + "counted as dropped (SPOOL_ERROR)", spool.directory(), lost);
    List<FlushEpoch.Run> runs = queue.dropBacklog(lost);
    long counted = 0;
    for (FlushEpoch.Run run : runs) counted += run.count;
    reporter.droppedUnread(counted, DropReason.SPOOL_ERROR);
    queue.settle(runs, FlushEpochs.Outcome.DROPPED);
  }

  /** The next unacknowledged record after the cursor, or null at the end of what is written. */
  private @Nullable EncodedMessage next() {
    assert readLock.isHeldByCurrentThread();
    while (true) {
      Segment segment;
      long pos;
      long limit;
      spool.lock.lock();
      try {
        if (spool.closedLocked()) return null;
        Segment writing = spool.writingLocked();
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
          cursor = spool.afterLocked(segment);
          cursorPos = 0;
          spool.passedLocked(segment);
          continue;
        }
      } finally {
        spool.lock.unlock();
      }
      RecordReader.Found found;
      try {
        found = readRetrying(segment, pos, limit);
      } catch (IOException | RuntimeException e) {
        logger.error("Could not read spool segment {} back: {}; its remaining messages are dropped "
            + "(SPOOL_ERROR)", segment.name, e.toString());
        skipRest(segment, pos);
        continue;
      }
      if (found == RecordReader.Found.RECORD) {
        spool.lock.lock();
        try {
          if (cursor == segment && cursorPos == pos) cursorPos = reader.end;
          if (segment.acked.get((int) (reader.seq - segment.base))) continue;
        } finally {
          spool.lock.unlock();
        }
        EncodedMessage message = API.encodedMessage(reader.type, reader.messageId, reader.json, segment.recovered);
        API.spoolSeq(message, reader.seq);
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
      spool.lock.lock();
      try {
        if (cursor == segment && cursorPos == pos) cursorPos = reader.end;
      } finally {
        spool.lock.unlock();
      }
    }
  }

  /**
   * Reads the record at {@code pos}, trying again after an error: a read that fails once (an
   * interrupted or flaky device) must not cost the intact records after it.
   */
  private RecordReader.Found readRetrying(Segment segment, long pos, long limit) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return reader.read(segment.file, segment.base, pos, limit, true);
      } catch (IOException | RuntimeException e) {
        reader.reset();
        if (attempt == READ_ATTEMPTS) throw e;
      }
    }
  }

  /** Gives up on the rest of {@code segment}; no new record goes into it. */
  private void skipRest(Segment segment, long pos) {
    reader.reset();
    spool.lock.lock();
    try {
      if (cursor == segment && cursorPos == pos) cursorPos = segment.size;
      segment.sealed = true;
    } finally {
      spool.lock.unlock();
    }
  }
}
