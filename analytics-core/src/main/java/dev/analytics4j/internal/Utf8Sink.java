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
import org.jspecify.annotations.Nullable;

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

  /**
   * What {@link MessageWriter} passes to Moshi in place of a key or a string value, so that Moshi
   * keeps the structure (separators, names before values) while the text is escaped and encoded
   * here in one pass, instead of Moshi scanning it for escapes and this sink walking it again.
   * Moshi hands the very instance it was given to {@link #writeUtf8}, which is how it is told apart
   * from any real text: compared by identity, never by value.
   */
  static final String NAME = new String(new char[] {'k'});
  /** Like {@link #NAME}, for a name encoded once in advance; see {@link #pendRawName}. */
  static final String RAW_NAME = new String(new char[] {'n'});
  static final String VALUE = new String(new char[] {'v'});
  /**
   * A Number whose text is {@link #VALUE}: {@code JsonWriter.value(Number)} writes its argument's
   * {@code toString()} raw after the separator, so the pending string lands exactly where Moshi's
   * own {@code value(String)} would have put it.
   */
  static final Number VALUE_NUMBER = new PendingValue(VALUE);
  /** Like {@link #VALUE}, for a double {@link Decimals} writes; see {@link #pendDecimal}. */
  static final String DECIMAL = new String(new char[] {'d'});
  static final Number DECIMAL_NUMBER = new PendingValue(DECIMAL);
  /** Like {@link #VALUE}, for JSON written once in advance; see {@link #pendRaw}. */
  static final String RAW = new String(new char[] {'r'});
  static final Number RAW_NUMBER = new PendingValue(RAW);

  private byte[] data = new byte[INITIAL_BYTES];
  private int size;
  /** The key and the string value Moshi is about to ask for, through {@link #NAME} and {@link #VALUE}. */
  private String pendingName = "";
  private String pendingValue = "";
  private long pendingThousandths;
  private byte[] pendingRaw = new byte[0];
  private byte[] pendingRawName = new byte[0];
  /**
   * This thread's encoded map keys, from its second message on: a thread that sends one message
   * (a virtual thread per request) allocates none.
   */
  private @Nullable NameCache names;
  private boolean cleared;

  /** The key {@link #NAME} stands for, until the next call. */
  void pendName(String name) {
    pendingName = name;
  }

  /** The name, UTF-8 needing no escape and without its quotes, that {@link #RAW_NAME} stands for. */
  void pendRawName(byte[] utf8) {
    pendingRawName = utf8;
  }

  /** The JSON value, already escaped and encoded, that {@link #RAW_NUMBER} stands for. */
  void pendRaw(byte[] json) {
    pendingRaw = json;
  }

  /** The double {@link #DECIMAL_NUMBER} stands for, as {@link Decimals#thousandths} gave it. */
  void pendDecimal(long thousandths) {
    pendingThousandths = thousandths;
  }

  /** The string value {@link #VALUE_NUMBER} stands for, until the next call. */
  void pendValue(String value) {
    pendingValue = value;
  }

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
    if (cleared && names == null) names = new NameCache();
    cleared = true;
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
    // Kept small so that the JIT inlines it into Moshi's value and separator writes.
    if (string == VALUE) {
      writeJsonString(pendingValue, true);
    } else if (string == DECIMAL) {
      ensure(13); // "-9999999.999"
      size = Decimals.write(data, size, pendingThousandths);
    } else if (string == RAW) {
      writeBytes(pendingRaw);
    } else if (string.length() == 1 && string.charAt(0) < 0x80) {
      // Moshi's ":" between a name and its value, written for every value.
      ensure(1);
      data[size++] = (byte) string.charAt(0);
    } else {
      writeText(string, 0, string.length());
    }
    return this;
  }

  /**
   * Writes {@code string[beginIndex, endIndex)} as UTF-8.
   *
   * @throws UnpairedSurrogate at the first surrogate that is not half of a pair within the range.
   */
  @Override
  public BufferedSink writeUtf8(String string, int beginIndex, int endIndex) {
    if (string == NAME) {
      // Moshi quotes a name itself; it writes the one-char stand-in whole, needing no escape.
      writeName(pendingName);
    } else if (string == RAW_NAME) {
      writeBytes(pendingRawName);
    } else {
      writeText(string, beginIndex, endIndex);
    }
    return this;
  }

  /** This thread's encoded map keys, or null before its second message; for tests. */
  @Nullable NameCache nameCache() {
    return names;
  }

  /** Writes a map key, unquoted: copied when this thread wrote it before, else encoded and kept. */
  private void writeName(String name) {
    NameCache names = this.names;
    if (names == null) {
      writeJsonString(name, false);
      return;
    }
    byte[] known = names.get(name);
    if (known != null) {
      writeBytes(known);
      return;
    }
    int start = size;
    writeJsonString(name, false);
    names.put(name, data, start, size);
  }

  /** Copies bytes that are already the JSON to write: a pre-encoded value or name. */
  private void writeBytes(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, data, size, bytes.length);
    size += bytes.length;
  }

  private void writeText(String string, int beginIndex, int endIndex) {
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
  }

  /**
   * Writes {@code string} as a JSON string, escaped as Moshi's {@code JsonWriter} escapes it
   * (the short escapes, a six-character backslash-u escape with lower-case hex for other controls
   * and for U+2028 and U+2029), encoded as
   * UTF-8, in one pass over its chars.
   *
   * @throws UnpairedSurrogate at the first surrogate that is not half of a pair.
   */
  void writeJsonString(String string, boolean quoted) {
    int n = string.length();
    // Three bytes per char and the quotes; an escape (up to six bytes) makes room for itself.
    ensure(3 * n + 2);
    byte[] out = data;
    int p = size;
    if (quoted) out[p++] = '"';
    // Plain ASCII, most of any key or value, in a loop of its own that the JIT keeps tight.
    int i = 0;
    for (; i < n; i++) {
      char c = string.charAt(i);
      if (c >= 0x80 || c < 0x20 || c == '"' || c == '\\') break;
      out[p + i] = (byte) c;
    }
    p += i;
    for (; i < n; i++) {
      char c = string.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          out[p++] = (byte) c;
          continue;
        }
        size = p;
        ensure(6 + 3 * (n - i));
        out = data;
        p = escape(out, size, c);
      } else if (c < 0x800) {
        out[p++] = (byte) (0xC0 | c >> 6);
        out[p++] = (byte) (0x80 | c & 0x3F);
      } else if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
        if (c == '\u2028' || c == '\u2029') {
          size = p;
          ensure(6 + 3 * (n - i));
          out = data;
          p = escape(out, size, c);
          continue;
        }
        out[p++] = (byte) (0xE0 | c >> 12);
        out[p++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[p++] = (byte) (0x80 | c & 0x3F);
      } else {
        char low;
        if (c > Character.MAX_HIGH_SURROGATE || i + 1 >= n || !Character.isLowSurrogate(low = string.charAt(i + 1))) {
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
    if (quoted) out[p++] = '"';
    size = p;
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * Writes the escape of {@code c} at {@code p}, which has room for six bytes; returns the new end.
   * The one spelling of an escape on our wire: the raw-line path ({@link JsonCopier}) writes it too.
   */
  static int escape(byte[] out, int p, char c) {
    out[p++] = '\\';
    switch (c) {
      case '"': out[p++] = '"'; return p;
      case '\\': out[p++] = '\\'; return p;
      case '\t': out[p++] = 't'; return p;
      case '\b': out[p++] = 'b'; return p;
      case '\n': out[p++] = 'n'; return p;
      case '\r': out[p++] = 'r'; return p;
      case '\f': out[p++] = 'f'; return p;
      default:
        out[p++] = 'u';
        out[p++] = HEX[c >> 12];
        out[p++] = HEX[c >> 8 & 0xF];
        out[p++] = HEX[c >> 4 & 0xF];
        out[p++] = HEX[c & 0xF];
        return p;
    }
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
