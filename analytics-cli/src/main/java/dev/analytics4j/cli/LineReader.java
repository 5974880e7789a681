package dev.analytics4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads UTF-8 lines from a stream with a bound on memory: a line longer than {@code maxLineBytes}
 * is skipped to its end and reported as oversize instead of being held. Reads the stream only when
 * its buffer is empty, so everything handed out was read before the next read blocks.
 */
final class LineReader {
  /** Marks a skipped line that was longer than the limit. */
  static final String OVERSIZE = new String("<oversize>");

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buffer = new byte[64 * 1024];
  private int position;
  private int limit;
  private byte[] line = new byte[1024];
  private long bytesRead;
  private long lastLineBytes;

  LineReader(InputStream in, int maxLineBytes) {
    this.in = Objects.requireNonNull(in, "in == null");
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * The next line without its terminator ({@code \n} or {@code \r\n}), {@link #OVERSIZE} (compare
   * by identity) for a line over the limit, or null at the end of the stream.
   */
  @Nullable String readLine() throws IOException {
    int length = 0;
    long lineBytes = 0;
    boolean oversize = false;
    while (true) {
      if (position == limit) {
        int n = in.read(buffer);
        if (n < 0) {
          if (lineBytes == 0) return null;
          break;
        }
        position = 0;
        limit = n;
        bytesRead += n;
      }
      int start = position;
      int end = start;
      while (end < limit && buffer[end] != '\n') end++;
      int chunk = end - start;
      lineBytes += chunk;
      if (!oversize) {
        if (length + chunk > maxLineBytes) {
          oversize = true;
          length = 0;
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
        lineBytes++;
        break;
      }
      position = limit;
    }
    lastLineBytes = lineBytes;
    if (oversize) return OVERSIZE;
    if (length > 0 && line[length - 1] == '\r') length--;
    return new String(line, 0, length, StandardCharsets.UTF_8);
  }

  /** Bytes taken from the stream so far. */
  long bytesRead() {
    return bytesRead;
  }

  /** The size in bytes of the line returned last, terminator included. */
  long lastLineBytes() {
    return lastLineBytes;
  }
}
