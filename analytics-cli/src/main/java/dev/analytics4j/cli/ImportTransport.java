package dev.analytics4j.cli;

import dev.analytics4j.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Puts each line's own {@code context.library} back in place of ours (see
 * {@link LineParser#SOURCE_LIBRARY_KEY}) in every request the client sends, and, because that
 * rewrite needs the plain body, compresses the body itself when gzip is on. What each attempt
 * did is the client's to report, to the importer's {@link EndpointWatch}.
 */
final class ImportTransport implements Transport {
  private static final byte[] SOURCE_LIBRARY_JSON = quoted(LineParser.SOURCE_LIBRARY_KEY);
  private static final byte[] LIBRARY_JSON = quoted("library");

  private final Transport delegate;
  private final boolean gzip;

  ImportTransport(Transport delegate, boolean gzip) {
    this.delegate = Objects.requireNonNull(delegate, "delegate == null");
    this.gzip = gzip;
  }

  @Override
  public Response send(Request request) throws IOException {
    byte[] body = restoreSourceLibraries(request.body());
    Map<String, String> headers = request.headers();
    if (gzip) {
      headers = new LinkedHashMap<>(headers);
      headers.put("Content-Encoding", "gzip");
      body = gzip(body);
    }
    return delegate.send(new Request(request.url(), headers, body, request.timeout()));
  }

  @Override
  public void close() {
    delegate.close();
  }

  private static byte[] gzip(byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out, 8192)) {
      zip.write(body);
    }
    return out.toByteArray();
  }

  /**
   * In each message of the batch whose context holds the source's library under our placeholder
   * key, drops the {@code library} the client added and renames the placeholder to {@code library}.
   * The body is the client's own compact JSON; bodies without the placeholder are returned as they
   * are. The result is never longer than the input, so the client's size limits still hold.
   */
  static byte[] restoreSourceLibraries(byte[] body) {
    if (indexOf(body, SOURCE_LIBRARY_JSON, 0) < 0) return body;
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
    int batch = valueOfKey(body, 0, "batch");
    if (batch < 0 || body[batch] != '[') return body;
    int copied = 0;
    int i = batch + 1;
    while (i < body.length && body[i] != ']') {
      if (body[i] == ',') {
        i++;
        continue;
      }
      int messageEnd = skipValue(body, i);
      int context = body[i] == '{' ? valueOfKey(body, i, "context") : -1;
      if (context >= 0 && body[context] == '{') {
        int contextEnd = skipValue(body, context);
        int found = indexOf(body, SOURCE_LIBRARY_JSON, context);
        if (found >= 0 && found < contextEnd) {
          out.write(body, copied, context - copied);
          writeContext(body, context, contextEnd, out);
          copied = contextEnd;
        }
      }
      i = messageEnd;
    }
    out.write(body, copied, body.length - copied);
    return out.toByteArray();
  }

  /**
   * Writes the context object at {@code start} with the source's library in place of ours; as it is
   * when no key is our placeholder (the placeholder's text may also appear as a string value).
   */
  private static void writeContext(byte[] body, int start, int end, ByteArrayOutputStream out) {
    List<int[]> pairs = new ArrayList<>();
    boolean hasSource = false;
    int i = start + 1;
    while (body[i] != '}') {
      if (body[i] == ',') {
        i++;
        continue;
      }
      int keyEnd = skipValue(body, i);
      int valueEnd = skipValue(body, keyEnd + 1);
      pairs.add(new int[] {i, keyEnd, valueEnd});
      hasSource |= regionEquals(body, i, keyEnd, SOURCE_LIBRARY_JSON);
      i = valueEnd;
    }
    if (!hasSource) {
      out.write(body, start, end - start);
      return;
    }
    out.write('{');
    boolean first = true;
    for (int[] pair : pairs) {
      if (regionEquals(body, pair[0], pair[1], LIBRARY_JSON)) continue; // ours
      if (!first) out.write(',');
      first = false;
      if (regionEquals(body, pair[0], pair[1], SOURCE_LIBRARY_JSON)) {
        out.write(LIBRARY_JSON, 0, LIBRARY_JSON.length);
        out.write(body, pair[1], pair[2] - pair[1]);
      } else {
        out.write(body, pair[0], pair[2] - pair[0]);
      }
    }
    out.write('}');
  }

  /** The start of the value of {@code key} in the object at {@code start}, or -1. */
  private static int valueOfKey(byte[] body, int start, String key) {
    byte[] wanted = quoted(key);
    int i = start + 1;
    while (i < body.length && body[i] != '}') {
      if (body[i] == ',') {
        i++;
        continue;
      }
      int keyEnd = skipValue(body, i);
      if (regionEquals(body, i, keyEnd, wanted)) return keyEnd + 1;
      i = skipValue(body, keyEnd + 1);
    }
    return -1;
  }

  /** The index just after the compact JSON value (or key) starting at {@code start}. */
  private static int skipValue(byte[] body, int start) {
    byte first = body[start];
    if (first == '"') {
      int i = start + 1;
      while (body[i] != '"') i += body[i] == '\\' ? 2 : 1;
      return i + 1;
    }
    if (first == '{' || first == '[') {
      int depth = 0;
      int i = start;
      do {
        byte b = body[i];
        if (b == '"') {
          i = skipValue(body, i);
          continue;
        }
        if (b == '{' || b == '[') depth++;
        if (b == '}' || b == ']') depth--;
        i++;
      } while (depth > 0);
      return i;
    }
    int i = start;
    while (i < body.length && body[i] != ',' && body[i] != '}' && body[i] != ']') i++;
    return i;
  }

  private static boolean regionEquals(byte[] body, int start, int end, byte[] wanted) {
    if (end - start != wanted.length) return false;
    for (int i = 0; i < wanted.length; i++) {
      if (body[start + i] != wanted[i]) return false;
    }
    return true;
  }

  private static int indexOf(byte[] body, byte[] wanted, int from) {
    outer:
    for (int i = from, last = body.length - wanted.length; i <= last; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (body[i + j] != wanted[j]) continue outer;
      }
      return i;
    }
    return -1;
  }

  /** The key as the client's JSON writer spells it, quotes included (NUL as {@code \u0000}). */
  private static byte[] quoted(String key) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : key.toCharArray()) {
      if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "ImportTransport{" + delegate + ", gzip=" + gzip + "}";
  }
}
