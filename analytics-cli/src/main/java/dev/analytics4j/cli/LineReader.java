package dev.analytics4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Splits a byte stream into lines and decodes each one strictly, with a bound on memory.
 *
 * <p>Bytes that are not valid in the charset reject their line with the byte offset; nothing is
 * replaced, because a replaced character would be sent as if the source had said it. A UTF-8 byte
 * order mark at the start of the stream is skipped. A line longer than {@code maxLineBytes} is
 * skipped to its end and rejected; a stream that runs {@code maxSkipBytes} without a line end (the
 * zero device, a binary file) stops with an {@link IOException} instead of being read forever.
 */
final class LineReader {
  /**
   * A message may be at most 32,000 bytes as sent; a line of the same message may be longer
   * (escapes such as \u00e9, fields the importer leaves out), but not by this much.
   */
  static final int DEFAULT_MAX_LINE_BYTES = 256 * 1024;
  static final long DEFAULT_MAX_SKIP_BYTES = 64L * 1024 * 1024;

  /** One line: its number, and either its text or why it cannot be used. */
  static final class Line {
    final long number;
    /** The decoded line without its terminator; null when rejected. */
    final @Nullable String text;
    /** The line re-encoded as UTF-8: what its messageId is derived from. Null when rejected. */
    final byte @Nullable [] utf8;
    final @Nullable String rejection;

    private Line(long number, @Nullable String text, byte @Nullable [] utf8, @Nullable String rejection) {
      this.number = number;
      this.text = text;
      this.utf8 = utf8;
      this.rejection = rejection;
    }
  }

  private final InputStream in;
  private final Charset charset;
  private final boolean utf8;
  private final CharsetDecoder decoder;
  private final int maxLineBytes;
  private final long maxSkipBytes;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private byte[] line = new byte[1024];
  private CharBuffer chars = CharBuffer.allocate(1024);
  private long bytesRead;
  private long lineNumber;
  private boolean atStart = true;

  LineReader(InputStream in, Charset charset, int maxLineBytes, long maxSkipBytes) {
    this.in = Objects.requireNonNull(in, "in == null");
    this.charset = Objects.requireNonNull(charset, "charset == null");
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    if (maxSkipBytes < maxLineBytes) {
      throw new IllegalArgumentException("maxSkipBytes must be at least maxLineBytes: " + maxSkipBytes);
    }
    this.utf8 = charset.equals(StandardCharsets.UTF_8);
    this.decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.maxLineBytes = maxLineBytes;
    this.maxSkipBytes = maxSkipBytes;
  }

  /**
   * Whether {@link #next} can return without waiting for the input: a whole line is in the buffer,
   * or the stream says it has bytes now (a file does; a quiet pipe does not). Lines read ahead while
   * this holds are never held back behind a read that waits for a producer.
   */
  boolean readyWithoutBlocking() {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\n') return true;
    }
    try {
      return in.available() > 0;
    } catch (IOException e) {
      return false; // next() will meet the error itself
    }
  }

  /** The next line, or null at the end of the stream. */
  @Nullable Line next() throws IOException {
    int length = 0;
    long lineBytes = 0;
    long lineStart = bytesRead - (limit - position);
    boolean oversize = false;
    boolean sawByte = false;
    while (true) {
      if (position == limit) {
        int n = in.read(buffer);
        if (n < 0) {
          if (!sawByte) return null;
          break;
        }
        position = 0;
        limit = n;
        bytesRead += n;
        if (atStart) {
          atStart = false;
          skipByteOrderMark();
          lineStart = bytesRead - (limit - position);
        }
      }
      sawByte = true;
      int start = position;
      int end = start;
      while (end < limit && buffer[end] != '\n') end++;
      int chunk = end - start;
      lineBytes += chunk;
      if (!oversize) {
        if (length + chunk > maxLineBytes) {
          oversize = true;
        } else {
          if (length + chunk > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, length + chunk)));
          }
          System.arraycopy(buffer, start, line, length, chunk);
          length += chunk;
        }
      }
      if (end < limit) {
        position = end + 1;
        break;
      }
      position = limit;
      if (lineBytes > maxSkipBytes) {
        throw new IOException(String.format(Locale.ROOT, "line %,d has no line end after %,d bytes (is the "
            + "input newline-delimited JSON?)", lineNumber + 1, lineBytes));
      }
    }
    lineNumber++;
    if (oversize) {
      return new Line(lineNumber, null, null, String.format(Locale.ROOT, "oversize: the line is %,d bytes, "
          + "over the limit of %,d (a message may be at most 32,000 bytes)", lineBytes, maxLineBytes));
    }
    if (length > 0 && line[length - 1] == '\r') length--;
    return decode(length, lineStart);
  }

  /**
   * Skips a UTF-8 byte order mark (Windows and PowerShell exports start with one); refuses a
   * UTF-16 one, because every line of such a file would be rejected one by one.
   */
  private void skipByteOrderMark() throws IOException {
    while (limit - position < 3) {
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) break;
      limit += n;
      bytesRead += n;
    }
    if (isUtf16ByteOrderMark(buffer, position, limit)) throw new IOException(UTF16_MESSAGE);
    if (!utf8) return;
    if (limit - position >= 3 && (buffer[position] & 0xff) == 0xEF && (buffer[position + 1] & 0xff) == 0xBB
        && (buffer[position + 2] & 0xff) == 0xBF) {
      position += 3;
    }
  }

  private Line decode(int length, long lineStart) {
    if (utf8) {
      boolean ascii = true;
      for (int i = 0; i < length; i++) {
        if (line[i] < 0) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        byte[] bytes = Arrays.copyOf(line, length);
        return new Line(lineNumber, new String(bytes, StandardCharsets.ISO_8859_1), bytes, null);
      }
    }
    int capacity = (int) Math.ceil(length * (double) decoder.maxCharsPerByte()) + 1;
    if (chars.capacity() < capacity) chars = CharBuffer.allocate(capacity);
    chars.clear();
    ByteBuffer bytes = ByteBuffer.wrap(line, 0, length);
    decoder.reset();
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) result = decoder.flush(chars);
    if (result.isError()) {
      int offset = bytes.position();
      int bad = Math.min(result.length(), length - offset);
      StringBuilder shown = new StringBuilder();
      for (int i = offset; i < offset + Math.max(bad, 1) && i < length; i++) {
        if (shown.length() > 0) shown.append(' ');
        shown.append(String.format(Locale.ROOT, "%02X", line[i] & 0xff));
      }
      String hint = utf8
          ? "; if the file is Latin-1 or Windows-1252, pass --charset ISO-8859-1 or --charset windows-1252"
          : "";
      return new Line(lineNumber, null, null, String.format(Locale.ROOT, "invalid %s at byte %,d of the line "
          + "(byte %,d of the input): %s; nothing was replaced%s", charset.name(), offset + 1,
          lineStart + offset + 1, shown, hint));
    }
    chars.flip();
    String text = chars.toString();
    byte[] encoded = utf8 ? Arrays.copyOf(line, length) : text.getBytes(StandardCharsets.UTF_8);
    return new Line(lineNumber, text, encoded, null);
  }

  static final String UTF16_MESSAGE = "the input is UTF-16 (it starts with a UTF-16 byte order mark, as "
      + "PowerShell 5 writes); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8";

  static boolean isUtf16ByteOrderMark(byte[] bytes, int start, int end) {
    if (end - start < 2) return false;
    int first = bytes[start] & 0xff;
    int second = bytes[start + 1] & 0xff;
    return (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF);
  }

  /** The number of the line returned last. */
  long lineNumber() {
    return lineNumber;
  }

  /** Bytes taken from the stream so far. */
  long bytesRead() {
    return bytesRead;
  }
}
