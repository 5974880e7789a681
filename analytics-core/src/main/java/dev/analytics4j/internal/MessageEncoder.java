package dev.analytics4j.internal;

import com.squareup.moshi.JsonWriter;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.chrono.ChronoLocalDateTime;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * Writes messages and batch bodies as JSON; the one place that knows the wire format.
 *
 * <p>Each message is serialized once, when it is enqueued, so that a bad value fails on the
 * caller's thread with the key path that holds it; the bytes are then reused unchanged for the size
 * checks and for every request and retry that carries the message. Thread-safe.
 */
public final class MessageEncoder {
  /** The API's limit for one serialized message. */
  public static final int MAX_MESSAGE_BYTES = 32_000;
  /** The API's limit for one request body, envelope included, before compression. */
  static final int MAX_BATCH_BYTES = 500_000;
  /** How many maps, collections and arrays may nest inside one field, the field's own map included. */
  public static final int MAX_DEPTH = 64;
  /**
   * Encoding stops past this size: the message is refused anyway, and a value that repeats a shared
   * list inside itself can expand without bound.
   */
  static final int STOP_BYTES = MAX_BATCH_BYTES;

  private static final int TIMESTAMP_LENGTH = 24;
  static final Instant MIN_TIMESTAMP = Instant.parse("0000-01-01T00:00:00Z");
  static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999999Z");
  private static final long SECONDS_PER_DAY = 86_400;
  private static final byte[] BATCH_HEAD = "{\"batch\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_SENT_AT = "],\"sentAt\":\"".getBytes(StandardCharsets.US_ASCII);

  private final String libraryName;
  private final String libraryVersion;
  /** Whether a message's own {@code context.library} is written as given instead of ours (imports). */
  final boolean keepMessageLibrary;
  /** The batch body after the {@code sentAt} value: {@code ","context":{...},"writeKey":"..."}}. */
  private final byte[] batchTail;
  private final int envelopeSize;
  /**
   * The value of {@code context.library}, {@code {"name":"...","version":"..."}}, as Moshi writes
   * it: every message carries it, so it is escaped once here and copied in (see {@link
   * MessageWriter}), not written as five more tokens per message.
   */
  final byte[] libraryJson;

  MessageEncoder(String writeKey, String libraryName, String libraryVersion) {
    this(writeKey, libraryName, libraryVersion, false);
  }

  MessageEncoder(String writeKey, String libraryName, String libraryVersion, boolean keepMessageLibrary) {
    Objects.requireNonNull(writeKey, "writeKey == null");
    this.keepMessageLibrary = keepMessageLibrary;
    this.libraryName = Objects.requireNonNull(libraryName, "libraryName == null");
    this.libraryVersion = Objects.requireNonNull(libraryVersion, "libraryVersion == null");
    // The value is never shown: it is a secret, or it is the library's own name and version.
    if (unpairedSurrogate(writeKey) >= 0) {
      throw new IllegalArgumentException("writeKey contains an unpaired UTF-16 surrogate");
    }
    if (unpairedSurrogate(libraryName) >= 0 || unpairedSurrogate(libraryVersion) >= 0) {
      throw new IllegalArgumentException("library name or version contains an unpaired UTF-16 surrogate");
    }

    // Let JsonWriter escape the key and library strings once; batchBody only copies bytes.
    Buffer buffer = new Buffer();
    try {
      JsonWriter writer = JsonWriter.of(buffer);
      writer.beginObject();
      writer.name("sentAt").value(formatTimestamp(Instant.EPOCH));
      writer.name("context").beginObject();
      writeLibrary(writer);
      writer.endObject();
      writer.name("writeKey").value(writeKey);
      writer.endObject();
    } catch (IOException e) {
      throw new AssertionError(e); // A Buffer does no I/O.
    }
    byte[] object = buffer.readByteArray();
    int sentAtEnd = "{\"sentAt\":\"".length() + TIMESTAMP_LENGTH;
    this.batchTail = Arrays.copyOfRange(object, sentAtEnd, object.length);
    this.envelopeSize = BATCH_HEAD.length + BATCH_SENT_AT.length + TIMESTAMP_LENGTH + batchTail.length;
    Buffer library = new Buffer();
    try {
      JsonWriter.of(library).beginObject()
          .name("name").value(libraryName)
          .name("version").value(libraryVersion)
          .endObject();
    } catch (IOException e) {
      throw new AssertionError(e); // A Buffer does no I/O.
    }
    this.libraryJson = library.readByteArray();
  }

  /**
   * Serializes {@code message} once; the bytes are what goes on the wire.
   *
   * @throws IllegalArgumentException naming the key path of a value that cannot be written as JSON,
   *     or when the message is over {@link #MAX_MESSAGE_BYTES}.
   */
  EncodedMessage encode(Message message) {
    return encode(message, Collections.emptyMap());
  }

  /** Like {@link #encode(Message)}, with {@code defaultContext} under the message's own context: its keys win. */
  EncodedMessage encode(Message message, Map<String, ?> defaultContext) {
    Objects.requireNonNull(message, "message == null");
    Scratch scratch = Scratch.borrow();
    Utf8Sink sink = scratch.sink;
    boolean written = false;
    byte[] bytes;
    try {
      sink.clear();
      scratch.writer.writeMessage(this, message, defaultContext);
      written = true;
      int size = sink.size();
      if (size > MAX_MESSAGE_BYTES) {
        throw new TooLarge("message is " + size + " bytes, over the " + MAX_MESSAGE_BYTES
            + "-byte limit of the API (" + describe(message) + ")");
      }
      bytes = sink.toByteArray();
    } catch (MessageWriter.Stopped e) {
      throw new TooLarge("message is over " + STOP_BYTES + " bytes (encoding stopped), over the "
          + MAX_MESSAGE_BYTES + "-byte limit of the API (" + describe(message) + ")");
    } catch (IOException e) {
      throw new AssertionError(e); // The sink does no I/O.
    } finally {
      if (written) {
        Scratch.giveBack(scratch);
      } else {
        // The writer stopped inside an object; it is not used again.
        Scratch.discard(scratch);
      }
    }
    return Internal.get().encodedMessage(message.type(), message.messageId(), bytes, false);
  }

  private static String describe(Message message) {
    return message.type().wireName() + " messageId=" + message.messageId();
  }

  /**
   * Returns the request body {@code {"batch":[m1,m2,...],"sentAt":"...","context":{"library":{...}},
   * "writeKey":"..."}}; the message bytes are copied in unchanged. Its size is exactly {@link
   * #envelopeSize()} plus the sizes of the messages plus one comma between each two.
   */
  byte[] batchBody(List<EncodedMessage> batch, Instant sentAt) {
    Objects.requireNonNull(batch, "batch == null");
    String sentAtText = formatTimestamp(Objects.requireNonNull(sentAt, "sentAt == null"));
    long size = BATCH_HEAD.length + BATCH_SENT_AT.length + sentAtText.length() + batchTail.length;
    int count = 0;
    for (EncodedMessage message : batch) {
      size += message.size();
      count++;
    }
    if (count > 1) size += count - 1;
    if (size > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("batch is too large: " + size + " bytes");

    byte[] body = new byte[(int) size];
    int position = put(BATCH_HEAD, body, 0);
    boolean first = true;
    for (EncodedMessage message : batch) {
      if (!first) body[position++] = ',';
      first = false;
      position = put(Internal.get().bytes(message), body, position);
    }
    position = put(BATCH_SENT_AT, body, position);
    for (int i = 0, n = sentAtText.length(); i < n; i++) {
      body[position++] = (byte) sentAtText.charAt(i); // ASCII only.
    }
    put(batchTail, body, position);
    return body;
  }

  private static int put(byte[] source, byte[] target, int position) {
    System.arraycopy(source, 0, target, position, source.length);
    return position + source.length;
  }

  /**
   * The size of {@link #batchBody} for an empty batch: a batch of {@code n} messages takes this
   * plus the sizes of the messages plus {@code n - 1} commas. Exact for any {@code sentAt} in the
   * years 0 to 9999.
   */
  int envelopeSize() {
    return envelopeSize;
  }

  void writeLibrary(JsonWriter writer) throws IOException {
    writer.name("library").beginObject()
        .name("name").value(libraryName)
        .name("version").value(libraryVersion)
        .endObject();
  }

  /**
   * Formats {@code instant} as RFC 3339 UTC with exactly three fraction digits, truncated toward
   * the past, for example {@code 2025-03-14T09:26:53.589Z}: always 24 characters.
   *
   * @throws IllegalArgumentException for a year outside 0000 to 9999, which RFC 3339 cannot write
   *     (a signed, wider year would make a strict collector refuse the whole request).
   */
  static String formatTimestamp(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    long epochDay = Math.floorDiv(epochSecond, SECONDS_PER_DAY);
    int secondOfDay = (int) (epochSecond - epochDay * SECONDS_PER_DAY);

    // Days to a proleptic Gregorian date in eras of 400 years that start on March 1 (Howard
    // Hinnant's civil_from_days), exact over the whole Instant range.
    long shifted = epochDay + 719_468;
    long era = Math.floorDiv(shifted, 146_097L);
    int dayOfEra = (int) (shifted - era * 146_097);
    int yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int shiftedMonth = (5 * dayOfYear + 2) / 153;
    int day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    int month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    long year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0);

    if (year < 0 || year > 9999) {
      throw new IllegalArgumentException("timestamp is outside the years 0000 to 9999 (RFC 3339): " + instant);
    }
    char[] text = new char[TIMESTAMP_LENGTH];
    digits(text, 0, (int) year, 4);
    text[4] = '-';
    digits(text, 5, month, 2);
    text[7] = '-';
    digits(text, 8, day, 2);
    text[10] = 'T';
    digits(text, 11, secondOfDay / 3600, 2);
    text[13] = ':';
    digits(text, 14, secondOfDay / 60 % 60, 2);
    text[16] = ':';
    digits(text, 17, secondOfDay % 60, 2);
    text[19] = '.';
    digits(text, 20, instant.getNano() / 1_000_000, 3);
    text[23] = 'Z';
    return new String(text);
  }

  private static void digits(char[] text, int start, int value, int width) {
    for (int i = start + width - 1; i >= start; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /**
   * Returns the index of the first unpaired UTF-16 surrogate in {@code s}, or -1. Okio would
   * silently write {@code ?} in its place.
   */
  static int unpairedSurrogate(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) continue;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else {
        return i;
      }
    }
    return -1;
  }


  /** A message over {@link #MAX_MESSAGE_BYTES}: its size, not one of its values, is what is wrong. */
  static final class TooLarge extends IllegalArgumentException {
    TooLarge(String message) {
      super(message);
    }
  }
}
