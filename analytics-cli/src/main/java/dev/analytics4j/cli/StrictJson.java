package dev.analytics4j.cli;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads one line as a strict JSON object (RFC 8259) and says what is wrong in our own words, with
 * the character position and the key path.
 *
 * <p>A general JSON library would accept what an import must refuse (a duplicate key, whose last
 * value silently wins) and let through what would hurt later: numbers with huge exponents or
 * hundreds of thousands of digits (slow or impossible to convert, and never a real analytics value),
 * nesting deep enough to overflow a stack. Its messages also name its own internals. Every step here
 * is linear in the length of the line.
 *
 * <p>Integers that fit a {@code long} become {@link Long}; other numbers {@link BigDecimal}, so the
 * digits are sent as written.
 */
final class StrictJson {
  /** The client refuses deeper values; refusing them here names the line instead. */
  static final int MAX_DEPTH = 64;
  /** No analytics value needs more; a double has 17 significant digits. */
  static final int MAX_NUMBER_CHARS = 100;
  /** Beyond a double's range (about 1e308 and 4.9e-324) a value would arrive as infinity or zero. */
  private static final int MAX_DECIMAL_EXPONENT = 308;
  private static final int MIN_DECIMAL_EXPONENT = -324;

  private final String text;
  private int pos;
  /** Keys (String) and array indexes (int[1]) from the line down to the value being read. */
  private final List<Object> path = new ArrayList<>();

  private StrictJson(String text) {
    this.text = text;
  }

  /** The object on {@code line}, or a rejection naming what is wrong and where. */
  static Map<String, @Nullable Object> parseObject(String line) throws LineRejectedException {
    StrictJson json = new StrictJson(line);
    json.skipWhitespace();
    if (json.pos == line.length()) throw new LineRejectedException("not JSON: the line holds only whitespace");
    if (line.charAt(json.pos) != '{') {
      throw new LineRejectedException("not a JSON object: the line starts with " + json.describeHere()
          + "; each line must be one message, {...}");
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> object = (Map<String, @Nullable Object>) json.readValue();
    json.skipWhitespace();
    if (json.pos != line.length()) {
      throw json.error("more text after the end of the JSON object: " + json.describeHere());
    }
    return object;
  }

  private @Nullable Object readValue() throws LineRejectedException {
    skipWhitespace();
    if (pos == text.length()) throw error("the line ends where a value was expected" + cutOff());
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return readNumber();
        throw error("expected a value but found " + describeHere());
    }
  }

  private Map<String, @Nullable Object> readObject() throws LineRejectedException {
    enter();
    pos++; // '{'
    Map<String, @Nullable Object> object = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      path.remove(path.size() - 1);
      return object;
    }
    path.add("");
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a key in double quotes but found " + describeHere() + cutOff());
      }
      int keyStart = pos;
      String key = readString();
      path.set(path.size() - 1, key);
      if (object.containsKey(key)) {
        pos = keyStart;
        throw error("duplicate key " + pathText() + "; a key may appear only once in an object");
      }
      skipWhitespace();
      if (peek() != ':') throw error("expected ':' after the key " + pathText() + " but found " + describeHere() + cutOff());
      pos++;
      object.put(key, readValue());
      skipWhitespace();
      char next = peek();
      if (next == ',') {
        pos++;
      } else if (next == '}') {
        pos++;
        break;
      } else {
        throw error("expected ',' or '}' after the value of " + pathText() + " but found " + describeHere() + cutOff());
      }
    }
    path.remove(path.size() - 1);
    path.remove(path.size() - 1);
    return object;
  }

  private List<@Nullable Object> readArray() throws LineRejectedException {
    enter();
    pos++; // '['
    List<@Nullable Object> array = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      path.remove(path.size() - 1);
      return array;
    }
    int[] index = {0};
    path.add(index);
    while (true) {
      index[0] = array.size();
      array.add(readValue());
      skipWhitespace();
      char next = peek();
      if (next == ',') {
        pos++;
      } else if (next == ']') {
        pos++;
        break;
      } else {
        throw error("expected ',' or ']' after " + pathText() + " but found " + describeHere() + cutOff());
      }
    }
    path.remove(path.size() - 1);
    path.remove(path.size() - 1);
    return array;
  }

  /** Marks one more level of nesting; the marker itself is popped by the caller. */
  private void enter() throws LineRejectedException {
    // path holds a marker per open container plus one key or index per container with content.
    int depth = 1;
    for (Object segment : path) {
      if (segment == CONTAINER) depth++;
    }
    if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH + " levels at " + pathText());
    path.add(CONTAINER);
  }

  private static final Object CONTAINER = new Object();

  private String readString() throws LineRejectedException {
    int start = ++pos; // after '"'
    StringBuilder decoded = null;
    int copied = start;
    while (true) {
      if (pos == text.length()) {
        pos = start - 1;
        throw error("a string is not closed: the line ends inside it (is the line cut off?)");
      }
      char c = text.charAt(pos);
      if (c == '"') {
        String value = decoded == null ? text.substring(start, pos) : decoded.append(text, copied, pos).toString();
        pos++;
        return value;
      }
      if (c < 0x20) {
        throw error("control character U+" + hex(c) + " inside a string; JSON needs it escaped (\\n, \\t, \\u00XX)");
      }
      if (c == '\\') {
        if (decoded == null) decoded = new StringBuilder(pos - start + 16);
        decoded.append(text, copied, pos);
        pos++;
        if (pos == text.length()) throw error("a string is not closed: the line ends inside it" + cutOff());
        char e = text.charAt(pos);
        switch (e) {
          case '"': decoded.append('"'); break;
          case '\\': decoded.append('\\'); break;
          case '/': decoded.append('/'); break;
          case 'b': decoded.append('\b'); break;
          case 'f': decoded.append('\f'); break;
          case 'n': decoded.append('\n'); break;
          case 'r': decoded.append('\r'); break;
          case 't': decoded.append('\t'); break;
          case 'u':
            decoded.append(readUnicodeEscape());
            pos--; // readUnicodeEscape leaves pos after the escape; the loop's pos++ follows
            break;
          default:
            pos--;
            throw error("invalid escape \\" + printable(e) + " in a string");
        }
        pos++;
        copied = pos;
        continue;
      }
      if (Character.isSurrogate(c)) {
        // Only reachable through a decoder that lets them through; the API cannot store them.
        if (Character.isHighSurrogate(c) && pos + 1 < text.length() && Character.isLowSurrogate(text.charAt(pos + 1))) {
          pos += 2;
          continue;
        }
        throw error("unpaired UTF-16 surrogate U+" + hex(c) + " in a string");
      }
      pos++;
    }
  }

  /** At the 'u' of {@code \\uXXXX}: returns the character(s), checking surrogate pairs. */
  private String readUnicodeEscape() throws LineRejectedException {
    int escapeStart = pos - 1;
    char first = hexChar(escapeStart);
    pos = escapeStart + 6;
    if (!Character.isSurrogate(first)) return String.valueOf(first);
    if (Character.isHighSurrogate(first) && pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
      char second = hexChar(pos);
      if (Character.isLowSurrogate(second)) {
        pos += 6;
        return new String(new char[] {first, second});
      }
    }
    pos = escapeStart;
    throw error("unpaired UTF-16 surrogate \\u" + hex(first) + " in a string; it cannot be sent as text");
  }

  /** The character of the {@code \\uXXXX} escape starting at {@code at}. */
  private char hexChar(int at) throws LineRejectedException {
    if (at + 6 > text.length()) {
      pos = at;
      throw error("a \\u escape needs four hex digits" + cutOff());
    }
    int value = 0;
    for (int i = at + 2; i < at + 6; i++) {
      int digit = Character.digit(text.charAt(i), 16);
      if (digit < 0 || text.charAt(i) > 'f') {
        pos = at;
        throw error("a \\u escape needs four hex digits: " + printable(text.substring(at, at + 6)));
      }
      value = value * 16 + digit;
    }
    return (char) value;
  }

  private Object readNumber() throws LineRejectedException {
    int start = pos;
    if (peek() == '-') pos++;
    if (peek() == '0') {
      pos++;
      if (isDigit(peek())) throw error("a number must not start with 0 unless it is 0 (found " + numberText(start) + ")");
    } else if (isDigit(peek())) {
      while (isDigit(peek())) pos++;
    } else {
      throw error("'-' must be followed by a digit");
    }
    boolean integer = true;
    if (peek() == '.') {
      integer = false;
      pos++;
      if (!isDigit(peek())) throw error("a digit must follow the decimal point in " + numberText(start));
      while (isDigit(peek())) pos++;
    }
    int exponentDigits = 0;
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      pos++;
      if (peek() == '+' || peek() == '-') pos++;
      if (!isDigit(peek())) throw error("a digit must follow the exponent in " + numberText(start));
      int digitsStart = pos;
      while (isDigit(peek())) pos++;
      exponentDigits = pos - digitsStart;
    }
    int length = pos - start;
    if (length > MAX_NUMBER_CHARS) {
      pos = start;
      throw error(String.format(Locale.ROOT, "the number at %s has %,d characters; at most %d are accepted",
          pathText(), length, MAX_NUMBER_CHARS));
    }
    String literal = text.substring(start, start + length);
    if (integer && length <= 18) return Long.parseLong(literal);
    if (exponentDigits > 4) {
      pos = start;
      throw error("the number at " + pathText() + " is out of range: " + literal);
    }
    BigDecimal number = new BigDecimal(literal);
    if (number.signum() != 0) {
      long exponent = (long) number.precision() - number.scale() - 1;
      if (exponent > MAX_DECIMAL_EXPONENT || exponent < MIN_DECIMAL_EXPONENT) {
        pos = start;
        throw error("the number at " + pathText() + " is out of range: " + literal);
      }
    }
    if (integer) {
      try {
        return number.longValueExact();
      } catch (ArithmeticException beyondLong) {
        return number;
      }
    }
    return number;
  }

  private String numberText(int start) {
    int end = Math.min(pos + 1, text.length());
    return end - start > 20 ? text.substring(start, start + 20) + "..." : text.substring(start, end);
  }

  private @Nullable Object literal(String word, @Nullable Object value) throws LineRejectedException {
    if (!text.startsWith(word, pos)) throw error("expected a value but found " + describeHere());
    pos += word.length();
    return value;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  /** The character at the position, or 0 at the end of the line. */
  private char peek() {
    return pos < text.length() ? text.charAt(pos) : 0;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private String cutOff() {
    return pos >= text.length() ? " (is the line cut off?)" : "";
  }

  private String describeHere() {
    if (pos >= text.length()) return "the end of the line";
    char c = text.charAt(pos);
    if (c == '\uFEFF') return "a byte order mark (U+FEFF)";
    return "'" + printable(c) + "'";
  }

  private static String printable(char c) {
    if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || Character.isWhitespace(c) && c != ' ') return "U+" + hex(c);
    return String.valueOf(c);
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) out.append(printable(s.charAt(i)));
    return out.toString();
  }

  private static String hex(char c) {
    return String.format(Locale.ROOT, "%04X", (int) c);
  }

  /** Where the value being read sits, as {@code properties.items[2].sku}; "the line" at the top. */
  private String pathText() {
    StringBuilder out = new StringBuilder();
    for (Object segment : path) {
      if (segment == CONTAINER) continue;
      if (segment instanceof int[]) {
        out.append('[').append(((int[]) segment)[0]).append(']');
      } else {
        if (out.length() > 0) out.append('.');
        out.append(segment);
      }
      if (out.length() > 200) return out.substring(0, 200) + "...";
    }
    return out.length() == 0 ? "the line" : out.toString();
  }

  private LineRejectedException error(String what) {
    return new LineRejectedException("not valid JSON at character " + (pos + 1) + ": " + what);
  }
}
