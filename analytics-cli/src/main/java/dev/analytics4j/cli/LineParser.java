package dev.analytics4j.cli;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import okio.Buffer;
import org.jspecify.annotations.Nullable;

/**
 * Turns one line of newline-delimited JSON, in the wire shape of a single message, into a
 * {@link Message}. Fields the server sets ({@code receivedAt}, {@code sentAt}, {@code version}...)
 * and any other unknown field are ignored, so a Segment export can be imported as it is.
 */
final class LineParser {
  /** Prefixed to the canonical content, so our name-based ids never collide with another scheme's. */
  private static final String ID_NAMESPACE = "analytics4j-import:";

  /** Parses {@code line}, or throws with a reason fit for the rejects file. */
  Message parse(String line) throws LineRejectedException {
    Map<String, @Nullable Object> json = readObject(line);
    String typeName = string(json, "type");
    if (typeName == null) throw new LineRejectedException("missing required field: type");
    Message.Type type = typeOf(typeName);

    String userId = string(json, "userId");
    String anonymousId = string(json, "anonymousId");
    String messageId = string(json, "messageId");
    String timestampText = string(json, "timestamp");
    if (timestampText == null) {
      // An import without the event's own time would stamp it "now", which is never what a
      // backfill means, and would make re-imports produce different messages.
      throw new LineRejectedException("missing required field: timestamp");
    }
    Instant timestamp = parseTimestamp(timestampText);
    Map<String, @Nullable Object> context = object(json, "context");
    Map<String, @Nullable Object> integrations = object(json, "integrations");
    if (type != Message.Type.ALIAS && userId == null && anonymousId == null) {
      throw new LineRejectedException("missing required field: userId or anonymousId");
    }

    // What is sent, and nothing else, decides the generated messageId.
    Map<String, @Nullable Object> sent = new TreeMap<>();
    sent.put("type", type.wireName());
    sent.put("timestamp", timestamp.toString());
    putIfPresent(sent, "userId", userId);
    putIfPresent(sent, "anonymousId", anonymousId);
    putIfPresent(sent, "context", context);
    putIfPresent(sent, "integrations", integrations);

    Message.Builder<?, ?> builder;
    switch (type) {
      case IDENTIFY: {
        Map<String, @Nullable Object> traits = object(json, "traits");
        putIfPresent(sent, "traits", traits);
        IdentifyMessage.Builder b = IdentifyMessage.builder();
        if (traits != null) b.traits(traits);
        builder = b;
        break;
      }
      case TRACK: {
        String event = required(json, "event");
        Map<String, @Nullable Object> properties = object(json, "properties");
        sent.put("event", event);
        putIfPresent(sent, "properties", properties);
        TrackMessage.Builder b = TrackMessage.builder(event);
        if (properties != null) b.properties(properties);
        builder = b;
        break;
      }
      case PAGE: {
        String name = string(json, "name");
        String category = string(json, "category");
        Map<String, @Nullable Object> properties = object(json, "properties");
        putIfPresent(sent, "name", name);
        putIfPresent(sent, "category", category);
        putIfPresent(sent, "properties", properties);
        PageMessage.Builder b = PageMessage.builder();
        if (name != null) b.name(name);
        if (category != null) b.category(category);
        if (properties != null) b.properties(properties);
        builder = b;
        break;
      }
      case SCREEN: {
        String name = string(json, "name");
        Map<String, @Nullable Object> properties = object(json, "properties");
        putIfPresent(sent, "name", name);
        putIfPresent(sent, "properties", properties);
        ScreenMessage.Builder b = ScreenMessage.builder();
        if (name != null) b.name(name);
        if (properties != null) b.properties(properties);
        builder = b;
        break;
      }
      case GROUP: {
        String groupId = required(json, "groupId");
        Map<String, @Nullable Object> traits = object(json, "traits");
        sent.put("groupId", groupId);
        putIfPresent(sent, "traits", traits);
        GroupMessage.Builder b = GroupMessage.builder(groupId);
        if (traits != null) b.traits(traits);
        builder = b;
        break;
      }
      case ALIAS: {
        String previousId = required(json, "previousId");
        if (userId == null) throw new LineRejectedException("missing required field: userId");
        sent.put("previousId", previousId);
        builder = AliasMessage.builder(previousId);
        break;
      }
      default:
        throw new AssertionError(type);
    }

    try {
      if (userId != null) builder.userId(userId);
      if (anonymousId != null) builder.anonymousId(anonymousId);
      builder.timestamp(timestamp);
      if (context != null) builder.context(context);
      if (integrations != null) builder.integrations(integrations);
      builder.messageId(messageId != null ? messageId : deterministicId(sent));
      return builder.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      // The builders' messages name the field: "messageId must be at most 100 characters: 120".
      throw new LineRejectedException("invalid message: " + e.getMessage());
    }
  }

  /** A name-based UUID of the canonical JSON (sorted keys, normalised numbers) of what is sent. */
  static String deterministicId(Map<String, @Nullable Object> sent) {
    Buffer buffer = new Buffer().writeUtf8(ID_NAMESPACE);
    try (JsonWriter writer = JsonWriter.of(buffer)) {
      writer.setSerializeNulls(true);
      writeCanonical(writer, sent);
    } catch (IOException e) {
      throw new IllegalStateException("writing to a memory buffer failed", e);
    }
    return UUID.nameUUIDFromBytes(buffer.readByteArray()).toString();
  }

  private static void writeCanonical(JsonWriter writer, @Nullable Object value) throws IOException {
    if (value == null) {
      writer.nullValue();
    } else if (value instanceof Map) {
      writer.beginObject();
      for (Map.Entry<?, ?> e : new TreeMap<>((Map<?, ?>) value).entrySet()) {
        writer.name((String) e.getKey());
        writeCanonical(writer, e.getValue());
      }
      writer.endObject();
    } else if (value instanceof List) {
      writer.beginArray();
      for (Object element : (List<?>) value) writeCanonical(writer, element);
      writer.endArray();
    } else if (value instanceof BigDecimal) {
      // 1.50 and 1.5 are the same number on the wire's reader side; give them the same id.
      writer.value(((BigDecimal) value).stripTrailingZeros());
    } else if (value instanceof Number) {
      writer.value((Number) value);
    } else if (value instanceof Boolean) {
      writer.value((Boolean) value);
    } else {
      writer.value(value.toString());
    }
  }

  private static Map<String, @Nullable Object> readObject(String line) throws LineRejectedException {
    try (JsonReader reader = JsonReader.of(new Buffer().writeString(line, StandardCharsets.UTF_8))) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        throw new LineRejectedException("invalid JSON: expected an object but was " + reader.peek());
      }
      @SuppressWarnings("unchecked")
      Map<String, @Nullable Object> json = (Map<String, @Nullable Object>) readValue(reader);
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        throw new LineRejectedException("invalid JSON: more than one value on the line");
      }
      return json;
    } catch (JsonEncodingException | JsonDataException e) {
      throw new LineRejectedException("invalid JSON: " + e.getMessage());
    } catch (IOException e) {
      // An in-memory buffer that ends early: the line was cut off.
      throw new LineRejectedException("invalid JSON: " + (e.getMessage() != null ? e.getMessage() : "unexpected end of line"));
    }
  }

  /** Reads any JSON value, keeping integers exact (Long) and other numbers as written (BigDecimal). */
  private static @Nullable Object readValue(JsonReader reader) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT: {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          map.put(name, readValue(reader));
        }
        reader.endObject();
        return map;
      }
      case BEGIN_ARRAY: {
        List<@Nullable Object> list = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) list.add(readValue(reader));
        reader.endArray();
        return list;
      }
      case NUMBER: {
        String literal = reader.nextString();
        BigDecimal number = new BigDecimal(literal);
        if (literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0) {
          try {
            return number.longValueExact();
          } catch (ArithmeticException tooLarge) {
            return number;
          }
        }
        return number;
      }
      case STRING:
        return reader.nextString();
      case BOOLEAN:
        return reader.nextBoolean();
      case NULL:
        return reader.nextNull();
      default:
        throw new JsonDataException("unexpected " + reader.peek() + " at " + reader.getPath());
    }
  }

  private static Message.Type typeOf(String name) throws LineRejectedException {
    for (Message.Type type : Message.Type.values()) {
      if (type.wireName().equals(name)) return type;
    }
    throw new LineRejectedException("unknown type: \"" + name + "\" (expected identify, track, page, "
        + "screen, group or alias)");
  }

  private static Instant parseTimestamp(String text) throws LineRejectedException {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new LineRejectedException("timestamp is not ISO-8601 with an offset "
          + "(e.g. 2025-03-14T09:26:53.589Z): \"" + text + "\"");
    }
  }

  private static String required(Map<String, @Nullable Object> json, String field)
      throws LineRejectedException {
    String value = string(json, field);
    if (value == null || value.trim().isEmpty()) {
      throw new LineRejectedException("missing required field: " + field);
    }
    return value;
  }

  /** The string at {@code field}; null when absent or JSON null. */
  private static @Nullable String string(Map<String, @Nullable Object> json, String field)
      throws LineRejectedException {
    Object value = json.get(field);
    if (value == null) return null;
    if (!(value instanceof String)) {
      throw new LineRejectedException(field + " must be a string but was " + describe(value));
    }
    return (String) value;
  }

  @SuppressWarnings("unchecked")
  private static @Nullable Map<String, @Nullable Object> object(Map<String, @Nullable Object> json, String field)
      throws LineRejectedException {
    Object value = json.get(field);
    if (value == null) return null;
    if (!(value instanceof Map)) {
      throw new LineRejectedException(field + " must be an object but was " + describe(value));
    }
    return (Map<String, @Nullable Object>) value;
  }

  private static String describe(Object value) {
    if (value instanceof Map) return "an object";
    if (value instanceof List) return "an array";
    if (value instanceof String) return "a string";
    if (value instanceof Boolean) return "a boolean";
    return "a number";
  }

  private static void putIfPresent(Map<String, @Nullable Object> map, String key, @Nullable Object value) {
    if (value != null) map.put(key, value);
  }
}
