package dev.analytics4j.internal.spool;

import dev.analytics4j.messages.Message;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of {@code docs/spool-format.md} (format 1): records, acknowledgements, and the
 * limits a file of the format can never exceed, which recovery judges files against (never the
 * client's settings, so a lowered {@code spoolMaxBytes} never makes good files look damaged).
 */
public final class RecordCodec {
  public static final int FORMAT_VERSION = 1;
  /** length (int) + CRC-32C (int). */
  public static final int HEADER_BYTES = 8;
  /** seq (long), type (byte), id length (unsigned short); then the id and the JSON. */
  public static final int FIXED_BYTES = 8 + 1 + 2;
  /** The largest {@code length} a record may have: an id and a message of up to 32,000 bytes each, and more. */
  public static final int MAX_LENGTH = FIXED_BYTES + 64_000;
  /** The smallest whole record: a header, the fixed part, an empty id and {@code {}}. */
  public static final int MIN_RECORD_BYTES = HEADER_BYTES + FIXED_BYTES + 2;
  /**
   * The largest segment file of the format: a writer starts a new segment before a record would take
   * one past this, so a larger file was not written by a client (a sparse or planted file).
   */
  public static final long MAX_SEGMENT_BYTES = 64L * 1024 * 1024;
  /** seq (long) + CRC-32C of those 8 bytes (int). */
  public static final int ACK_BYTES = 12;

  private static final Message.Type[] TYPES = {
    null, Message.Type.IDENTIFY, Message.Type.TRACK, Message.Type.PAGE, Message.Type.SCREEN,
    Message.Type.GROUP, Message.Type.ALIAS
  };

  private RecordCodec() {}

  /** The bytes a record of this id and JSON takes on disk. */
  public static int recordBytes(byte[] id, byte[] json) {
    return HEADER_BYTES + FIXED_BYTES + id.length + json.length;
  }

  /** Whether a record of this id and JSON fits the format. */
  public static boolean fits(byte[] id, byte[] json) {
    return id.length <= 0xffff && FIXED_BYTES + (long) id.length + json.length <= MAX_LENGTH;
  }

  /**
   * Writes the record into {@code reuse} when it is large enough, else into a new buffer, and
   * returns the buffer flipped for writing out.
   */
  public static ByteBuffer encode(ByteBuffer reuse, long seq, Message.Type type, byte[] id, byte[] json) {
    int length = FIXED_BYTES + id.length + json.length;
    int recordBytes = HEADER_BYTES + length;
    ByteBuffer buffer = reuse.capacity() >= recordBytes ? reuse : ByteBuffer.allocate(Math.max(recordBytes, reuse.capacity() * 2));
    buffer.clear();
    buffer.putInt(length);
    buffer.putInt(0);
    buffer.putLong(seq);
    buffer.put(typeCode(type));
    buffer.putShort((short) id.length);
    buffer.put(id);
    buffer.put(json);
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), buffer.arrayOffset() + HEADER_BYTES, length);
    buffer.putInt(4, (int) crc.getValue());
    buffer.flip();
    return buffer;
  }

  public static byte typeCode(Message.Type type) {
    for (int i = 1; i < TYPES.length; i++) if (TYPES[i] == type) return (byte) i;
    throw new IllegalArgumentException("unknown type " + type);
  }

  public static Message.Type type(int code) {
    return TYPES[code];
  }

  /**
   * The length field of a valid record at {@code pos} of {@code data} (its checksum matching, its
   * seq not below the segment's base, its type known), or -1 when there is none there.
   */
  public static int lengthAt(ByteBuffer data, int pos, int end, long base, CRC32C crc) {
    if (end - pos < HEADER_BYTES + FIXED_BYTES) return -1;
    int length = data.getInt(pos);
    if (length < FIXED_BYTES || length > MAX_LENGTH || length > end - pos - HEADER_BYTES) return -1;
    long seq = data.getLong(pos + HEADER_BYTES);
    if (seq < base || seq - base > Integer.MAX_VALUE - 1) return -1;
    int type = data.get(pos + HEADER_BYTES + 8);
    if (type < 1 || type >= TYPES.length) return -1;
    int idLength = data.getShort(pos + HEADER_BYTES + 9) & 0xffff;
    if (idLength > length - FIXED_BYTES) return -1;
    crc.reset();
    ByteBuffer slice = data.duplicate();
    slice.position(pos + HEADER_BYTES).limit(pos + HEADER_BYTES + length);
    crc.update(slice);
    return (int) crc.getValue() == data.getInt(pos + 4) ? length : -1;
  }

  /** Puts one acknowledgement entry for {@code seq} into {@code buffer}. */
  public static void putAck(ByteBuffer buffer, long seq) {
    buffer.putLong(seq);
    CRC32C crc = new CRC32C();
    ByteBuffer value = ByteBuffer.allocate(8).putLong(0, seq);
    crc.update(value);
    buffer.putInt((int) crc.getValue());
  }

  /** The seq of the acknowledgement entry at {@code at}, or -1 when its checksum fails. */
  public static long ackAt(ByteBuffer buffer, int at) {
    long seq = buffer.getLong(at);
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(8).putLong(0, seq));
    return (int) crc.getValue() == buffer.getInt(at + 8) && seq >= 0 ? seq : -1;
  }
}
