package dev.analytics4j.internal;

import com.squareup.moshi.JsonWriter;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * {@link MessageEncoder}'s walk of one message into JSON: the fields in the wire's order and every
 * value checked before it is written, so a bad one fails with its key path. One per thread, in its
 * {@link Scratch}; a map's entries come through {@link #accept} ({@code Map.forEach}), which needs
 * no iterator or entry objects.
 */
final class MessageWriter implements BiConsumer<Object, Object> {
  private static final String SUPPORTED_TYPES = "null, String, Boolean, Character, a finite Integer,"
      + " Long, Short, Byte, Double, Float, BigInteger, BigDecimal, AtomicInteger or AtomicLong,"
      + " an Enum, UUID, Instant, Date, OffsetDateTime, ZonedDateTime, LocalDate,"
      + " a Map with String keys, a Collection or an array";
  private final Scratch scratch;
  private final Utf8Sink sink;
  private final JsonWriter json;
  /** The encoder of the message being written. */
  private MessageEncoder encoder;
  /** The maps, collections and arrays enclosing the value being written, outermost first. */
  private Object[] ancestors = new Object[8];
  /**
   * The entries of the HashMaps being walked, outermost first. Past this many slots the message is
   * over {@link MessageEncoder#STOP_BYTES} anyway: an entry takes at least 5 bytes ({@code "k":0,}).
   */
  private final Entries entries = new Entries(64, 2 * (MessageEncoder.STOP_BYTES / 5));
  private int depth;
  /** Whether the map being walked is a message's context, whose {@code library} key is ours. */
  private boolean inContext;

  MessageWriter(Scratch scratch) {
    this.scratch = scratch;
    this.sink = scratch.sink;
    this.json = scratch.json;
  }

  void writeMessage(MessageEncoder encoder, Message message, Map<String, ?> defaultContext) throws IOException {
    this.encoder = encoder;
    this.depth = 0;
    json.beginObject();
    rawField(FieldName.TYPE, FieldName.typeValue(message.type()));
    stringField(FieldName.MESSAGE_ID, message.messageId());
    name(FieldName.TIMESTAMP);
    writeString(scratch.timestamp(message.timestamp()));
    String userId = message.userId();
    if (userId != null) stringField(FieldName.USER_ID, userId);
    String anonymousId = message.anonymousId();
    if (anonymousId != null) stringField(FieldName.ANONYMOUS_ID, anonymousId);

    if (message instanceof TrackMessage) {
      TrackMessage track = (TrackMessage) message;
      stringField(FieldName.EVENT, track.event());
      objectField(FieldName.PROPERTIES, track.properties(), false);
    } else if (message instanceof IdentifyMessage) {
      objectField(FieldName.TRAITS, ((IdentifyMessage) message).traits(), false);
    } else if (message instanceof PageMessage) {
      PageMessage page = (PageMessage) message;
      String name = page.name();
      if (name != null) stringField(FieldName.NAME, name);
      String category = page.category();
      if (category != null) stringField(FieldName.CATEGORY, category);
      objectField(FieldName.PROPERTIES, page.properties(), false);
    } else if (message instanceof ScreenMessage) {
      ScreenMessage screen = (ScreenMessage) message;
      String name = screen.name();
      if (name != null) stringField(FieldName.NAME, name);
      objectField(FieldName.PROPERTIES, screen.properties(), false);
    } else if (message instanceof GroupMessage) {
      GroupMessage group = (GroupMessage) message;
      stringField(FieldName.GROUP_ID, group.groupId());
      objectField(FieldName.TRAITS, group.traits(), false);
    } else if (message instanceof AliasMessage) {
      stringField(FieldName.PREVIOUS_ID, ((AliasMessage) message).previousId());
    } else {
      throw new AssertionError(message.getClass()); // Message has no other subclasses.
    }

    // Read once, in the order a LinkedHashMap of the defaults with the context put over them has.
    objectField(FieldName.CONTEXT, Overlay.of(message.context(), defaultContext), true);
    if (!message.integrations().isEmpty()) objectField(FieldName.INTEGRATIONS, message.integrations(), false);
    json.endObject();
    depth = 0;
    Arrays.fill(ancestors, null); // Holds no caller's map past its message.
    if (entries.array.length > 1_024) entries.array = new Object[64]; // nor the room one huge map took
  }

  private void name(FieldName field) throws IOException {
    sink.pendRawName(field.utf8);
    json.name(Utf8Sink.RAW_NAME);
  }

  /** Writes {@code field} with a value that is JSON already, escaped and encoded once. */
  private void rawField(FieldName field, byte[] value) throws IOException {
    name(field);
    sink.pendRaw(value);
    json.value(Utf8Sink.RAW_NUMBER);
  }

  private void stringField(FieldName field, String value) throws IOException {
    try {
      name(field);
      writeString(value);
    } catch (Utf8Sink.UnpairedSurrogate e) {
      throw new IllegalArgumentException(field.text + ": " + surrogateDetail(value, e.index));
    }
  }

  /**
   * Writes a top-level map; {@code context} replaces any {@code library} key with the library's,
   * or, when the encoder keeps a message's library, writes ours only where the map has none.
   */
  private void objectField(FieldName field, Map<?, ?> map, boolean context) throws IOException {
    name(field);
    try {
      writeMap(map, context);
    } catch (PathError e) {
      throw e.toException(field.text);
    }
  }

  /**
   * Writes any value a map or list may hold. Scalars go through one call of Moshi's {@code
   * value(Number)} with a stand-in whose text is the value's (the sink writes strings, decimals and
   * literals), so C2 inlines Moshi's value path once per compiled walk; this method stays small, so
   * that it is inlined into every map's and list's loop.
   */
  private void writeValue(@Nullable Object value) throws IOException {
    Number standIn;
    if (value instanceof String) {
      sink.pendValue((String) value);
      standIn = Utf8Sink.VALUE_NUMBER;
    } else if (value instanceof Number) {
      standIn = numberStandIn((Number) value);
    } else if (value instanceof Boolean) {
      sink.pendRaw((Boolean) value ? TRUE : FALSE);
      standIn = Utf8Sink.RAW_NUMBER;
    } else if (value == null) {
      sink.pendRaw(NULL); // as nullValue() with serializeNulls: the name, then null
      standIn = Utf8Sink.RAW_NUMBER;
    } else {
      writeNonScalar(value);
      return;
    }
    json.value(standIn);
  }

  /**
   * Writes a map, a collection, an array or a value written as text: every other supported type is
   * named here. Kept over C2's limit for inlining a hot method (325 bytes of bytecode; {@code
   * MessageWriterTest}), so that it is compiled once and every map and list calls it for a nested
   * container: inlined, it put a copy of the whole walk in each caller (a map's {@code forEach},
   * {@link #writeMap}, {@link #writeElement}), 1.5 s of C2's time in a young JVM's first seconds
   * while the build and the queue waited in C1's slower code.
   */
  private void writeNonScalar(Object value) throws IOException {
    if (value instanceof Map) {
      writeMap((Map<?, ?>) value, false);
    } else if (value instanceof Collection) {
      Collection<?> collection = (Collection<?>) value;
      enter(collection);
      json.beginArray();
      if (collection instanceof List && collection instanceof RandomAccess) {
        List<?> list = (List<?>) collection;
        for (int i = 0, n = list.size(); i < n; i++) writeElement(list.get(i), i);
      } else {
        int index = 0;
        for (Object element : collection) writeElement(element, index++);
      }
      json.endArray();
      depth--;
    } else if (value instanceof Object[]) {
      writeArray((Object[]) value);
    } else if (value instanceof Character || value instanceof UUID) {
      writeString(value.toString());
    } else if (value instanceof Enum) {
      writeString(((Enum<?>) value).name());
    } else if (value instanceof Instant) {
      writeTimestamp((Instant) value);
    } else if (value instanceof Date) {
      // Not toInstant(): java.sql.Date and java.sql.Time throw from it.
      writeTimestamp(Instant.ofEpochMilli(((Date) value).getTime()));
    } else if (value instanceof OffsetDateTime) {
      writeTimestamp(((OffsetDateTime) value).toInstant());
    } else if (value instanceof ZonedDateTime) {
      writeTimestamp(((ZonedDateTime) value).toInstant());
    } else if (value instanceof LocalDate) {
      int year = ((LocalDate) value).getYear();
      if (year < 0 || year > 9999) throw outsideYears(value);
      writeString(value.toString());
    } else if (value.getClass().isArray()) {
      writePrimitiveArray(value);
    } else {
      throw unsupported(value);
    }
  }

  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  /** What {@code value(Number)} writes {@code value} as: its own text, Moshi's for it, checked first. */
  private Number numberStandIn(Number value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      Number small = SmallLongs.of(value.longValue());
      return small != null ? small : value; // their toString is Long.toString of the value
    } else if (value instanceof Double) {
      double d = value.doubleValue();
      if (!Double.isFinite(d)) throw notFinite(value);
      long thousandths = Decimals.thousandths(d);
      if (thousandths == Decimals.NONE) return value; // Double.toString, as value(double) writes
      sink.pendDecimal(thousandths);
      return Utf8Sink.DECIMAL_NUMBER;
    } else if (value instanceof AtomicInteger || value instanceof AtomicLong) {
      return longStandIn(value.longValue()); // read once: the text must be this value's
    } else if (value instanceof Float) {
      if (!Float.isFinite(value.floatValue())) throw notFinite(value);
      return value; // Float.toString: 0.1f is written 0.1, not 0.10000000149011612.
    } else if (value.getClass() == BigDecimal.class || value.getClass() == BigInteger.class) {
      // Beyond a double (1e400): a collector reads it as infinity, and refuses the whole batch.
      if (Double.isInfinite(value.doubleValue())) throw notFinite(value);
      return value; // exact classes only: toString is written raw, and a subclass could override it
    }
    throw unsupported(value);
  }

  /**
   * Writes {@code value} as Moshi's {@code value(String)} would, escaped and encoded by the sink in
   * one pass; an unpaired surrogate in it is named by the container that holds it.
   */
  private void writeString(String value) throws IOException {
    sink.pendValue(value);
    json.value(Utf8Sink.VALUE_NUMBER);
  }

  private void writeMap(Map<?, ?> map, boolean context) throws IOException {
    enter(map);
    json.beginObject();
    boolean outer = inContext;
    inContext = context;
    Class<?> type = map.getClass();
    if (type == LinkedHashMap.class || type == HashMap.class) {
      // Read by their own forEach into the stack of entries, then walked here: see Entries for why
      // the walk is not their forEach's consumer. A nested map's entries go above its parent's.
      int base = entries.size;
      map.forEach(entries);
      int end = entries.size;
      for (int i = base; i < end; i += 2) accept(entries.array[i], entries.array[i + 1]);
      entries.truncate(base);
    } else {
      map.forEach(this);
    }
    boolean addLibrary = inContext; // false once the message's own library was kept
    inContext = outer;
    if (addLibrary) rawField(FieldName.LIBRARY, encoder.libraryJson);
    json.endObject();
    depth--;
  }

  /** One entry of the map being written. */
  @Override
  public void accept(@Nullable Object key, @Nullable Object value) {
    if (!(key instanceof String)) {
      throw new PathError(": map key must be a String but was "
          + (key == null ? "null" : key.getClass().getName() + describeKey(key)));
    }
    String name = (String) key;
    if (inContext && name.equals("library")) {
      if (!encoder.keepMessageLibrary) return;
      inContext = false; // the message's own library, kept in its place; ours is not added
    }
    checkSize();
    try {
      // Moshi writes the name with the value that follows it, so a bad name fails in there too;
      // the sink writes the name itself when Moshi asks for its stand-in.
      sink.pendName(name);
      json.name(Utf8Sink.NAME);
      writeValue(value);
    } catch (Utf8Sink.UnpairedSurrogate e) {
      if (e.string == name) throw new PathError(": map key has an " + surrogateDetail(name, e.index));
      throw new PathError(": " + surrogateDetail(e.string, e.index)).under("." + name);
    } catch (PathError e) {
      // The value was refused before the name was written: the name's own fault comes first.
      int bad = MessageEncoder.unpairedSurrogate(name);
      if (bad >= 0) throw new PathError(": map key has an " + surrogateDetail(name, bad));
      throw e.under("." + name);
    } catch (IOException e) {
      throw new AssertionError(e); // The sink does no I/O.
    }
  }

  private void writeArray(Object[] array) throws IOException {
    enter(array);
    json.beginArray();
    for (int i = 0; i < array.length; i++) writeElement(array[i], i);
    json.endArray();
    depth--;
  }

  private void writeElement(@Nullable Object element, int index) throws IOException {
    checkSize();
    try {
      writeValue(element);
    } catch (Utf8Sink.UnpairedSurrogate e) {
      throw new PathError(": " + surrogateDetail(e.string, e.index)).under("[" + index + "]");
    } catch (PathError e) {
      throw e.under("[" + index + "]");
    }
  }

  /** Writes {@code value} as Moshi's {@code value(long)} would, without a new String when it is small. */
  private void writeLong(long value) throws IOException {
    json.value(longStandIn(value));
  }

  /** A Number whose text is {@code value}'s digits: a shared one when it is small. */
  private static Number longStandIn(long value) {
    Number small = SmallLongs.of(value);
    return small != null ? small : Long.valueOf(value);
  }

  private void writeTimestamp(Instant instant) throws IOException {
    if (instant.isBefore(MessageEncoder.MIN_TIMESTAMP) || instant.isAfter(MessageEncoder.MAX_TIMESTAMP)) throw outsideYears(instant);
    writeString(scratch.timestamp(instant));
  }

  private void writePrimitiveArray(Object array) throws IOException {
    if (array instanceof int[]) {
      json.beginArray();
      for (int v : (int[]) array) {
        checkSize();
        writeLong(v);
      }
      json.endArray();
    } else if (array instanceof long[]) {
      json.beginArray();
      for (long v : (long[]) array) {
        checkSize();
        writeLong(v);
      }
      json.endArray();
    } else if (array instanceof double[]) {
      double[] doubles = (double[]) array;
      json.beginArray();
      for (int i = 0; i < doubles.length; i++) {
        checkSize();
        if (!Double.isFinite(doubles[i])) throw notFinite(doubles[i]).under("[" + i + "]");
        json.value(numberStandIn(doubles[i]));
      }
      json.endArray();
    } else if (array instanceof float[]) {
      float[] floats = (float[]) array;
      json.beginArray();
      for (int i = 0; i < floats.length; i++) {
        checkSize();
        if (!Float.isFinite(floats[i])) throw notFinite(floats[i]).under("[" + i + "]");
        json.value(Float.valueOf(floats[i]));
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
        writeLong(v);
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
    if (depth == MessageEncoder.MAX_DEPTH) throw new PathError(": nested deeper than " + MessageEncoder.MAX_DEPTH + " levels");
    if (depth == ancestors.length) ancestors = Arrays.copyOf(ancestors, depth * 2);
    ancestors[depth++] = container;
  }

  private void checkSize() {
    if (sink.size() > MessageEncoder.STOP_BYTES) throw new Stopped();
  }

  private static String surrogateDetail(String s, int index) {
    return "unpaired UTF-16 surrogate U+" + Integer.toHexString(s.charAt(index)).toUpperCase(Locale.ROOT)
        + " at index " + index;
  }

  /** Shows a non-String key's value only for types whose text is short and safe to log. */
  private static String describeKey(Object key) {
    return key instanceof Number || key instanceof Boolean || key instanceof Character || key instanceof Enum
        || key instanceof UUID ? ": " + key : "";
  }

  /** A date the wire cannot carry: RFC 3339 writes four-digit years. */
  private static PathError outsideYears(Object value) {
    return new PathError(": date " + value + " is outside the years 0000 to 9999 (RFC 3339)");
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

  /** The message grew past {@link MessageEncoder#STOP_BYTES}. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }
}
