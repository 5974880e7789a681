package dev.analytics4j.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip stream of one or more members (RFC 1952), every member's CRC and length checked.
 *
 * <p>Not {@link java.util.zip.GZIPInputStream}: up to Java 22 it looks for a next member only when
 * {@code available()} says bytes are waiting, which a pipe need not say, so a multi-member input
 * on standard input could end after its first member without a word; and it takes bytes after
 * the last member that are not gzip for the end of the input. Here the next member is read
 * whenever bytes follow, and bytes that are not gzip stop the run with where they are.
 */
final class GzipInput extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private final InputStream in;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  /** The input's offset of {@code buffer[0]}, for messages. */
  private long bufferStart;
  private int members;
  private boolean inMember;
  private boolean ended;
  private boolean closed;

  GzipInput(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) throw new IOException("closed");
    if (len == 0) return 0;
    while (true) {
      if (ended) return -1;
      if (!inMember && !startMember()) {
        ended = true;
        return -1;
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new IOException(String.format(Locale.ROOT, "the gzip input is damaged in member %d near byte %,d (%s)",
            members, offset(), e.getMessage()), e);
      }
      position = limit - inflater.getRemaining();
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inflater.finished()) {
        readTrailer();
        inMember = false;
      } else if (inflater.needsInput()) {
        if (!fill()) {
          throw new EOFException(String.format(Locale.ROOT, "the gzip input ends inside member %d, at byte %,d: "
              + "it is truncated (an interrupted download or copy?)", members, offset()));
        }
        inflater.setInput(buffer, position, limit - position);
      } else if (inflater.needsDictionary()) {
        throw new IOException("the gzip input asks for a preset dictionary, which gzip files never do: it is damaged");
      }
    }
  }

  /** Reads a member's header; false at the end of the input between members. */
  private boolean startMember() throws IOException {
    long start = offset();
    int first = next();
    if (first < 0 && members > 0) return false;
    int second = next();
    if (first != 0x1f || second != 0x8b) {
      throw new IOException(String.format(Locale.ROOT, "the bytes after gzip member %d (at byte %,d of the input) "
          + "are not gzip: the input is damaged, or has something appended", members, start));
    }
    if (required() != 8) throw new IOException("gzip member " + (members + 1) + " is not deflate-compressed");
    int flags = required();
    for (int i = 0; i < 6; i++) required(); // modification time, extra flags, system
    if ((flags & FEXTRA) != 0) {
      int length = required() | required() << 8;
      for (int i = 0; i < length; i++) required();
    }
    if ((flags & FNAME) != 0) while (required() != 0) { /* the original file name */ }
    if ((flags & FCOMMENT) != 0) while (required() != 0) { /* a comment */ }
    if ((flags & FHCRC) != 0) {
      required();
      required();
    }
    members++;
    inMember = true;
    inflater.reset();
    crc.reset();
    inflater.setInput(buffer, position, limit - position);
    return true;
  }

  private void readTrailer() throws IOException {
    long expectedCrc = readInt();
    long expectedSize = readInt();
    if (expectedCrc != crc.getValue() || expectedSize != (inflater.getBytesWritten() & 0xffffffffL)) {
      throw new IOException(String.format(Locale.ROOT, "gzip member %d fails its check (CRC or length), ending at "
          + "byte %,d: the input is damaged", members, offset()));
    }
  }

  private long readInt() throws IOException {
    long value = 0;
    for (int i = 0; i < 4; i++) value |= (long) required() << (8 * i);
    return value;
  }

  private int required() throws IOException {
    int b = next();
    if (b < 0) {
      throw new EOFException(String.format(Locale.ROOT, "the gzip input ends inside the header or trailer of "
          + "member %d: it is truncated", members + (inMember ? 0 : 1)));
    }
    return b;
  }

  private int next() throws IOException {
    if (position == limit && !fill()) return -1;
    return buffer[position++] & 0xff;
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    while (n == 0) n = in.read(buffer, 0, buffer.length);
    if (n < 0) return false;
    bufferStart += limit;
    position = 0;
    limit = n;
    return true;
  }

  private long offset() {
    return bufferStart + position;
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    inflater.end();
    in.close();
  }
}
