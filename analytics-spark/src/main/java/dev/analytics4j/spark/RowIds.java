package dev.analytics4j.spark;

import dev.analytics4j.internal.FingerprintSet;
import dev.analytics4j.internal.NameUuids;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Deterministic messageIds for rows without one, and the count of ids a task has already used.
 *
 * <p>The id is a name-based UUID (version 5, SHA-1) of the message's content written in a canonical,
 * unambiguous text (every string carries its length, every value its type), so a retried task or a
 * re-run job sends the same ids, and the API keeps one copy. A Spark MAP's entries go in sorted
 * ({@link SparkMap}): their order can change between runs, and is not part of the row. The flip side: identical rows get the
 * same id and count once. Within a task such rows are counted ({@link #duplicates()}); across tasks
 * only the collector sees them. A key column (option {@code keyColumns}) or a {@code messageId}
 * column says which rows are really the same event.
 *
 * <p>A seen id is kept as a 64-bit fingerprint in an open hash table (8 to 16 bytes a row), up to
 * {@link #MAX_TRACKED} rows a task; past that the count stops growing and says it is partial.
 * Not thread-safe: one task's writer thread uses it.
 */
final class RowIds {
  /** Our namespace: the same text hashed by another tool never gives our ids. */
  private static final byte[] NAMESPACE = NameUuids.bytes(UUID.fromString("0b5c2c1e-7a43-4f55-8d0e-53a7c1f0d9b2"));
  static final int MAX_TRACKED = 1 << 23;

  private final MessageDigest sha1;
  private final StringBuilder text = new StringBuilder(256);
  private final FingerprintSet seen = new FingerprintSet(1 << 12);
  private long duplicates;
  private boolean partial;

  RowIds() {
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }

  /** Starts the canonical text of the next row. */
  RowIds begin() {
    text.setLength(0);
    return this;
  }

  /** Adds one named value (a field of the message, or a key column). */
  RowIds add(String name, @Nullable Object value) {
    string(name);
    append(value);
    return this;
  }

  /** The id of the text added since {@link #begin()}. */
  String id() {
    sha1.reset();
    sha1.update(NAMESPACE);
    sha1.update(text.toString().getBytes(StandardCharsets.UTF_8));
    return NameUuids.fromSha1(sha1.digest());
  }

  /** Notes an id the task sends; counts it when the task sent it before. */
  void note(String messageId) {
    if (seen.size() >= MAX_TRACKED) {
      partial = true;
      return;
    }
    long fingerprint = fingerprint(messageId);
    if (!seen.add(fingerprint)) duplicates++;
  }

  /** Rows that carried an id the same task had already sent: the API keeps one of each. */
  long duplicates() {
    return duplicates;
  }

  /** True when the task had more rows than are tracked, so {@link #duplicates()} is a lower bound. */
  boolean partial() {
    return partial;
  }

  private void append(@Nullable Object value) {
    if (value == null) {
      text.append('n');
    } else if (value instanceof String) {
      text.append('s');
      string((String) value);
    } else if (value instanceof Boolean) {
      text.append((Boolean) value ? "T" : "F");
    } else if (value instanceof Integer || value instanceof Long) {
      text.append('i').append(value).append(';');
    } else if (value instanceof Double || value instanceof Float) {
      text.append('f').append(value).append(';');
    } else if (value instanceof BigDecimal) {
      text.append('d').append(((BigDecimal) value).toString()).append(';');
    } else if (value instanceof Instant) {
      Instant instant = (Instant) value;
      text.append('t').append(instant.getEpochSecond()).append('.').append(instant.getNano()).append(';');
    } else if (value instanceof SparkMap) {
      sortedEntries((SparkMap<?, ?>) value);
    } else if (value instanceof Map) {
      Map<?, ?> map = (Map<?, ?>) value;
      text.append('{').append(map.size()).append(';');
      for (Map.Entry<?, ?> e : map.entrySet()) {
        string(String.valueOf(e.getKey()));
        append(e.getValue());
      }
    } else if (value instanceof Collection) {
      Collection<?> list = (Collection<?>) value;
      text.append('[').append(list.size()).append(';');
      for (Object item : list) append(item);
    } else {
      // LocalDate and the like: their toString is their JSON form.
      text.append('o').append(value.getClass().getSimpleName()).append(';');
      string(value.toString());
    }
  }

  /**
   * A Spark MAP's entries in a canonical order, since the order they arrive in can change between
   * attempts. Each entry is written on its own (its key as a string when it is one, as the typed value
   * otherwise) and the entries go in sorted by that text. Every encoding is prefix-free (a string
   * carries its length, a number ends with ';', a container its size) and typed (a string key starts
   * with its length's digits, any other value with a letter or a bracket), so sorting the entries'
   * texts orders them by key, then by value: keys {@code "1"} and {@code 1}, or {@code "a"} and
   * {@code "ab"}, can neither collide nor tie. A map that arrived sorted hashes as it did before.
   */
  private void sortedEntries(SparkMap<?, ?> map) {
    text.append('{').append(map.size()).append(';');
    int start = text.length();
    String[] entries = new String[map.size()];
    int i = 0;
    for (Map.Entry<?, ?> e : map.entrySet()) {
      Object key = e.getKey();
      if (key instanceof String) {
        string((String) key);
      } else {
        append(key);
      }
      append(e.getValue());
      entries[i++] = text.substring(start);
      text.setLength(start);
    }
    Arrays.sort(entries);
    for (String entry : entries) text.append(entry);
  }

  private void string(String s) {
    text.append(s.length()).append(':').append(s);
  }

  private static long fingerprint(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }
}
