package dev.analytics4j.testing;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict JSON reader (RFC 8259) for what the collector receives, with nothing but the JDK: the
 * kit sits on test classpaths beside whatever JSON, OkHttp and Kotlin versions the application has,
 * and beside the bundle, which carries its own Moshi. Stricter than the usual parsers where the wire
 * contract is: a duplicate key and a number no double can hold (1e400) are refused, as a collector
 * would keep one of the two keys, or read Infinity.
 *
 * <p>Values: read-only {@code Map<String, Object>} in order, {@code List<Object>}, {@code String},
 * {@code Boolean}, {@code null}, and numbers as {@link #number(String)} gives them.
 */
final class Json {
  /** Deeper nesting is refused rather than risk the test's stack. */
  static final int MAX_DEPTH = 256;

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** What is wrong with a document, and where: {@code $.batch[0].properties}. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code bytes} as UTF-8 text, refusing bytes that are not UTF-8. */
  static String utf8(byte[] bytes) throws Malformed {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new Malformed("it is not UTF-8");
    }
  }

  /** The one value {@code text} holds. */
  static @Nullable Object parse(String text) throws Malformed {
    Json json = new Json(text);
    Object value = json.value("$", 0);
    json.skipWhitespace();
    if (json.pos != text.length()) throw json.error("more after the value", "$");
    return value;
  }

  /**
   * The request body's top-level object, with the text of each element of its {@code batch} array
   * cut out as sent, so its size can be checked as the API checks it.
   */
  static final class Body {
    final Map<String, @Nullable Object> fields;
    /** Each batch element as it was sent, or null without a batch array. */
    final @Nullable List<String> rawBatch;

    Body(Map<String, @Nullable Object> fields, @Nullable List<String> rawBatch) {
      this.fields = fields;
      this.rawBatch = rawBatch;
    }
  }

  /** Parses a request body; a top level other than an object is an error the caller words. */
  static @Nullable Body parseBody(String text) throws Malformed {
    Json json = new Json(text);
    json.skipWhitespace();
    if (json.peek() != '{') {
      parse(text); // the document's own error first, if it has one
      return null;
    }
    List<String> raw = new ArrayList<>();
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> fields = (Map<String, @Nullable Object>) json.object("$", 0, raw);
    json.skipWhitespace();
    if (json.pos != text.length()) throw json.error("more after the value", "$");
    return new Body(fields, fields.get("batch") instanceof List ? raw : null);
  }

  private @Nullable Object value(String path, int depth) throws Malformed {
    skipWhitespace();
    char c = peek();
    switch (c) {
      case '{':
        return object(path, depth, null);
      case '[':
        return array(path, depth, null);
      case '"':
        return string(path);
      case 't':
        return literal("true", Boolean.TRUE, path);
      case 'f':
        return literal("false", Boolean.FALSE, path);
      case 'n':
        return literal("null", null, path);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return readNumber(path);
        throw error(pos >= text.length() ? "it ends where a value should be" : "unexpected " + show(c), path);
    }
  }

  /** An object; {@code rawBatch}, when given, receives the text of each element of a top-level "batch" array. */
  private Map<String, @Nullable Object> object(String path, int depth, @Nullable List<String> rawBatch)
      throws Malformed {
    if (depth >= MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH, path);
    pos++; // {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') throw error("expected a key in quotes but found " + describeNext(), path);
      String key = string(path);
      String at = path + "." + key;
      if (map.containsKey(key)) {
        throw error("duplicate key \"" + key + "\" (a collector would keep one of the two values)", path);
      }
      skipWhitespace();
      expect(':', path);
      skipWhitespace(); // before looking for the batch's '[': "batch": [ is the same array
      Object value = rawBatch != null && key.equals("batch") && lookingAt('[')
          ? array(at, depth + 1, rawBatch)
          : value(at, depth + 1);
      map.put(key, value);
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == '}') return Collections.unmodifiableMap(map);
      if (c != ',') {
        pos--;
        throw error("expected , or } but found " + describeNext(), path);
      }
    }
  }

  private List<@Nullable Object> array(String path, int depth, @Nullable List<String> raw) throws Malformed {
    if (depth >= MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH, path);
    pos++; // [
    List<@Nullable Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      int start = pos;
      list.add(value(path + "[" + list.size() + "]", depth + 1));
      if (raw != null) raw.add(text.substring(start, pos));
      skipWhitespace();
      char c = peek();
      pos++;
      if (c == ']') return Collections.unmodifiableList(list);
      if (c != ',') {
        pos--;
        throw error("expected , or ] but found " + describeNext(), path);
      }
    }
  }

  private String string(String path) throws Malformed {
    pos++; // "
    StringBuilder out = null;
    int start = pos;
    while (true) {
      if (pos >= text.length()) throw error("a string does not end", path);
      char c = text.charAt(pos);
      if (c == '"') {
        String s = out == null ? text.substring(start, pos) : out.append(text, start, pos).toString();
        pos++;
        return s;
      }
      if (c < 0x20) throw error("a control character " + show(c) + " inside a string (escape it)", path);
      if (c != '\\') {
        pos++;
        continue;
      }
      if (out == null) out = new StringBuilder();
      out.append(text, start, pos);
      pos++;
      if (pos >= text.length()) throw error("a string does not end", path);
      char e = text.charAt(pos++);
      switch (e) {
        case '"': out.append('"'); break;
        case '\\': out.append('\\'); break;
        case '/': out.append('/'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case 't': out.append('\t'); break;
        case 'u':
          if (pos + 4 > text.length()) throw error("a \\u escape is cut short", path);
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) throw error("\\u" + text.substring(pos, pos + 4) + " is not a \\u escape", path);
            code = code * 16 + digit;
          }
          pos += 4;
          out.append((char) code);
          break;
        default:
          throw error("\\" + e + " is not an escape JSON has", path);
      }
      start = pos;
    }
  }

  private Number readNumber(String path) throws Malformed {
    int start = pos;
    if (lookingAt('-')) pos++;
    if (lookingAt('0')) {
      pos++;
    } else if (!digits()) {
      throw error("a number needs a digit after -", path);
    }
    if (lookingAt('.')) {
      pos++;
      if (!digits()) throw error("a number needs a digit after its decimal point", path);
    }
    if (lookingAt('e') || lookingAt('E')) {
      pos++;
      if (lookingAt('+') || lookingAt('-')) pos++;
      if (!digits()) throw error("a number needs a digit in its exponent", path);
    }
    String literal = text.substring(start, pos);
    if (Double.isInfinite(Double.parseDouble(literal))) {
      throw error("the number " + (literal.length() > 40 ? literal.substring(0, 40) + "..." : literal) + " is beyond what a double holds "
          + "(a collector would read Infinity)", path);
    }
    return number(literal);
  }

  private boolean digits() {
    int start = pos;
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') pos++;
    return pos > start;
  }

  /**
   * A number as the smallest exact type: {@code Long} for integers that fit, {@code Double} when
   * the double is exactly the literal, {@code BigDecimal} otherwise.
   */
  static Number number(String literal) {
    boolean integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
    if (integral) {
      try {
        return Long.parseLong(literal);
      } catch (NumberFormatException e) {
        return new BigDecimal(literal);
      }
    }
    double d = Double.parseDouble(literal);
    BigDecimal exact;
    try {
      exact = new BigDecimal(literal);
    } catch (NumberFormatException e) {
      return d; // An exponent beyond an int (1e-9999999999): a double reads it as 0, and so does a collector.
    }
    if (Double.isFinite(d) && exact.compareTo(BigDecimal.valueOf(d)) == 0) return d;
    return exact;
  }

  private @Nullable Object literal(String word, @Nullable Object value, String path) throws Malformed {
    if (!text.startsWith(word, pos)) throw error("unexpected " + describeNext(), path);
    pos += word.length();
    return value;
  }

  private void expect(char c, String path) throws Malformed {
    if (!lookingAt(c)) throw error("expected " + c + " but found " + describeNext(), path);
    pos++;
  }

  private boolean lookingAt(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      pos++;
    }
  }

  private String describeNext() {
    return pos >= text.length() ? "the end" : show(text.charAt(pos));
  }

  private static String show(char c) {
    return c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }

  private Malformed error(String what, String path) {
    return new Malformed(what + " at " + path + " (character " + pos + ")");
  }

  /** {@code s} as a JSON string literal. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
