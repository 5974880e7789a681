package dev.analytics4j;

import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
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
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Writes messages and batch bodies as JSON; the one place that knows the wire format.
 *
 * <p>Each message is serialized once, when it is enqueued, so that a bad value fails on the
 * caller's thread with the key path that holds it; the bytes are then reused unchanged for the size
 * checks and for every request and retry that carries the message. Thread-safe.
 *
 * <p>It writes JSON itself, into a scratch array each thread keeps, rather than through Moshi's
 * {@code JsonWriter} and an Okio {@code Buffer}: encoding runs on the caller's thread for every
 * message, and those cost about a kilobyte of garbage per message and the larger share of the time.
 * The escaping is Moshi's, byte for byte.
 */
final class MessageEncoder {
  /** The API's limit for one serialized message. */
  static final int MAX_MESSAGE_BYTES = 32_000;
  /** The API's limit for one request body, envelope included, before compression. */
  static final int MAX_BATCH_BYTES = 500_000;
  /** How many maps, collections and arrays may nest inside one field, the field's own map included. */
  static final int MAX_DEPTH = 64;
  /**
   * Encoding stops past this size: the message is refused anyway, and a value that repeats a shared
   * list inside itself can expand without bound.
   */
  static final int ABANDON_BYTES = MAX_BATCH_BYTES;

  private static final int TIMESTAMP_LENGTH = 24;
  private static final long SECONDS_PER_DAY = 86_400;
  private static final byte[] BATCH_HEAD = "{\"batch\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_SENT_AT = "],\"sentAt\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final String SUPPORTED_TYPES = "null, String, Boolean, Character, a finite Integer,"
      + " Long, Short, Byte, Double, Float, BigInteger, BigDecimal, AtomicInteger or AtomicLong,"
      + " an Enum, UUID, Instant, Date, OffsetDateTime, ZonedDateTime, LocalDate,"
      + " a Map with String keys, a Collection or an array";

  /** Each thread's scratch array for {@link #encode}; a plain byte[], so it pins no class loader. */
  private static final ThreadLocal<byte @Nullable []> SCRATCH = new ThreadLocal<>();
  private static final int INITIAL_SCRATCH_BYTES = 2048;
  private static final int MAX_SCRATCH_BYTES = 64 * 1024;

  private final String libraryName;
  private final String libraryVersion;
  /** The batch body after the {@code sentAt} value: {@code ","context":{...},"writeKey":"..."}}. */
  private final byte[] batchTail;
  private final int envelopeSize;

  MessageEncoder(String writeKey, String libraryName, String libraryVersion) {
    Objects.requireNonNull(writeKey, "writeKey == null");
    this.libraryName = Objects.requireNonNull(libraryName, "libraryName == null");
    this.libraryVersion = Objects.requireNonNull(libraryVersion, "libraryVersion == null");
    // The value is never shown: it is a secret, or it is the library's own name and version.
    if (unpairedSurrogate(writeKey) >= 0) {
      throw new IllegalArgumentException("writeKey contains an unpaired UTF-16 surrogate");
    }
    if (unpairedSurrogate(libraryName) >= 0 || unpairedSurrogate(libraryVersion) >= 0) {
      throw new IllegalArgumentException("library name or version contains an unpaired UTF-16 surrogate");
    }

    // Escape the key and library strings once; batchBody only copies bytes.
    JsonBytes writer = new JsonBytes(new byte[256]);
    writer.beginObject();
    writer.name("sentAt");
    writer.value(formatTimestamp(Instant.EPOCH));
    writer.name("context");
    writer.beginObject();
    writeLibrary(writer);
    writer.endObject();
    writer.name("writeKey");
    writer.value(writeKey);
    writer.endObject();
    byte[] object = writer.toByteArray();
    int sentAtEnd = "{\"sentAt\":\"".length() + TIMESTAMP_LENGTH;
    this.batchTail = Arrays.copyOfRange(object, sentAtEnd, object.length);
    this.envelopeSize = BATCH_HEAD.length + BATCH_SENT_AT.length + TIMESTAMP_LENGTH + batchTail.length;
  }

  /**
   * Serializes {@code message} once; the bytes are what goes on the wire.
   *
   * @throws IllegalArgumentException naming the key path of a value that cannot be written as JSON,
   *     or when the message is over {@link #MAX_MESSAGE_BYTES}.
   */
  EncodedMessage encode(Message message) {
    Objects.requireNonNull(message, "message == null");
    // Taken out of the thread's slot while in use: a caller's Map could enqueue from inside its
    // own iteration, and that nested encode must not write into this one's array.
    byte[] scratch = SCRATCH.get();
    if (scratch == null) {
      scratch = new byte[INITIAL_SCRATCH_BYTES];
    } else {
      SCRATCH.set(null);
    }
    JsonBytes out = new JsonBytes(scratch);
    try {
      new Writer(out).writeMessage(message);
    } catch (Abandoned e) {
      throw new IllegalArgumentException("message is over " + ABANDON_BYTES + " bytes (encoding stopped), over the "
          + MAX_MESSAGE_BYTES + "-byte limit of the API (" + describe(message) + ")");
    } finally {
      // A rare huge message must not pin its array to the thread for good.
      if (out.bytes.length <= MAX_SCRATCH_BYTES) SCRATCH.set(out.bytes);
    }
    int size = out.size;
    if (size > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("message is " + size + " bytes, over the " + MAX_MESSAGE_BYTES
          + "-byte limit of the API (" + describe(message) + ")");
    }
    return new EncodedMessage(message.type(), message.messageId(), out.toByteArray());
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
      position = put(message.bytes(), body, position);
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

  private void writeLibrary(JsonBytes writer) {
    writer.name("library");
    writer.beginObject();
    writer.name("name");
    writer.value(libraryName);
    writer.name("version");
    writer.value(libraryVersion);
    writer.endObject();
  }

  /**
   * Formats {@code instant} as ISO-8601 UTC with exactly three fraction digits, truncated toward
   * the past, for example {@code 2025-03-14T09:26:53.589Z}. Years 0 to 9999 always take 24
   * characters; other years are written with a sign, as {@link Instant#toString()} does.
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

    char[] text = new char[TIMESTAMP_LENGTH];
    boolean fixedWidth = year >= 0 && year <= 9999;
    digits(text, 0, fixedWidth ? (int) year : 0, 4);
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
    if (fixedWidth) return new String(text);

    StringBuilder expanded = new StringBuilder(TIMESTAMP_LENGTH + 8);
    expanded.append(year < 0 ? '-' : '+');
    String yearDigits = Long.toString(Math.abs(year));
    for (int i = yearDigits.length(); i < 4; i++) expanded.append('0');
    return expanded.append(yearDigits).append(text, 4, TIMESTAMP_LENGTH - 4).toString();
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

  private static String surrogateDetail(String s, int index) {
    return "unpaired UTF-16 surrogate U+" + Integer.toHexString(s.charAt(index)).toUpperCase(Locale.ROOT)
        + " at index " + index;
  }

  /** Writes one message; single use. */
  private final class Writer {
    private final JsonBytes json;
    /** The maps, collections and arrays enclosing the value being written, outermost first. */
    private Object[] ancestors = new Object[8];
    private int depth;

    Writer(JsonBytes json) {
      this.json = json;
    }

    void writeMessage(Message message) {
      json.beginObject();
      json.name("type");
      json.value(message.type().wireName());
      stringField("messageId", message.messageId());
      json.name("timestamp");
      json.value(formatTimestamp(message.timestamp()));
      String userId = message.userId();
      if (userId != null) stringField("userId", userId);
      String anonymousId = message.anonymousId();
      if (anonymousId != null) stringField("anonymousId", anonymousId);

      if (message instanceof TrackMessage) {
        TrackMessage track = (TrackMessage) message;
        stringField("event", track.event());
        objectField("properties", track.properties(), false);
      } else if (message instanceof IdentifyMessage) {
        objectField("traits", ((IdentifyMessage) message).traits(), false);
      } else if (message instanceof PageMessage) {
        PageMessage page = (PageMessage) message;
        String name = page.name();
        if (name != null) stringField("name", name);
        String category = page.category();
        if (category != null) stringField("category", category);
        objectField("properties", page.properties(), false);
      } else if (message instanceof ScreenMessage) {
        ScreenMessage screen = (ScreenMessage) message;
        String name = screen.name();
        if (name != null) stringField("name", name);
        objectField("properties", screen.properties(), false);
      } else if (message instanceof GroupMessage) {
        GroupMessage group = (GroupMessage) message;
        stringField("groupId", group.groupId());
        objectField("traits", group.traits(), false);
      } else if (message instanceof AliasMessage) {
        stringField("previousId", ((AliasMessage) message).previousId());
      } else {
        throw new AssertionError(message.getClass()); // Message has no other subclasses.
      }

      objectField("context", message.context(), true);
      if (!message.integrations().isEmpty()) objectField("integrations", message.integrations(), false);
      json.endObject();
    }

    private void stringField(String field, String value) {
      json.name(field);
      int bad = json.value(value);
      if (bad >= 0) throw new IllegalArgumentException(field + ": " + surrogateDetail(value, bad));
    }

    /** Writes a top-level map; {@code context} replaces any {@code library} key with the library's. */
    private void objectField(String field, Map<?, ?> map, boolean context) {
      json.name(field);
      try {
        writeMap(map, context);
      } catch (PathError e) {
        throw e.toException(field);
      }
    }

    private void writeValue(@Nullable Object value) {
      if (value == null) {
        json.nullValue();
      } else if (value instanceof String) {
        writeString((String) value);
      } else if (value instanceof Number) {
        writeNumber((Number) value);
      } else if (value instanceof Boolean) {
        json.value(((Boolean) value).booleanValue());
      } else if (value instanceof Map) {
        writeMap((Map<?, ?>) value, false);
      } else if (value instanceof Collection) {
        writeCollection((Collection<?>) value);
      } else {
        writeOther(value);
      }
    }

    private void writeString(String value) {
      int bad = json.value(value);
      if (bad >= 0) throw new PathError(": " + surrogateDetail(value, bad));
    }

    private void writeNumber(Number value) {
      if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
          || value instanceof AtomicInteger || value instanceof AtomicLong) {
        json.value(value.longValue());
      } else if (value instanceof Double) {
        double d = value.doubleValue();
        if (!Double.isFinite(d)) throw notFinite(value);
        json.value(d);
      } else if (value instanceof Float) {
        if (!Float.isFinite(value.floatValue())) throw notFinite(value);
        json.rawValue(value.toString()); // Float.toString: 0.1f is written 0.1, not 0.10000000149011612.
      } else if (value.getClass() == BigDecimal.class || value.getClass() == BigInteger.class) {
        // Exact classes only: toString is written raw, and a subclass could override it.
        json.rawValue(value.toString());
      } else {
        throw unsupported(value);
      }
    }

    private void writeMap(Map<?, ?> map, boolean context) {
      enter(map);
      json.beginObject();
      // forEach, not entrySet: the unmodifiable maps of a message wrap every entry they iterate.
      map.forEach((key, value) -> writeEntry(key, value, context));
      if (context) writeLibrary(json);
      json.endObject();
      depth--;
    }

    private void writeEntry(@Nullable Object key, @Nullable Object value, boolean context) {
      if (!(key instanceof String)) {
        throw new PathError(": map key must be a String but was "
            + (key == null ? "null" : key.getClass().getName() + describeKey(key)));
      }
      String name = (String) key;
      if (context && name.equals("library")) return;
      checkSize();
      int bad = json.name(name);
      if (bad >= 0) throw new PathError(": map key has an " + surrogateDetail(name, bad));
      try {
        writeValue(value);
      } catch (PathError e) {
        throw e.under("." + name);
      }
    }

    private void writeCollection(Collection<?> collection) {
      enter(collection);
      json.beginArray();
      int index = 0;
      for (Object element : collection) {
        checkSize();
        try {
          writeValue(element);
        } catch (PathError e) {
          throw e.under("[" + index + "]");
        }
        index++;
      }
      json.endArray();
      depth--;
    }

    private void writeArray(Object[] array) {
      enter(array);
      json.beginArray();
      for (int i = 0; i < array.length; i++) {
        checkSize();
        try {
          writeValue(array[i]);
        } catch (PathError e) {
          throw e.under("[" + i + "]");
        }
      }
      json.endArray();
      depth--;
    }

    private void writeOther(Object value) {
      if (value instanceof Object[]) {
        writeArray((Object[]) value);
      } else if (value instanceof Character) {
        writeString(value.toString());
      } else if (value instanceof Enum) {
        writeString(((Enum<?>) value).name());
      } else if (value instanceof UUID) {
        json.value(value.toString());
      } else if (value instanceof Instant) {
        json.value(formatTimestamp((Instant) value));
      } else if (value instanceof Date) {
        // Not toInstant(): java.sql.Date and java.sql.Time throw from it.
        json.value(formatTimestamp(Instant.ofEpochMilli(((Date) value).getTime())));
      } else if (value instanceof OffsetDateTime) {
        json.value(formatTimestamp(((OffsetDateTime) value).toInstant()));
      } else if (value instanceof ZonedDateTime) {
        json.value(formatTimestamp(((ZonedDateTime) value).toInstant()));
      } else if (value instanceof LocalDate) {
        json.value(value.toString());
      } else if (value.getClass().isArray()) {
        writePrimitiveArray(value);
      } else {
        throw unsupported(value);
      }
    }

    private void writePrimitiveArray(Object array) {
      if (array instanceof int[]) {
        json.beginArray();
        for (int v : (int[]) array) {
          checkSize();
          json.value(v);
        }
        json.endArray();
      } else if (array instanceof long[]) {
        json.beginArray();
        for (long v : (long[]) array) {
          checkSize();
          json.value(v);
        }
        json.endArray();
      } else if (array instanceof double[]) {
        double[] doubles = (double[]) array;
        json.beginArray();
        for (int i = 0; i < doubles.length; i++) {
          checkSize();
          if (!Double.isFinite(doubles[i])) throw notFinite(doubles[i]).under("[" + i + "]");
          json.value(doubles[i]);
        }
        json.endArray();
      } else if (array instanceof float[]) {
        float[] floats = (float[]) array;
        json.beginArray();
        for (int i = 0; i < floats.length; i++) {
          checkSize();
          if (!Float.isFinite(floats[i])) throw notFinite(floats[i]).under("[" + i + "]");
          json.rawValue(Float.toString(floats[i]));
        }
        json.endArray();
      } else if (array instanceof boolean[]) {
        json.beginArray();
        for (boolean v : (boolean[]) array) {
          checkSize();
          json.value(v);
        }
        json.endArray();
      } else if (array instanceof short[]) {
        json.beginArray();
        for (short v : (short[]) array) {
          checkSize();
          json.value(v);
        }
        json.endArray();
      } else if (array instanceof byte[]) {
        // Bytes are binary data far more often than a list of numbers; make the caller choose.
        throw new PathError(": byte[] is not supported: encode binary data as a String (Base64 or hex)");
      } else {
        // char[] is where Java code keeps passwords; writing one as a string could leak it.
        throw new PathError(": char[] is not supported: pass a String");
      }
    }

    /** Pushes a container, refusing cycles and deep nesting. */
    private void enter(Object container) {
      for (int i = 0; i < depth; i++) {
        if (ancestors[i] == container) {
          throw new PathError(": cycle detected: the value contains itself");
        }
      }
      if (depth == MAX_DEPTH) throw new PathError(": nested deeper than " + MAX_DEPTH + " levels");
      if (depth == ancestors.length) ancestors = Arrays.copyOf(ancestors, depth * 2);
      ancestors[depth++] = container;
    }

    private void checkSize() {
      if (json.size > ABANDON_BYTES) throw new Abandoned();
    }
  }

  /** Shows a non-String key's value only for types whose text is short and safe to log. */
  private static String describeKey(Object key) {
    return key instanceof Number || key instanceof Boolean || key instanceof Character || key instanceof Enum
        || key instanceof UUID ? ": " + key : "";
  }

  private static PathError notFinite(Object value) {
    return new PathError(" must be a finite number: " + value);
  }

  private static PathError unsupported(Object value) {
    String type = value.getClass().getName();
    if (value instanceof Optional) {
      return new PathError(": " + type + " is not supported: unwrap it (orElse(null) writes null)");
    }
    if (value instanceof ChronoLocalDateTime) {
      return new PathError(": " + type + " has no zone or offset: convert it to an Instant or OffsetDateTime");
    }
    if (value instanceof TemporalAccessor) {
      return new PathError(": " + type + " is not a point in time: convert it to an Instant or OffsetDateTime");
    }
    return new PathError(": unsupported value type " + type + "; supported: " + SUPPORTED_TYPES);
  }

  /**
   * A value that cannot be written, thrown from deep inside a map; each enclosing map or list adds
   * its key or index while the stack unwinds, so no path is built unless something is wrong.
   */
  private static final class PathError extends RuntimeException {
    private final String detail;
    /** Path segments, innermost first. */
    private final List<String> segments = new ArrayList<>(4);

    PathError(String detail) {
      super(null, null, false, false);
      this.detail = detail;
    }

    PathError under(String segment) {
      segments.add(segment);
      return this;
    }

    IllegalArgumentException toException(String field) {
      StringBuilder message = new StringBuilder(field);
      for (int i = segments.size() - 1; i >= 0; i--) message.append(segments.get(i));
      return new IllegalArgumentException(message.append(detail).toString());
    }
  }

  /** The message grew past {@link #ABANDON_BYTES}. */
  private static final class Abandoned extends RuntimeException {
    Abandoned() {
      super(null, null, false, false);
    }
  }

  /**
   * Writes compact JSON into a growable byte array, escaping strings exactly as Moshi's {@code
   * JsonUtf8Writer} does: {@code "} and {@code \\}, the short escapes {@code \b \t \n \f \r}, other
   * control characters as lowercase {@code \\u00xx}, and U+2028 and U+2029; everything else as
   * UTF-8. A string with an unpaired surrogate is not written whole: its index is returned for the
   * caller's error, found in the same pass. Callers keep the grammar: a name before each value
   * inside an object.
   */
  static final class JsonBytes {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final long[] DECIMAL_SCALES = {1, 10, 100, 1000};

    byte[] bytes;
    int size;
    /** Whether the next name or value follows another in the same container. */
    private boolean needsComma;

    JsonBytes(byte[] bytes) {
      this.bytes = bytes;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, size);
    }

    void beginObject() {
      separate();
      put((byte) '{');
      needsComma = false;
    }

    void endObject() {
      put((byte) '}');
      needsComma = true;
    }

    void beginArray() {
      separate();
      put((byte) '[');
      needsComma = false;
    }

    void endArray() {
      put((byte) ']');
      needsComma = true;
    }

    /** Returns -1, or the index of an unpaired surrogate in {@code name}. */
    int name(String name) {
      separate();
      int bad = string(name);
      put((byte) ':');
      needsComma = false;
      return bad;
    }

    /** Returns -1, or the index of an unpaired surrogate in {@code value}. */
    int value(String value) {
      separate();
      int bad = string(value);
      needsComma = true;
      return bad;
    }

    void value(long value) {
      if (value == Long.MIN_VALUE) {
        rawValue(Long.toString(value));
        return;
      }
      separate();
      ensure(20);
      if (value < 0) {
        bytes[size++] = '-';
        value = -value;
      }
      appendDigits(value, 1);
      needsComma = true;
    }

    void value(double value) {
      // Double.toString costs hundreds of nanoseconds on Java 11 to 18, and prices and amounts are
      // most of the doubles sent. One with at most three decimals in [0.001, 10^7) is written
      // from its digits when they read back as exactly this double; Double.toString gives those
      // same shortest digits there.
      double magnitude = Math.abs(value);
      if (magnitude >= 1e-3 && magnitude < 1e7) {
        for (int decimals = 0; decimals <= 3; decimals++) {
          long scale = DECIMAL_SCALES[decimals];
          long digits = Math.round(magnitude * scale);
          if (digits / (double) scale == magnitude) {
            decimal(value < 0, digits, decimals, scale);
            return;
          }
        }
      }
      rawValue(Double.toString(value));
    }

    /** Writes {@code digits / scale} with {@code decimals} digits after the point, or {@code .0}. */
    private void decimal(boolean negative, long digits, int decimals, long scale) {
      separate();
      ensure(24);
      if (negative) bytes[size++] = '-';
      appendDigits(digits / scale, 1);
      bytes[size++] = '.';
      if (decimals == 0) {
        bytes[size++] = '0';
      } else {
        appendDigits(digits % scale, decimals);
      }
      needsComma = true;
    }

    /** Appends the decimal digits of {@code value} (not negative), zero-padded to {@code width}. */
    private void appendDigits(long value, int width) {
      int digits = 1;
      for (long rest = value / 10; rest != 0; rest /= 10) digits++;
      digits = Math.max(digits, width);
      for (int i = size + digits - 1; i >= size; i--) {
        bytes[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      size += digits;
    }

    void value(boolean value) {
      rawValue(value ? "true" : "false");
    }

    void nullValue() {
      rawValue("null");
    }

    /** Writes {@code text}, plain ASCII such as a number, as a value without quotes. */
    void rawValue(String text) {
      separate();
      int n = text.length();
      ensure(n);
      for (int i = 0; i < n; i++) bytes[size + i] = (byte) text.charAt(i);
      size += n;
      needsComma = true;
    }

    private void separate() {
      if (needsComma) put((byte) ',');
    }

    private void put(byte b) {
      if (size == bytes.length) ensure(1);
      bytes[size++] = b;
    }

    private int string(String value) {
      int n = value.length();
      // The longest a char can become is 6 bytes (\\u00xx); most strings are far from it, so grow
      // for the likely size and check again only when a character needs more.
      ensure(n + 2);
      byte[] b = bytes;
      int at = size;
      b[at++] = '"';
      for (int i = 0; i < n; i++) {
        char c = value.charAt(i);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
          if (at == b.length) {
            size = at;
            ensure(n - i + 1);
            b = bytes;
          }
          b[at++] = (byte) c;
          continue;
        }
        size = at;
        ensure(n - i + 8);
        b = bytes;
        if (c < 0x80) {
          b[at++] = '\\';
          switch (c) {
            case '"': b[at++] = '"'; break;
            case '\\': b[at++] = '\\'; break;
            case '\b': b[at++] = 'b'; break;
            case '\t': b[at++] = 't'; break;
            case '\n': b[at++] = 'n'; break;
            case '\f': b[at++] = 'f'; break;
            case '\r': b[at++] = 'r'; break;
            default:
              b[at++] = 'u';
              b[at++] = '0';
              b[at++] = '0';
              b[at++] = HEX[c >> 4];
              b[at++] = HEX[c & 0xF];
          }
        } else if (c == '\u2028' || c == '\u2029') {
          b[at++] = '\\';
          b[at++] = 'u';
          b[at++] = '2';
          b[at++] = '0';
          b[at++] = '2';
          b[at++] = c == '\u2028' ? (byte) '8' : (byte) '9';
        } else if (c < 0x800) {
          b[at++] = (byte) (0xC0 | c >> 6);
          b[at++] = (byte) (0x80 | c & 0x3F);
        } else if (Character.isSurrogate(c)) {
          if (!Character.isHighSurrogate(c) || i + 1 == n || !Character.isLowSurrogate(value.charAt(i + 1))) {
            size = at;
            return i;
          }
          int codePoint = Character.toCodePoint(c, value.charAt(++i));
          b[at++] = (byte) (0xF0 | codePoint >> 18);
          b[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
          b[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
          b[at++] = (byte) (0x80 | codePoint & 0x3F);
        } else {
          b[at++] = (byte) (0xE0 | c >> 12);
          b[at++] = (byte) (0x80 | c >> 6 & 0x3F);
          b[at++] = (byte) (0x80 | c & 0x3F);
        }
      }
      size = at;
      put((byte) '"');
      return -1;
    }

    /** Makes room for {@code more} bytes after {@code size}. */
    private void ensure(int more) {
      if (bytes.length - size >= more) return;
      long wanted = Math.max((long) bytes.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 8) throw new Abandoned();
      bytes = Arrays.copyOf(bytes, (int) wanted);
    }
  }
}
