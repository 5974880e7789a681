package dev.analytics4j.internal;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import okio.Buffer;
import okio.BufferedSink;
import okio.ByteString;
import okio.Source;
import okio.Timeout;

/**
 * Not API: may change in any release. The sink under the encoder's Moshi {@code JsonWriter}: UTF-8
 * straight into one growable array that a thread reuses for every message, instead of an Okio
 * {@code Buffer} whose segments are written, then copied out again. It refuses an unpaired UTF-16
 * surrogate in the same pass that encodes the string (Okio would write {@code ?} in its place), so
 * no string is scanned a third time for it.
 *
 * <p>Only what {@code JsonUtf8Writer} calls is implemented ({@code writeByte}, {@code writeUtf8},
 * {@code flush}, {@code close}); everything else throws {@link UnsupportedOperationException}. Not
 * thread-safe: one per thread.
 */
public final class Utf8Sink implements BufferedSink {
  /** A sink that grew past this for one message gives the array back when it is cleared. */
  private static final int KEEP_BYTES = 64 * 1024;
  private static final int INITIAL_BYTES = 2 * 1024;

  private byte[] data = new byte[INITIAL_BYTES];
  private int size;

  /** An unpaired surrogate at {@code index} of {@code string}: the caller says where it was. */
  public static final class UnpairedSurrogate extends RuntimeException {
    public final String string;
    public final int index;

    UnpairedSurrogate(String string, int index) {
      super(null, null, false, false);
      this.string = string;
      this.index = index;
    }
  }

  /** The number of bytes written since the last {@link #clear()}. */
  public int size() {
    return size;
  }

  /** Forgets what was written; a sink that grew for one huge message lets that array go. */
  public void clear() {
    size = 0;
    if (data.length > KEEP_BYTES) data = new byte[INITIAL_BYTES];
  }

  /** A copy of the bytes written since the last {@link #clear()}. */
  public byte[] toByteArray() {
    return Arrays.copyOf(data, size);
  }

  private void ensure(int more) {
    if (data.length - size >= more) return;
    long wanted = Math.max((long) data.length * 2, (long) size + more);
    if (wanted > Integer.MAX_VALUE - 8) throw new OutOfMemoryError("JSON over 2 GB");
    data = Arrays.copyOf(data, (int) wanted);
  }

  @Override
  public BufferedSink writeByte(int b) {
    ensure(1);
    data[size++] = (byte) b;
    return this;
  }

  @Override
  public BufferedSink writeUtf8(String string) {
    return writeUtf8(string, 0, string.length());
  }

  /**
   * Writes {@code string[beginIndex, endIndex)} as UTF-8.
   *
   * @throws UnpairedSurrogate at the first surrogate that is not half of a pair within the range.
   */
  @Override
  public BufferedSink writeUtf8(String string, int beginIndex, int endIndex) {
    // Three bytes per char at most: a pair of chars takes four.
    ensure(3 * (endIndex - beginIndex));
    byte[] out = data;
    int p = size;
    for (int i = beginIndex; i < endIndex; i++) {
      char c = string.charAt(i);
      if (c < 0x80) {
        out[p++] = (byte) c;
      } else if (c < 0x800) {
        out[p++] = (byte) (0xC0 | c >> 6);
        out[p++] = (byte) (0x80 | c & 0x3F);
      } else if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
        out[p++] = (byte) (0xE0 | c >> 12);
        out[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[p++] = (byte) (0x80 | c & 0x3F);
      } else {
        char low;
        if (c > Character.MAX_HIGH_SURROGATE || i + 1 >= endIndex
            || !Character.isLowSurrogate(low = string.charAt(i + 1))) {
          size = p;
          throw new UnpairedSurrogate(string, i);
        }
        int codePoint = Character.toCodePoint(c, low);
        out[p++] = (byte) (0xF0 | codePoint >> 18);
        out[p++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
        out[p++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
        out[p++] = (byte) (0x80 | codePoint & 0x3F);
        i++;
      }
    }
    size = p;
    return this;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public Timeout timeout() {
    return Timeout.NONE;
  }

  private static UnsupportedOperationException unused() {
    return new UnsupportedOperationException("not used by JsonWriter");
  }

  @Override
  public Buffer buffer() {
    throw unused();
  }

  @Override
  public Buffer getBuffer() {
    throw unused();
  }

  @Override
  public BufferedSink write(ByteString byteString) {
    throw unused();
  }

  @Override
  public BufferedSink write(ByteString byteString, int offset, int byteCount) {
    throw unused();
  }

  @Override
  public BufferedSink write(byte[] source) {
    throw unused();
  }

  @Override
  public BufferedSink write(byte[] source, int offset, int byteCount) {
    throw unused();
  }

  @Override
  public long writeAll(Source source) {
    throw unused();
  }

  @Override
  public BufferedSink write(Source source, long byteCount) {
    throw unused();
  }

  @Override
  public void write(Buffer source, long byteCount) {
    throw unused();
  }

  @Override
  public int write(ByteBuffer source) {
    throw unused();
  }

  @Override
  public BufferedSink writeUtf8CodePoint(int codePoint) {
    throw unused();
  }

  @Override
  public BufferedSink writeString(String string, Charset charset) {
    throw unused();
  }

  @Override
  public BufferedSink writeString(String string, int beginIndex, int endIndex, Charset charset) {
    throw unused();
  }

  @Override
  public BufferedSink writeShort(int s) {
    throw unused();
  }

  @Override
  public BufferedSink writeShortLe(int s) {
    throw unused();
  }

  @Override
  public BufferedSink writeInt(int i) {
    throw unused();
  }

  @Override
  public BufferedSink writeIntLe(int i) {
    throw unused();
  }

  @Override
  public BufferedSink writeLong(long v) {
    throw unused();
  }

  @Override
  public BufferedSink writeLongLe(long v) {
    throw unused();
  }

  @Override
  public BufferedSink writeDecimalLong(long v) {
    throw unused();
  }

  @Override
  public BufferedSink writeHexadecimalUnsignedLong(long v) {
    throw unused();
  }

  @Override
  public BufferedSink emit() {
    return this;
  }

  @Override
  public BufferedSink emitCompleteSegments() {
    return this;
  }

  @Override
  public OutputStream outputStream() {
    throw unused();
  }
}
