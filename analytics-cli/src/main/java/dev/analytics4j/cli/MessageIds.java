package dev.analytics4j.cli;

import dev.analytics4j.internal.NameUuids;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * messageIds for lines that have none, and the count of lines that repeat an earlier one.
 *
 * <p>The id is a name-based UUID (version 5, SHA-1) of the line's exact text, so any difference
 * between two lines (one byte of a string, key order, {@code 1.0} against {@code 1}, an offset)
 * gives a different id, while the same input gives the same ids on every run, which is what lets
 * the API deduplicate a re-run. A line that repeats an earlier line of the run byte for byte is
 * still its own event (two identical clicks in the same second): its k-th occurrence gets the id of
 * the text plus k, and it is counted so the summary can say so.
 *
 * <p>To know whether a line was seen before, and how often, a 128-bit fingerprint of every line
 * (the first 16 bytes of the SHA-1 its first occurrence's id comes from) is counted in a
 * {@link RepeatCounter}: sorted runs on disk, so the heap stays the same whatever the input's
 * length. Two texts are told apart by those 128 bits: the chance that any two of three billion
 * different lines share them is about 10^-20. (It was 64 bits until issue 20: a chance of about
 * 3 in a million at ten million lines, 1 in 4 at three billion, that two texts were counted as
 * one; ids differ from then only where that happened, and are otherwise the same.)
 * Not thread-safe: the reader thread alone uses it.
 */
final class MessageIds implements AutoCloseable {
  /** Our namespace: ids from other tools that hash the same text never collide with ours. */
  private static final byte[] NAMESPACE = NameUuids.bytes(UUID.fromString("5b0c6a3e-8f0e-4d3c-9d62-2f4e1c7a9b10"));
  private static final byte[] MESSAGE_ID_PREFIX = "messageId:".getBytes(StandardCharsets.UTF_8);

  private final MessageDigest sha1;
  private final RepeatCounter seen;
  private long repeats;
  private long repeatedIds;

  /** Counting in the system's temporary directory. */
  MessageIds() {
    this(Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** Counting in a file in {@code directory}. */
  MessageIds(Path directory) {
    seen = new RepeatCounter(directory);
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }

  /** The id for a line without one: derived from {@code utf8}, the line's text as UTF-8. */
  String idFor(byte[] utf8) {
    return idFor(utf8, digest(null, utf8, 0));
  }

  /**
   * As {@link #idFor(byte[])}, given the line's {@link #textDigest} (computed on another thread):
   * the id of its first occurrence is {@code NameUuids.fromSha1(textDigest)}.
   */
  String idFor(byte[] utf8, byte[] textDigest) {
    byte[] digest = textDigest;
    long occurrence = occurrence(digest);
    if (occurrence > 1) {
      repeats++;
      // A line never holds a '\n' (it ends the line), so the suffix cannot imitate another line.
      digest = digest(null, utf8, occurrence);
    }
    return NameUuids.fromSha1(digest);
  }

  private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(MessageIds::sha1);

  /** The hash a line's id derives from, on any thread: the id of its text's first occurrence. */
  static byte[] textDigest(byte[] utf8) {
    MessageDigest sha1 = SHA1.get();
    sha1.reset();
    sha1.update(NAMESPACE);
    sha1.update(utf8);
    return sha1.digest();
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }

  /**
   * Notes a line an earlier run settled (a resumed run skips it) as {@link #idFor} would, without
   * counting it a repeat: the lines after it get the same occurrence, so the same id, as in the first run.
   */
  void skip(byte[] utf8) {
    occurrence(digest(null, utf8, 0));
  }

  /** Notes a line that brings its own messageId, to count ids the API will deduplicate. */
  void noteOwnId(String messageId) {
    byte[] digest = digest(MESSAGE_ID_PREFIX, messageId.getBytes(StandardCharsets.UTF_8), 0);
    if (occurrence(digest) > 1) repeatedIds++;
  }

  /** Lines without a messageId that repeat an earlier line exactly (each sent with its own id). */
  long repeats() {
    return repeats;
  }

  /** Lines whose own messageId an earlier line of the run already had (the API keeps one). */
  long repeatedIds() {
    return repeatedIds;
  }

  private byte[] digest(byte @org.jspecify.annotations.Nullable [] prefix, byte[] name, long occurrence) {
    sha1.reset();
    sha1.update(NAMESPACE);
    if (prefix != null) sha1.update(prefix);
    sha1.update(name);
    if (occurrence > 1) sha1.update(("\n" + occurrence).getBytes(StandardCharsets.US_ASCII));
    return sha1.digest();
  }

  /** 1 the first time a text with this digest is seen, then 2, 3...: counted by 128 of its 160 bits. */
  private long occurrence(byte[] digest) {
    return seen.increment(bits(digest, 0), bits(digest, 8));
  }

  private static long bits(byte[] digest, int from) {
    long value = 0;
    for (int i = from; i < from + 8; i++) value = value << 8 | (digest[i] & 0xff);
    return value;
  }

  /** Frees the counter's files and mappings. */
  @Override
  public void close() {
    seen.close();
  }
}
