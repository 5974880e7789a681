package dev.analytics4j.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Copies JSON values from a line's UTF-8 bytes into an array in exactly the form the encoder
 * ({@link MessageWriter} over Moshi) writes the same values once parsed: no whitespace, strings
 * with Moshi's escapes ({@code \"}, {@code \\}, {@code \b \t \n \f \r}, a six-character escape in
 * lower-case hex for other control characters and for U+2028 and U+2029; everything else as UTF-8), numbers as the
 * importer's parser and {@code Long}/{@code BigDecimal.toString} give them. It checks what the
 * importer's strict parser checks (RFC 8259, no duplicate key, nesting, number sizes and ranges,
 * unpaired surrogates) in the same pass, without building a map or a String.
 *
 * <p>It never explains a refusal: anything it does not accept throws {@link #NOT_SURE}, and the
 * caller takes the line through the parser, which says what is wrong in its own words. Not
 * thread-safe: one per thread.
 */
final class JsonCopier {
  /** The importer's parser refuses containers nested deeper, the line's own object being level 1. */
  static final int MAX_DEPTH = 64;
  private static final int MAX_NUMBER_CHARS = 100;
  private static final int MAX_DECIMAL_EXPONENT = 308;
  private static final int MIN_DECIMAL_EXPONENT = -324;
  /** Objects with more keys go to the parser: duplicate keys are looked for pairwise here. */
  private static final int MAX_KEYS_PER_OBJECT = 256;
  private static final byte[] LIBRARY_KEY = "\"library\"".getBytes(StandardCharsets.US_ASCII);

  /** Thrown for anything not copied; stackless and shared, since the caller only falls back. */
  static final class NotSure extends RuntimeException {
    private NotSure() {
      super(null, null, false, false);
    }
  }

  static final NotSure NOT_SURE = new NotSure();

  /** What {@link #copyObject} looks at in the members of one object, besides copying them. */
  enum Watch {
    NONE,
    /** Notes a {@code library} key ({@link #sawLibrary}). */
    CONTEXT,
    /** Refuses a member that is not {@code true}, {@code false} or an object. */
    INTEGRATIONS
  }

  byte[] in = new byte[0];
  int pos;
  int end;
  byte[] out = new byte[4096];
  int size;
  /** Whether the last string copied holds a character that is neither whitespace nor a control character. */
  boolean visible;
  /** Whether the last string copied needed an escape in the output. */
  boolean escaped;
  /** Whether the object copied with {@link Watch#CONTEXT} has a {@code library} key. */
  boolean sawLibrary;
  private Watch watch = Watch.NONE;
  private int watchDepth;
  /** Output ranges of the keys of the objects being copied, innermost last. */
  private int[] keyStarts = new int[64];
  private int[] keyEnds = new int[64];
  private int keys;

  void reset(byte[] line, int from, int to) {
    in = line;
    pos = from;
    end = to;
    size = 0;
    keys = 0;
    watch = Watch.NONE; // a line given up inside a watched object leaves it set
    watchDepth = 0;
  }

  int peek() {
    return pos < end ? in[pos] & 0xff : -1;
  }

  void skipWhitespace() {
    while (pos < end) {
      byte b = in[pos];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return;
      pos++;
    }
  }

  void expect(char c) {
    skipWhitespace();
    if (pos >= end || in[pos] != c) throw NOT_SURE;
    pos++;
  }

  void write(int b) {
    if (size == out.length) out = Arrays.copyOf(out, size * 2);
    out[size++] = (byte) b;
  }

  void write(byte[] bytes, int from, int length) {
    if (out.length - size < length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + length));
    System.arraycopy(bytes, from, out, size, length);
    size += length;
  }

  /** Copies the value at the position; {@code depth} is the level a container there would have. */
  void copyValue(int depth) {
    skipWhitespace();
    switch (peek()) {
      case '{':
        copyObject(depth, Watch.NONE);
        return;
      case '[':
        copyArray(depth);
        return;
      case '"':
        copyString();
        return;
      case 't':
        literal("true");
        return;
      case 'f':
        literal("false");
        return;
      case 'n':
        literal("null");
        return;
      default:
        copyNumber();
    }
  }

  /** Copies an object, looking at its members as {@code watch} says. */
  void copyObject(int depth, Watch watch) {
    if (depth > MAX_DEPTH) throw NOT_SURE;
    Watch outerWatch = this.watch;
    int outerWatchDepth = watchDepth;
    if (watch != Watch.NONE) {
      this.watch = watch;
      watchDepth = depth;
      sawLibrary = false;
    }
    pos++; // '{'
    write('{');
    int base = keys;
    skipWhitespace();
    if (peek() == '}') {
      pos++;
    } else {
      while (true) {
        skipWhitespace();
        if (peek() != '"') throw NOT_SURE;
        int keyStart = size;
        copyString();
        addKey(base, keyStart, size);
        expect(':');
        write(':');
        if (depth == watchDepth && this.watch != Watch.NONE) watchMember(keyStart);
        copyValue(depth + 1);
        skipWhitespace();
        int next = peek();
        pos++;
        if (next == '}') break;
        if (next != ',') throw NOT_SURE;
        write(',');
      }
    }
    write('}');
    keys = base;
    this.watch = outerWatch;
    watchDepth = outerWatchDepth;
  }

  private void watchMember(int keyStart) {
    if (watch == Watch.CONTEXT) {
      if (Arrays.equals(out, keyStart, size - 1, LIBRARY_KEY, 0, LIBRARY_KEY.length)) sawLibrary = true;
    } else {
      skipWhitespace();
      int c = peek();
      if (c != 't' && c != 'f' && c != '{') throw NOT_SURE;
    }
  }

  /** Notes the key at {@code [start, end)} of the output; one the object already has is not ours to judge. */
  private void addKey(int base, int start, int end) {
    int length = end - start;
    for (int k = base; k < keys; k++) {
      if (keyEnds[k] - keyStarts[k] == length && Arrays.equals(out, start, end, out, keyStarts[k], keyEnds[k])) {
        throw NOT_SURE;
      }
    }
    if (keys - base >= MAX_KEYS_PER_OBJECT) throw NOT_SURE;
    if (keys == keyStarts.length) {
      keyStarts = Arrays.copyOf(keyStarts, keys * 2);
      keyEnds = Arrays.copyOf(keyEnds, keys * 2);
    }
    keyStarts[keys] = start;
    keyEnds[keys++] = end;
  }

  private void copyArray(int depth) {
    if (depth > MAX_DEPTH) throw NOT_SURE;
    pos++; // '['
    write('[');
    skipWhitespace();
    if (peek() == ']') {
      pos++;
    } else {
      while (true) {
        copyValue(depth + 1);
        skipWhitespace();
        int next = peek();
        pos++;
        if (next == ']') break;
        if (next != ',') throw NOT_SURE;
        write(',');
      }
    }
    write(']');
  }

  private void literal(String word) {
    int n = word.length();
    if (end - pos < n) throw NOT_SURE;
    for (int i = 0; i < n; i++) {
      if (in[pos + i] != word.charAt(i)) throw NOT_SURE;
    }
    pos += n;
    for (int i = 0; i < n; i++) write(word.charAt(i));
  }

  /** Copies the string at the position (its opening quote), quotes included. */
  void copyString() {
    visible = false;
    escaped = false;
    pos++; // '"'
    write('"');
    byte[] line = in;
    while (true) {
      int run = pos;
      // Printable ASCII other than '"' and '\\' is copied as it is, in runs.
      while (pos < end) {
        byte b = line[pos];
        if (b < 0x20 || b == '"' || b == '\\') break;
        if (b != ' ') visible = true;
        pos++;
      }
      if (pos > run) write(line, run, pos - run);
      if (pos >= end) throw NOT_SURE; // not closed
      byte b = line[pos];
      if (b == '"') {
        pos++;
        write('"');
        return;
      }
      if (b == '\\') {
        escape();
      } else if (b >= 0) {
        throw NOT_SURE; // a control character
      } else {
        multibyte(b & 0xff);
      }
    }
  }

  /** Copies one UTF-8 sequence (the line's bytes are valid UTF-8), writing U+2028 and U+2029 escaped. */
  private void multibyte(int lead) {
    int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (end - pos < length) throw NOT_SURE;
    if (length == 3 && (lead == 0xE1 || lead == 0xE2 || lead == 0xE3)) {
      // The only leads of characters Java calls whitespace above ASCII (U+1680, U+2000..., U+3000).
      char c = (char) ((lead & 0x0F) << 12 | (in[pos + 1] & 0x3F) << 6 | (in[pos + 2] & 0x3F));
      if (c == '\u2028' || c == '\u2029') {
        writeEscape(c);
        if (!Character.isWhitespace(c)) visible = true;
        pos += 3;
        return;
      }
      if (!Character.isWhitespace(c)) visible = true;
    } else {
      visible = true;
    }
    write(in, pos, length);
    pos += length;
  }

  private void escape() {
    if (end - pos < 2) throw NOT_SURE;
    byte e = in[pos + 1];
    pos += 2;
    char c;
    switch (e) {
      case '"': c = '"'; break;
      case '\\': c = '\\'; break;
      case '/': c = '/'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'u':
        c = hexChar();
        if (Character.isSurrogate(c)) {
          if (!Character.isHighSurrogate(c) || end - pos < 6 || in[pos] != '\\' || in[pos + 1] != 'u') throw NOT_SURE;
          pos += 2;
          char low = hexChar();
          if (!Character.isLowSurrogate(low)) throw NOT_SURE;
          int codePoint = Character.toCodePoint(c, low);
          write(0xF0 | codePoint >> 18);
          write(0x80 | codePoint >> 12 & 0x3F);
          write(0x80 | codePoint >> 6 & 0x3F);
          write(0x80 | codePoint & 0x3F);
          visible = true;
          return;
        }
        break;
      default:
        throw NOT_SURE;
    }
    writeChar(c);
  }

  /** Four hex digits at the position. */
  private char hexChar() {
    if (end - pos < 4) throw NOT_SURE;
    int value = 0;
    for (int i = 0; i < 4; i++) {
      int b = in[pos + i];
      int digit = b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F' ? b - 'A' + 10 : -1;
      if (digit < 0) throw NOT_SURE;
      value = value << 4 | digit;
    }
    pos += 4;
    return (char) value;
  }

  /** Writes one decoded character (not a surrogate) as the encoder does. */
  private void writeChar(char c) {
    if (c > 0x20 && !Character.isWhitespace(c)) visible = true;
    if (c < 0x20 || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029') {
      writeEscape(c);
    } else if (c < 0x80) {
      write(c);
    } else if (c < 0x800) {
      write(0xC0 | c >> 6);
      write(0x80 | c & 0x3F);
    } else {
      write(0xE0 | c >> 12);
      write(0x80 | c >> 6 & 0x3F);
      write(0x80 | c & 0x3F);
    }
  }

  /** Writes {@code c} escaped, spelled as the encoder spells it (one place decides: {@link Utf8Sink#escape}). */
  private void writeEscape(char c) {
    escaped = true;
    if (out.length - size < 6) out = Arrays.copyOf(out, Math.max(out.length * 2, size + 6));
    size = Utf8Sink.escape(out, size, c);
  }

  /**
   * Copies the number at the position as the importer's parser reads it and the encoder writes it:
   * an integer as its digits ({@code -0} as {@code 0}), another number as {@code BigDecimal} writes it.
   */
  void copyNumber() {
    int start = pos;
    if (peek() == '-') pos++;
    int intStart = pos;
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) throw NOT_SURE;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) pos++;
    } else {
      throw NOT_SURE;
    }
    boolean zeroInteger = pos - intStart == 1 && in[intStart] == '0';
    int fractionStart = -1;
    if (peek() == '.') {
      pos++;
      fractionStart = pos;
      if (!isDigit(peek())) throw NOT_SURE;
      while (isDigit(peek())) pos++;
    }
    boolean exponent = false;
    int exponentDigits = 0;
    if (peek() == 'e' || peek() == 'E') {
      exponent = true;
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!isDigit(peek())) throw NOT_SURE;
      int digitsStart = pos;
      while (isDigit(peek())) pos++;
      exponentDigits = pos - digitsStart;
    }
    int length = pos - start;
    if (length > MAX_NUMBER_CHARS) throw NOT_SURE;
    if (fractionStart < 0 && !exponent) {
      // Fits a long or not, an integer is written with the digits it was read with.
      if (zeroInteger) {
        write('0');
      } else {
        write(in, start, length);
      }
      return;
    }
    if (!exponent && !zeroInteger) {
      write(in, start, length); // BigDecimal writes a plain decimal >= 1 as it was read
      return;
    }
    if (!exponent) {
      // 0.xxx: plain as read while its first significant digit is among the first six decimals.
      int firstSignificant = fractionStart;
      while (firstSignificant < pos && in[firstSignificant] == '0') firstSignificant++;
      if (firstSignificant < pos && firstSignificant - fractionStart < 6) {
        write(in, start, length);
        return;
      }
    }
    if (exponentDigits > 4) throw NOT_SURE;
    BigDecimal number = new BigDecimal(new String(in, start, length, StandardCharsets.ISO_8859_1));
    if (number.signum() != 0) {
      long magnitude = (long) number.precision() - number.scale() - 1;
      if (magnitude > MAX_DECIMAL_EXPONENT || magnitude < MIN_DECIMAL_EXPONENT) throw NOT_SURE;
    }
    String text = number.toString();
    for (int i = 0, n = text.length(); i < n; i++) write(text.charAt(i));
  }

  private static boolean isDigit(int c) {
    return c >= '0' && c <= '9';
  }
}
