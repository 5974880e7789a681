package dev.analytics4j.internal.spool;

import dev.analytics4j.messages.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads records one after another through a buffer of bounded size, telling a valid record from a
 * damaged region and from a file that ends before the records it should hold. Recovery and reading
 * back both use it; one reader per thread.
 */
public final class RecordReader {
  /** What {@link #read} found. */
  public enum Found {
    /** A valid record: {@link #seq}, {@link #end} and, when decoding, the message fields are set. */
    RECORD,
    /** Bytes that hold no valid record, up to {@link #end}: the next valid record, or the limit. */
    DAMAGED,
    /** The file ends before the limit, inside or before the next record: what was there is gone. */
    CUT,
    /** At the limit: nothing more to read. */
    END
  }

  private final ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();
  private @Nullable SpoolFile bufferFile;
  private long bufferStart;
  /** Where the file was found to end when the buffer was filled; -1 when it went on. */
  private long fileEnd = -1;

  public long seq;
  public long end;
  public Message.@Nullable Type type;
  public @Nullable String messageId;
  public byte @Nullable [] json;

  public RecordReader(int bufferBytes) {
    this.buffer = ByteBuffer.allocate(Math.max(bufferBytes, RecordCodec.HEADER_BYTES + RecordCodec.MAX_LENGTH));
  }

  /** Forgets what is buffered; call when a file may have changed under the reader. */
  public void reset() {
    bufferFile = null;
  }

  /**
   * Reads what lies at {@code pos} of {@code file}, a segment whose seqs start at {@code base}, not
   * looking at or past {@code limit}.
   */
  public Found read(SpoolFile file, long base, long pos, long limit, boolean decode) throws IOException {
    if (pos >= limit) return Found.END;
    ByteBuffer view = recordAt(file, base, pos, limit);
    if (view != null) {
      int at = view.position();
      int length = view.getInt(at);
      seq = view.getLong(at + RecordCodec.HEADER_BYTES);
      end = pos + RecordCodec.HEADER_BYTES + length;
      if (decode) decode(view, at, length);
      return Found.RECORD;
    }
    for (long at = pos + 1; at < limit; at++) {
      if (fileEnd >= 0 && at + RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES > fileEnd) break;
      if (recordAt(file, base, at, limit) != null) {
        end = at;
        return Found.DAMAGED;
      }
    }
    // No valid record follows: the file is shorter than what was written to it (cut), or its tail
    // is damaged (torn by a crash in the middle of a write).
    boolean cut = fileEnd >= 0 && fileEnd < limit;
    end = cut ? fileEnd : limit;
    return cut ? Found.CUT : Found.DAMAGED;
  }

  /** A view positioned at a valid record at {@code pos}, holding all of it; null when there is none. */
  private @Nullable ByteBuffer recordAt(SpoolFile file, long base, long pos, long limit) throws IOException {
    ByteBuffer view = window(file, pos, limit, RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES);
    if (view.remaining() < RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES) return null;
    int length = view.getInt(view.position());
    if (length < RecordCodec.FIXED_BYTES || length > RecordCodec.MAX_LENGTH) return null;
    if (view.remaining() < RecordCodec.HEADER_BYTES + length) {
      view = window(file, pos, limit, RecordCodec.HEADER_BYTES + length);
    }
    if (RecordCodec.lengthAt(view, view.position(), view.limit(), base, crc) < 0) return null;
    // A segment's records are numbered from its base, one each, so the one at pos follows at most
    // pos / (the smallest record) others: a seq past that is no writer's, and would size the
    // segment's bookkeeping (a bit per seq) by itself rather than by the file.
    long index = view.getLong(view.position() + RecordCodec.HEADER_BYTES) - base;
    return index <= pos / (RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES) ? view : null;
  }

  private void decode(ByteBuffer view, int at, int length) {
    type = RecordCodec.type(view.get(at + RecordCodec.HEADER_BYTES + 8));
    int idLength = view.getShort(at + RecordCodec.HEADER_BYTES + 9) & 0xffff;
    int idAt = at + RecordCodec.HEADER_BYTES + RecordCodec.FIXED_BYTES;
    messageId = new String(view.array(), view.arrayOffset() + idAt, idLength, StandardCharsets.UTF_8);
    byte[] bytes = new byte[length - RecordCodec.FIXED_BYTES - idLength];
    System.arraycopy(view.array(), view.arrayOffset() + idAt + idLength, bytes, 0, bytes.length);
    json = bytes;
  }

  /**
   * A view of the file from {@code pos} holding {@code need} bytes, or fewer where the file or the
   * limit ends first; refilled from the file only when the buffer does not hold them.
   */
  private ByteBuffer window(SpoolFile file, long pos, long limit, int need) throws IOException {
    long wantedEnd = Math.min(pos + need, limit);
    long buffered = bufferStart + buffer.limit();
    boolean covers = bufferFile == file && pos >= bufferStart
        && (wantedEnd <= buffered || (fileEnd >= 0 && buffered >= fileEnd));
    if (!covers) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), limit - pos));
      int n = file.readFully(buffer, pos);
      fileEnd = buffer.hasRemaining() ? pos + n : -1;
      buffer.flip();
      bufferFile = file;
      bufferStart = pos;
    }
    ByteBuffer view = buffer.duplicate();
    int from = (int) Math.min(pos - bufferStart, buffer.limit());
    view.position(from);
    view.limit((int) Math.min(buffer.limit(), from + (limit - pos)));
    return view;
  }
}
