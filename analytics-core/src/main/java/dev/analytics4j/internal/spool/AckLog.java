package dev.analytics4j.internal.spool;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.function.LongConsumer;

/**
 * The {@code acks} file: one entry per record whose outcome is final and reported. Appended to as
 * outcomes come; rewritten at start, and whenever it passes {@link #COMPACT_BYTES}, with only the
 * entries of records still on disk. Never forced: an acknowledgement lost only means a message sent
 * again, which the API deduplicates by messageId.
 */
public final class AckLog implements Closeable {
  public static final String NAME = "acks";
  static final String TEMP = "acks.tmp";
  /** Past this many bytes of entries the file is rewritten. */
  public static final long COMPACT_BYTES = 4L * 1024 * 1024;
  private static final int BUFFER_ENTRIES = 4096;

  private final SpoolFile file;
  private long bytes;

  private AckLog(SpoolFile file, long bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /** What {@link #read} found. */
  public static final class Read {
    public long entries;
    public long damaged;
    public long trailingBytes;
  }

  /**
   * Streams the valid entries of the {@code acks} file to {@code onSeq}, a buffer at a time, so a
   * file of any size costs bounded memory.
   */
  public static Read read(SpoolFileSystem fileSystem, LongConsumer onSeq) throws IOException {
    Read read = new Read();
    SpoolFile file;
    try {
      file = fileSystem.open(NAME);
    } catch (NoSuchFileException e) {
      return read;
    }
    try (SpoolFile in = file) {
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER_ENTRIES * RecordCodec.ACK_BYTES);
      long position = 0;
      while (true) {
        buffer.clear();
        int n = in.readFully(buffer, position);
        int whole = n - n % RecordCodec.ACK_BYTES;
        for (int at = 0; at < whole; at += RecordCodec.ACK_BYTES) {
          long seq = RecordCodec.ackAt(buffer, at);
          if (seq >= 0) {
            read.entries++;
            onSeq.accept(seq);
          } else {
            read.damaged++;
          }
        }
        position += whole;
        if (n < buffer.capacity()) {
          read.trailingBytes = n - whole;
          return read;
        }
      }
    }
  }

  /**
   * Writes a new {@code acks} file holding an entry for each acknowledged record of {@code segments},
   * forced when {@code force}, and renames it over the old one.
   */
  public static AckLog rewrite(SpoolFileSystem fileSystem, Iterable<Segment> segments, boolean force) throws IOException {
    fileSystem.delete(TEMP);
    SpoolFile out = fileSystem.create(TEMP);
    try {
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER_ENTRIES * RecordCodec.ACK_BYTES);
      long at = 0;
      for (Segment segment : segments) {
        for (int i = segment.acked.nextSetBit(0); i >= 0; i = segment.acked.nextSetBit(i + 1)) {
          if (!buffer.hasRemaining()) {
            buffer.flip();
            at += out.writeFully(buffer, at);
            buffer.clear();
          }
          RecordCodec.putAck(buffer, segment.base + i);
        }
      }
      buffer.flip();
      at += out.writeFully(buffer, at);
      if (force) out.force();
      fileSystem.rename(TEMP, NAME);
      return new AckLog(out, at);
    } catch (IOException | RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Appends the entries in {@code entries}. */
  public void append(ByteBuffer entries) throws IOException {
    bytes += file.writeFully(entries, bytes);
  }

  /** Appends one entry, for {@code seq}. */
  public void append(long seq) throws IOException {
    ByteBuffer entry = ByteBuffer.allocate(RecordCodec.ACK_BYTES);
    RecordCodec.putAck(entry, seq);
    entry.flip();
    append(entry);
  }

  public long bytes() {
    return bytes;
  }

  /** Empties the file, when nothing is left on disk to acknowledge. */
  public void clear() throws IOException {
    file.truncate(0);
    bytes = 0;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
