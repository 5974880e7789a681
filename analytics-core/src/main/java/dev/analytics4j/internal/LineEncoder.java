package dev.analytics4j.internal;

import com.squareup.moshi.JsonWriter;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.messages.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.function.Supplier;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * {@link Wire#encodeLine}: one line of an export, a message in its wire shape, encoded straight
 * from its bytes into the bytes the encoder writes for the message the importer's parser would
 * build from it, byte for byte: the wire's fields in the encoder's order (the others left out),
 * whitespace dropped, strings and numbers in the encoder's form, numeric ids as their digits in
 * a string, the timestamp as RFC 3339 UTC milliseconds, the client's library in the context unless
 * the line has one. A line it is not sure of (anything the parser would refuse, explain or build
 * differently) is not encoded: the caller takes it through the parser.
 *
 * <p>The importer's rules (a timestamp is required; ids may be whole numbers) live here because
 * they are the only caller's, and the importer's tests compare this against its parser on a corpus.
 * One per thread.
 */
final class LineEncoder {
  private static final String[] FIELDS = {"type", "messageId", "timestamp", "userId", "anonymousId", "context",
      "integrations", "event", "properties", "traits", "name", "category", "groupId", "previousId"};
  private static final int TYPE = 0;
  private static final int MESSAGE_ID = 1;
  private static final int TIMESTAMP = 2;
  private static final int USER_ID = 3;
  private static final int ANONYMOUS_ID = 4;
  private static final int CONTEXT = 5;
  private static final int INTEGRATIONS = 6;
  private static final int EVENT = 7;
  private static final int PROPERTIES = 8;
  private static final int TRAITS = 9;
  private static final int NAME = 10;
  private static final int CATEGORY = 11;
  private static final int GROUP_ID = 12;
  private static final int PREVIOUS_ID = 13;
  private static final byte[][] QUOTED = new byte[FIELDS.length][];
  private static final byte[][] NAMES = new byte[FIELDS.length][];
  private static final Message.Type[] TYPES = Message.Type.values();
  private static final byte[][] TYPE_NAMES = new byte[TYPES.length][];
  private static final byte[] EMPTY_OBJECT = {'{', '}'};

  static {
    for (int i = 0; i < FIELDS.length; i++) {
      QUOTED[i] = ('"' + FIELDS[i] + '"').getBytes(StandardCharsets.US_ASCII);
      NAMES[i] = (",\"" + FIELDS[i] + "\":").getBytes(StandardCharsets.US_ASCII);
    }
    for (int i = 0; i < TYPES.length; i++) {
      TYPE_NAMES[i] = ('"' + TYPES[i].wireName() + '"').getBytes(StandardCharsets.US_ASCII);
    }
  }

  static final ThreadLocal<LineEncoder> PER_THREAD = ThreadLocal.withInitial(LineEncoder::new);

  private final JsonCopier json = new JsonCopier();
  /** Where each field's value is in the copier's output, -1 when the line has none. */
  private final int[] starts = new int[FIELDS.length];
  private final int[] ends = new int[FIELDS.length];
  /** Whether each string field holds a character that is not whitespace (the parser refuses blank ones). */
  private final boolean[] visible = new boolean[FIELDS.length];
  private final boolean[] escaped = new boolean[FIELDS.length];
  private boolean contextHasLibrary;
  /** Where the line's own keys are in the copier's output (a dropped field's value is not kept; its key is). */
  private int[] topKeyStarts = new int[32];
  private int[] topKeyEnds = new int[32];
  private int topKeys;
  private byte[] message = new byte[4096];
  private int size;
  private int numericIds;
  private @Nullable MessageEncoder libraryOf;
  private byte[] library = new byte[0];

  /** The line encoded, or null when the parser must take it. */
  Wire.@Nullable EncodedLine encode(MessageEncoder encoder, byte[] utf8, Supplier<String> derivedId) {
    try {
      return encodeOrThrow(encoder, utf8, derivedId);
    } catch (JsonCopier.NotSure e) {
      return null;
    } finally {
      if (json.out.length > 64 * 1024) json.out = new byte[4096]; // a huge line's arrays are not kept
      if (message.length > 64 * 1024) message = new byte[4096];
    }
  }

  private Wire.EncodedLine encodeOrThrow(MessageEncoder encoder, byte[] utf8, Supplier<String> derivedId) {
    read(utf8);
    Message.Type type = type();
    numericIds = 0;
    String ownId = null;
    if (starts[MESSAGE_ID] >= 0 && !isNull(MESSAGE_ID)) ownId = ownMessageId();
    String messageId = ownId != null ? ownId : derivedId.get();

    size = 0;
    put('{');
    put(NAMES[TYPE], 1, NAMES[TYPE].length - 1);
    put(TYPE_NAMES[type.ordinal()]);
    put(NAMES[MESSAGE_ID]);
    if (ownId != null) {
      copy(MESSAGE_ID);
    } else {
      put('"');
      for (int i = 0, n = messageId.length(); i < n; i++) put(messageId.charAt(i)); // a UUID: ASCII
      put('"');
    }
    put(NAMES[TIMESTAMP]);
    timestamp();
    boolean user = optionalId(USER_ID);
    boolean anonymous = optionalId(ANONYMOUS_ID);
    if (type != Message.Type.ALIAS && !user && !anonymous) throw JsonCopier.NOT_SURE;
    switch (type) {
      case IDENTIFY:
        object(TRAITS);
        break;
      case TRACK:
        requiredString(EVENT);
        object(PROPERTIES);
        break;
      case PAGE:
        optionalString(NAME);
        optionalString(CATEGORY);
        object(PROPERTIES);
        break;
      case SCREEN:
        optionalString(NAME);
        object(PROPERTIES);
        break;
      case GROUP:
        requiredId(GROUP_ID);
        object(TRAITS);
        break;
      case ALIAS:
        requiredId(PREVIOUS_ID);
        if (!user) throw JsonCopier.NOT_SURE;
        break;
      default:
        throw new AssertionError(type);
    }
    context(encoder);
    if (present(INTEGRATIONS)) {
      if (json.out[starts[INTEGRATIONS]] != '{') throw JsonCopier.NOT_SURE;
      if (ends[INTEGRATIONS] - starts[INTEGRATIONS] > 2) { // an empty map is left out
        put(NAMES[INTEGRATIONS]);
        copy(INTEGRATIONS);
      }
    }
    put('}');
    if (size > MessageEncoder.MAX_MESSAGE_BYTES) throw JsonCopier.NOT_SURE; // the parser's path says by how much
    EncodedMessage encoded = Internal.get().encodedMessage(type, messageId, Arrays.copyOf(message, size), false);
    return new Wire.EncodedLine(encoded, ownId, numericIds);
  }

  /** Copies the line's members, noting where the fields of the wire are; the others are checked and dropped. */
  private void read(byte[] utf8) {
    Arrays.fill(starts, -1);
    contextHasLibrary = false;
    JsonCopier j = json;
    j.reset(utf8, 0, utf8.length);
    // The members are copied one by one so each field's place is known; the object's braces are not written.
    j.expect('{');
    j.skipWhitespace();
    if (j.peek() == '}') throw JsonCopier.NOT_SURE; // no type
    topKeys = 0;
    while (true) {
      j.skipWhitespace();
      if (j.peek() != '"') throw JsonCopier.NOT_SURE;
      int keyStart = j.size;
      j.copyString();
      int keyEnd = j.size;
      checkNewKey(keyStart, keyEnd);
      j.expect(':');
      int field = field(keyStart, keyEnd);
      j.skipWhitespace();
      int valueStart = j.size;
      if (field == CONTEXT && j.peek() == '{') {
        j.copyObject(2, JsonCopier.Watch.CONTEXT);
        contextHasLibrary = j.sawLibrary;
      } else if (field == INTEGRATIONS && j.peek() == '{') {
        j.copyObject(2, JsonCopier.Watch.INTEGRATIONS);
      } else {
        j.copyValue(2);
      }
      if (field < 0) {
        j.size = keyEnd; // dropped; the key stays for the duplicate check
      } else {
        starts[field] = valueStart;
        ends[field] = j.size;
        visible[field] = j.visible;
        escaped[field] = j.escaped;
      }
      j.skipWhitespace();
      int next = j.peek();
      j.pos++;
      if (next == '}') break;
      if (next != ',') throw JsonCopier.NOT_SURE;
    }
    j.skipWhitespace();
    if (j.pos != j.end) throw JsonCopier.NOT_SURE;
  }

  /** Refuses a key the line's object already has: the parser names it. */
  private void checkNewKey(int keyStart, int keyEnd) {
    byte[] out = json.out;
    int length = keyEnd - keyStart;
    for (int k = 0; k < topKeys; k++) {
      int start = topKeyStarts[k];
      if (topKeyEnds[k] - start == length && out[start + 1] == out[keyStart + 1]
          && Arrays.equals(out, start, start + length, out, keyStart, keyEnd)) {
        throw JsonCopier.NOT_SURE;
      }
    }
    if (topKeys == topKeyStarts.length) {
      if (topKeys >= 256) throw JsonCopier.NOT_SURE; // the parser takes lines of that many fields
      topKeyStarts = Arrays.copyOf(topKeyStarts, topKeys * 2);
      topKeyEnds = Arrays.copyOf(topKeyEnds, topKeys * 2);
    }
    topKeyStarts[topKeys] = keyStart;
    topKeyEnds[topKeys++] = keyEnd;
  }

  private int field(int keyStart, int keyEnd) {
    byte[] out = json.out;
    int length = keyEnd - keyStart;
    byte first = out[keyStart + 1];
    for (int f = 0; f < FIELDS.length; f++) {
      byte[] name = QUOTED[f];
      if (name.length == length && name[1] == first && Arrays.equals(out, keyStart, keyEnd, name, 0, length)) return f;
    }
    return -1;
  }

  private boolean present(int field) {
    return starts[field] >= 0 && !isNull(field);
  }

  private boolean isNull(int field) {
    return ends[field] - starts[field] == 4 && json.out[starts[field]] == 'n';
  }

  private boolean isString(int field) {
    return json.out[starts[field]] == '"';
  }

  private Message.Type type() {
    if (!present(TYPE) || !isString(TYPE)) throw JsonCopier.NOT_SURE;
    int length = ends[TYPE] - starts[TYPE];
    for (int i = 0; i < TYPES.length; i++) {
      byte[] name = TYPE_NAMES[i];
      if (name.length == length && Arrays.equals(json.out, starts[TYPE], ends[TYPE], name, 0, length)) return TYPES[i];
    }
    throw JsonCopier.NOT_SURE;
  }

  private String ownMessageId() {
    if (!isString(MESSAGE_ID) || escaped[MESSAGE_ID] || !visible[MESSAGE_ID]) throw JsonCopier.NOT_SURE;
    String id = new String(json.out, starts[MESSAGE_ID] + 1, ends[MESSAGE_ID] - starts[MESSAGE_ID] - 2,
        StandardCharsets.UTF_8);
    if (id.length() > Message.MAX_MESSAGE_ID_LENGTH) throw JsonCopier.NOT_SURE;
    return id;
  }

  private void timestamp() {
    if (!present(TIMESTAMP) || !isString(TIMESTAMP)) throw JsonCopier.NOT_SURE;
    int start = starts[TIMESTAMP] + 1;
    int length = ends[TIMESTAMP] - start - 1;
    if (length == 24 && isCanonicalTimestamp(json.out, start)) {
      put(json.out, start - 1, 26); // as it is, quotes included
      return;
    }
    if (escaped[TIMESTAMP]) throw JsonCopier.NOT_SURE;
    Instant instant;
    try {
      instant = OffsetDateTime.parse(new String(json.out, start, length, StandardCharsets.UTF_8)).toInstant();
    } catch (DateTimeParseException e) {
      throw JsonCopier.NOT_SURE;
    }
    if (instant.isBefore(MessageEncoder.MIN_TIMESTAMP) || instant.isAfter(MessageEncoder.MAX_TIMESTAMP)) {
      throw JsonCopier.NOT_SURE;
    }
    put('"');
    String text = MessageEncoder.formatTimestamp(instant);
    for (int i = 0; i < text.length(); i++) put(text.charAt(i));
    put('"');
  }

  /**
   * Whether the 24 bytes at {@code at} are a timestamp as the encoder writes it
   * ({@code 2025-03-14T09:26:53.589Z}) and a valid one, so that parsing and formatting it gives it back.
   */
  static boolean isCanonicalTimestamp(byte[] b, int at) {
    for (int i = 0; i < 24; i++) {
      byte c = b[at + i];
      boolean ok;
      switch (i) {
        case 4: case 7: ok = c == '-'; break;
        case 10: ok = c == 'T'; break;
        case 13: case 16: ok = c == ':'; break;
        case 19: ok = c == '.'; break;
        case 23: ok = c == 'Z'; break;
        default: ok = c >= '0' && c <= '9';
      }
      if (!ok) return false;
    }
    int year = number(b, at, 4);
    int month = number(b, at + 5, 2);
    int day = number(b, at + 8, 2);
    if (month < 1 || month > 12 || day < 1) return false;
    boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    int days = month == 2 ? (leap ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    return day <= days && number(b, at + 11, 2) <= 23 && number(b, at + 14, 2) <= 59 && number(b, at + 17, 2) <= 59;
  }

  private static int number(byte[] b, int at, int digits) {
    int value = 0;
    for (int i = at; i < at + digits; i++) value = value * 10 + (b[i] - '0');
    return value;
  }

  /** An id field: a non-blank string, or a whole number sent as its digits in a string. False when absent. */
  private boolean optionalId(int field) {
    if (!present(field)) return false;
    put(NAMES[field]);
    if (isString(field)) {
      if (!visible[field]) throw JsonCopier.NOT_SURE;
      copy(field);
      return true;
    }
    byte[] out = json.out;
    for (int i = starts[field]; i < ends[field]; i++) {
      byte b = out[i];
      if ((b < '0' || b > '9') && b != '-') throw JsonCopier.NOT_SURE; // not a whole number in digits
    }
    numericIds++;
    put('"');
    copy(field);
    put('"');
    return true;
  }

  private void requiredId(int field) {
    if (!optionalId(field)) throw JsonCopier.NOT_SURE;
  }

  private void requiredString(int field) {
    if (!present(field)) throw JsonCopier.NOT_SURE;
    optionalString(field);
  }

  private void optionalString(int field) {
    if (!present(field)) return;
    if (!isString(field) || !visible[field]) throw JsonCopier.NOT_SURE;
    put(NAMES[field]);
    copy(field);
  }

  /** An object field; an absent or null one is written as an empty object, as the encoder does. */
  private void object(int field) {
    put(NAMES[field]);
    if (!present(field)) {
      put(EMPTY_OBJECT);
      return;
    }
    if (json.out[starts[field]] != '{') throw JsonCopier.NOT_SURE;
    copy(field);
  }

  private void context(MessageEncoder encoder) {
    put(NAMES[CONTEXT]);
    boolean own = present(CONTEXT);
    if (own && json.out[starts[CONTEXT]] != '{') throw JsonCopier.NOT_SURE;
    if (own && contextHasLibrary) {
      if (!encoder.keepMessageLibrary) throw JsonCopier.NOT_SURE; // the encoder replaces it; the parser's path does that
      copy(CONTEXT);
      return;
    }
    if (own && ends[CONTEXT] - starts[CONTEXT] > 2) {
      put(json.out, starts[CONTEXT], ends[CONTEXT] - starts[CONTEXT] - 1);
      put(',');
    } else {
      put('{');
    }
    put(library(encoder));
    put('}');
  }

  /** {@code "library":{"name":...,"version":...}} as the encoder writes it. */
  private byte[] library(MessageEncoder encoder) {
    if (libraryOf != encoder) {
      Buffer buffer = new Buffer();
      try {
        JsonWriter writer = JsonWriter.of(buffer);
        writer.beginObject();
        encoder.writeLibrary(writer);
        writer.endObject();
      } catch (IOException e) {
        throw new AssertionError(e); // A Buffer does no I/O.
      }
      byte[] object = buffer.readByteArray();
      library = Arrays.copyOfRange(object, 1, object.length - 1);
      libraryOf = encoder;
    }
    return library;
  }

  private void copy(int field) {
    put(json.out, starts[field], ends[field] - starts[field]);
  }

  private void put(int b) {
    if (size == message.length) message = Arrays.copyOf(message, size * 2);
    message[size++] = (byte) b;
  }

  private void put(byte[] bytes) {
    put(bytes, 0, bytes.length);
  }

  private void put(byte[] bytes, int from, int length) {
    if (message.length - size < length) message = Arrays.copyOf(message, Math.max(message.length * 2, size + length));
    System.arraycopy(bytes, from, message, size, length);
    size += length;
  }
}
