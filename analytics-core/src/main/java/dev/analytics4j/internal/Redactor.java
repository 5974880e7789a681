package dev.analytics4j.internal;

import dev.analytics4j.Failure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Removes the write key from text that came from the network (an error body, an exception message)
 * before it reaches a log line or a {@link Failure#reason()}, in every spelling a collector or
 * proxy may echo it in.
 *
 * <p>What is looked for ("secrets"): the key itself; the Basic token of the {@code Authorization}
 * header, {@code base64(key + ":")}, in the standard and the URL-safe alphabet, padding optional; and
 * the part of {@code base64(key)} that does not depend on what precedes the key, at each of the three
 * byte alignments, so the key is found inside any Base64 blob (an echoed body, a token).
 *
 * <p>Where it is looked for: the text as it is, and the text after up to {@value #MAX_LAYERS}
 * layers of decoding, in any order, of
 * <ul>
 *   <li>backslash escapes (JSON as Moshi, Jackson, Go or Python write it: {@code \"}, {@code \\},
 *       {@code \/}, {@code \n}..., <code>&#92;u00XX</code> in either case; JavaScript's {@code \'} and
 *       {@code \xXX}), so a key with a quote, a backslash or a control character is found when a
 *       collector echoes the JSON body inside its own JSON;
 *   <li>URL encoding ({@code %XX} in either case, as UTF-8; and {@code +} for a space);
 *   <li>HTML character references ({@code &quot;}, {@code &amp;}, {@code &#34;}, {@code &#x22;}...),
 *       for proxies that answer with an HTML error page.
 * </ul>
 *
 * <p>What is replaced by {@value #MARK}, in the original text, escapes included:
 * <ul>
 *   <li>every complete occurrence of a secret;
 *   <li>a prefix of a secret of at least {@value #MIN_TAIL} characters that runs to the end of the
 *       text, perhaps into an escape cut in half: the text was cut at a read limit (the transport
 *       keeps 1,024 bytes of a body) in the middle of the key. Four characters is the shortest tail
 *       treated as a leak: a text ends with a given four characters of a random key by chance about
 *       once in 14 million (62^4), so redacting it costs nothing, while shorter prefixes would start
 *       to eat the ends of ordinary words; and three characters of a 32-character key tell a guesser
 *       nothing useful (the API cannot even confirm a guess: it accepts any key);
 *   <li>a prefix of a secret of at least {@value #MIN_INNER} characters anywhere, for a collector
 *       that shortens the key it echoes ({@code "key abcd1234ef... is invalid"}). Longer than the
 *       tail rule, because it applies at every position of the text, not only at its end.
 * </ul>
 * Redaction errs towards removing too much, but never leaves half a word: what is replaced is
 * widened to whole tokens (runs of letters, digits, {@code _}, {@code -} and {@code .}), so the worst
 * a false match does is hide a word of a log line, never turn {@code invalid_write_key} into
 * {@code invalid_write_[writeKey]ey}.
 *
 * <p>A key shorter than {@value #MIN_INNER} characters would, cut or shortened, be found in
 * ordinary words: it is replaced only where it, or its Basic token, is a whole token. A key shorter
 * than {@value #MIN_SAFE_KEY} characters cannot be redacted safely at all (a whole token of one to
 * three characters is as likely a word or a number as the key): {@link #canRedactSafely()} is then
 * false, so that the caller leaves a collector's body out altogether rather than show one that may
 * hold the key or be mangled.
 */
final class Redactor {
  static final String MARK = "[writeKey]";
  static final int MIN_TAIL = 4;
  static final int MIN_INNER = 8;
  /** Layers of decoding tried on top of each other: enough for a URL-encoded key in JSON in JSON. */
  static final int MAX_LAYERS = 3;
  /** The shortest key that can be taken out of a collector's body safely. */
  static final int MIN_SAFE_KEY = MIN_TAIL;

  private static final String[] HTML_NAMES = {"quot", "amp", "lt", "gt", "apos", "nbsp"};
  private static final char[] HTML_CHARS = {'"', '&', '<', '>', '\'', '\u00a0'};

  /** The spellings looked for; the first is the key itself when it is not empty, the rest Base64. */
  private final String[] secrets;
  private final boolean keyFirst;
  /** Whether the key is long enough to be taken out of a collector's body. */
  private final boolean safe;
  /** Whether the key is long enough for every rule; else only whole-token matches count. */
  private final boolean everySpelling;

  Redactor(String writeKey) {
    Objects.requireNonNull(writeKey, "writeKey == null");
    this.safe = writeKey.length() >= MIN_SAFE_KEY;
    this.everySpelling = writeKey.length() >= MIN_INNER;
    Set<String> all = new LinkedHashSet<>();
    if (!writeKey.isEmpty()) all.add(writeKey);
    byte[] key = writeKey.getBytes(StandardCharsets.UTF_8);
    byte[] basic = (writeKey + ":").getBytes(StandardCharsets.UTF_8);
    for (Base64.Encoder encoder : new Base64.Encoder[] {
        Base64.getEncoder().withoutPadding(), Base64.getUrlEncoder().withoutPadding()}) {
      all.add(encoder.encodeToString(basic));
      for (int align = 0; align < 3; align++) {
        byte[] shifted = new byte[align + key.length];
        System.arraycopy(key, 0, shifted, align, key.length);
        String encoded = encoder.encodeToString(shifted);
        // Characters wholly made of key bits: skip those holding the alignment bytes, and the last
        // one when it also holds what follows the key.
        int from = (align * 8 + 5) / 6;
        int to = shifted.length * 8 / 6;
        // Found inside any blob, so only for a key long enough not to match one by chance.
        if (everySpelling && to - from >= MIN_TAIL) all.add(encoded.substring(from, to));
      }
    }
    this.secrets = all.toArray(new String[0]);
    this.keyFirst = !writeKey.isEmpty();
  }

  /** {@code text} with every spelling of the write key, whole or cut, replaced by {@value #MARK}. */
  String redact(String text) {
    Objects.requireNonNull(text, "text == null");
    if (secrets.length == 0 || text.isEmpty()) return text;
    List<int[]> spans = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    Deque<View> views = new ArrayDeque<>();
    views.add(View.of(text));
    while (!views.isEmpty()) {
      View view = views.poll();
      // The same chars seen before (say, by decoding in another order) hold nothing new, unless
      // this view knows more about where the text was cut.
      if (!seen.add(view.complete + ":" + new String(view.chars))) continue;
      for (int i = 0; i < secrets.length; i++) {
        find(secrets[i], !(keyFirst && i == 0), everySpelling, view, text.length(), spans);
      }
      if (view.layers == MAX_LAYERS) continue;
      for (int decoder = 0; decoder < 3; decoder++) {
        View decoded = decoder == 0 ? unescapeBackslashes(view)
            : decoder == 1 ? unescapeUrl(view) : unescapeHtml(view);
        if (decoded != null) views.add(decoded);
      }
    }
    return spans.isEmpty() ? text : replace(text, spans);
  }

  /** Whether the key is long enough to be taken out of a collector's body without mangling it or missing it. */
  boolean canRedactSafely() {
    return safe;
  }

  /**
   * Adds the spans of {@code view} where {@code secret} is, each widened to whole tokens. With
   * {@code everySpelling} the secret counts anywhere, and so do its cut and shortened prefixes;
   * without (a short key), only where the secret is a whole token.
   */
  private static void find(String secret, boolean base64, boolean everySpelling, View view, int textLength,
      List<int[]> spans) {
    char[] chars = view.chars;
    int n = chars.length;
    int length = secret.length();
    for (int i = 0; i < n; i++) {
      int m = 0;
      while (m < length && i + m < n && matches(chars[i + m], secret.charAt(m))) m++;
      if (m == length) {
        int end = i + m;
        // Base64 padding goes with the token.
        while (base64 && end < n && end < i + m + 2 && chars[end] == '=') end++;
        if (!everySpelling && !(startsToken(chars, i) && endsToken(chars, i + m))) continue;
        span(view, i, end, view.end[end - 1], spans);
      } else if (!everySpelling) {
        continue;
      } else if (m >= MIN_TAIL && i + m >= view.complete) {
        span(view, i, n, textLength, spans);
      } else if (m >= MIN_INNER) {
        span(view, i, i + m, view.end[i + m - 1], spans);
      }
    }
  }

  /**
   * Adds chars {@code from..to-1} of {@code view} as a span of the original text ending at {@code
   * end}, widened to the tokens around it.
   */
  private static void span(View view, int from, int to, int end, List<int[]> spans) {
    char[] chars = view.chars;
    while (!startsToken(chars, from)) from--;
    while (to < chars.length && !endsToken(chars, to)) to++;
    spans.add(new int[] {view.start[from], Math.max(end, to == 0 ? end : view.end[to - 1])});
  }

  /** Whether a token boundary lies before char {@code i}: one of the chars on either side is no token char. */
  private static boolean startsToken(char[] chars, int i) {
    return i == 0 || i == chars.length || !isToken(chars[i - 1]) || !isToken(chars[i]);
  }

  /** Whether a token boundary lies before char {@code end} (so after char {@code end - 1}). */
  private static boolean endsToken(char[] chars, int end) {
    return startsToken(chars, end);
  }

  private static boolean isToken(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  /** A space may be written as {@code +} (HTML forms, many URL encoders). */
  private static boolean matches(char actual, char expected) {
    return actual == expected || (expected == ' ' && actual == '+');
  }

  private static String replace(String text, List<int[]> spans) {
    spans.sort((a, b) -> Integer.compare(a[0], b[0]));
    StringBuilder out = new StringBuilder(text.length());
    int copied = 0;
    int i = 0;
    while (i < spans.size()) {
      int start = spans.get(i)[0];
      int end = spans.get(i)[1];
      for (i++; i < spans.size() && spans.get(i)[0] <= end; i++) end = Math.max(end, spans.get(i)[1]);
      out.append(text, copied, start).append(MARK);
      copied = end;
    }
    return out.append(text, copied, text.length()).toString();
  }

  /**
   * Text as seen after some layers of decoding: each char knows the range of the original text it
   * came from. Chars from {@code complete} on are the start of an escape the text was cut inside.
   */
  private static final class View {
    final char[] chars;
    final int[] start;
    final int[] end;
    final int complete;
    final int layers;

    View(char[] chars, int[] start, int[] end, int complete, int layers) {
      this.chars = chars;
      this.start = start;
      this.end = end;
      this.complete = complete;
      this.layers = layers;
    }

    static View of(String text) {
      int n = text.length();
      int[] start = new int[n];
      int[] end = new int[n];
      for (int i = 0; i < n; i++) {
        start[i] = i;
        end[i] = i + 1;
      }
      // A body cut inside a multi-byte UTF-8 character ends in U+FFFD (or half a surrogate pair).
      int complete = n;
      while (complete > 0 && (text.charAt(complete - 1) == '\ufffd'
          || Character.isHighSurrogate(text.charAt(complete - 1)))) {
        complete--;
      }
      return new View(text.toCharArray(), start, end, complete, 0);
    }
  }

  /** Builds a decoded view; {@link #add} and {@link #keep} take chars of the view below. */
  private static final class Decoding {
    private final View from;
    private char[] chars;
    private int[] start;
    private int[] end;
    private int size;
    private int complete = -1;
    private boolean changed;

    Decoding(View from) {
      this.from = from;
      int n = from.chars.length;
      this.chars = new char[n];
      this.start = new int[n];
      this.end = new int[n];
    }

    /** Appends {@code c}, decoded from chars {@code first..last-1} of the view below. */
    void add(char c, int first, int last) {
      if (size == chars.length) {
        chars = Arrays.copyOf(chars, size * 2 + 2);
        start = Arrays.copyOf(start, size * 2 + 2);
        end = Arrays.copyOf(end, size * 2 + 2);
      }
      if (first >= from.complete && complete < 0) complete = size;
      chars[size] = c;
      start[size] = from.start[first];
      end[size] = from.end[last - 1];
      size++;
      if (last - first != 1) changed = true;
    }

    void keep(int i) {
      add(from.chars[i], i, i + 1);
    }

    /** Marks the rest of the view below, from {@code i}, as an escape cut by the end of the text. */
    void cut(int i) {
      if (complete < 0) complete = size;
      changed = true;
      for (; i < from.chars.length; i++) keep(i);
    }

    View build() {
      if (!changed) return null;
      return new View(Arrays.copyOf(chars, size), Arrays.copyOf(start, size), Arrays.copyOf(end, size),
          complete < 0 ? size : complete, from.layers + 1);
    }
  }

  private static View unescapeBackslashes(View view) {
    char[] c = view.chars;
    int n = c.length;
    if (indexOf(c, '\\') < 0) return null;
    Decoding out = new Decoding(view);
    for (int i = 0; i < n; ) {
      if (c[i] != '\\') {
        out.keep(i++);
        continue;
      }
      if (i + 1 == n) {
        out.cut(i);
        break;
      }
      char e = c[i + 1];
      int simple = "\"\\/'bfnrt".indexOf(e);
      if (simple >= 0) {
        out.add("\"\\/'\b\f\n\r\t".charAt(simple), i, i + 2);
        i += 2;
      } else if (e == 'u' || e == 'x') {
        int digits = e == 'u' ? 4 : 2;
        int hex = hexDigits(c, i + 2, digits);
        if (hex == digits) {
          out.add((char) hexValue(c, i + 2, digits), i, i + 2 + digits);
          i += 2 + digits;
        } else if (i + 2 + hex == n) {
          out.cut(i);
          break;
        } else {
          out.keep(i++);
        }
      } else {
        out.keep(i++);
      }
    }
    return out.build();
  }

  private static View unescapeUrl(View view) {
    char[] c = view.chars;
    int n = c.length;
    if (indexOf(c, '%') < 0) return null;
    Decoding out = new Decoding(view);
    for (int i = 0; i < n; ) {
      if (c[i] != '%') {
        out.keep(i++);
        continue;
      }
      int hex = hexDigits(c, i + 1, 2);
      if (hex < 2) {
        if (i + 1 + hex == n) {
          out.cut(i);
          break;
        }
        out.keep(i++);
        continue;
      }
      int lead = hexValue(c, i + 1, 2);
      int length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3
          : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
      if (length == 0) {
        out.keep(i++);
        continue;
      }
      int codePoint = length == 1 ? lead : lead & (0xff >> (length + 1));
      int j = i + 3;
      int k = 1;
      boolean ranOut = false;
      for (; k < length; k++, j += 3) {
        int hexAfter = j < n && c[j] == '%' ? hexDigits(c, j + 1, 2) : 0;
        if (j >= n || (c[j] == '%' && hexAfter < 2 && j + 1 + hexAfter == n)) {
          ranOut = true;
          break;
        }
        if (c[j] != '%' || hexAfter < 2) break;
        int next = hexValue(c, j + 1, 2);
        if ((next & 0xc0) != 0x80) break;
        codePoint = codePoint << 6 | (next & 0x3f);
      }
      if (k == length && Character.isValidCodePoint(codePoint)) {
        for (char d : Character.toChars(codePoint)) out.add(d, i, j);
        i = j;
      } else if (ranOut) {
        out.cut(i); // A character cut after some of its bytes.
        break;
      } else {
        out.keep(i++);
      }
    }
    return out.build();
  }

  private static View unescapeHtml(View view) {
    char[] c = view.chars;
    int n = c.length;
    if (indexOf(c, '&') < 0) return null;
    Decoding out = new Decoding(view);
    for (int i = 0; i < n; ) {
      if (c[i] != '&') {
        out.keep(i++);
        continue;
      }
      int semicolon = -1;
      for (int j = i + 1; j < n && j <= i + 10; j++) {
        if (c[j] == ';') {
          semicolon = j;
          break;
        }
        if (!Character.isLetterOrDigit(c[j]) && c[j] != '#') break;
      }
      if (semicolon < 0) {
        boolean cutInside = n - i <= 10;
        for (int j = i + 1; j < n && cutInside; j++) {
          cutInside = Character.isLetterOrDigit(c[j]) || c[j] == '#';
        }
        if (cutInside) {
          out.cut(i);
          break;
        }
        out.keep(i++);
        continue;
      }
      int decoded = htmlReference(new String(c, i + 1, semicolon - i - 1));
      if (decoded < 0) {
        out.keep(i++);
        continue;
      }
      for (char d : Character.toChars(decoded)) out.add(d, i, semicolon + 1);
      i = semicolon + 1;
    }
    return out.build();
  }

  /** The code point of {@code &name;}, {@code &#NN;} or {@code &#xHH;}, or -1. */
  private static int htmlReference(String name) {
    if (!name.startsWith("#")) {
      int index = Arrays.asList(HTML_NAMES).indexOf(name);
      return index < 0 ? -1 : HTML_CHARS[index];
    }
    boolean hex = name.startsWith("#x") || name.startsWith("#X");
    String digits = name.substring(hex ? 2 : 1);
    if (digits.isEmpty() || digits.length() > 7) return -1;
    int codePoint = 0;
    for (int i = 0; i < digits.length(); i++) {
      int digit = hexDigit(digits.charAt(i));
      if (digit < 0 || (!hex && digit > 9)) return -1;
      codePoint = codePoint * (hex ? 16 : 10) + digit;
    }
    return Character.isValidCodePoint(codePoint) ? codePoint : -1;
  }


  /** How many of the {@code max} chars from {@code from} are ASCII hex digits, stopping at the first that is not. */
  private static int hexDigits(char[] c, int from, int max) {
    int count = 0;
    while (count < max && from + count < c.length && hexDigit(c[from + count]) >= 0) count++;
    return count;
  }

  /** The value of {@code digits} hex digits from {@code from}, which {@link #hexDigits} has checked. */
  private static int hexValue(char[] c, int from, int digits) {
    int value = 0;
    for (int i = from; i < from + digits; i++) value = value << 4 | hexDigit(c[i]);
    return value;
  }

  /** ASCII only: {@link Character#digit} would also take other scripts' digits. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static int indexOf(char[] chars, char c) {
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] == c) return i;
    }
    return -1;
  }

  @Override
  public String toString() {
    return "Redactor{" + secrets.length + " spellings}";
  }
}
