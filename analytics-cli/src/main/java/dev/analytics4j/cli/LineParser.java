package dev.analytics4j.cli;

import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one line of newline-delimited JSON, in the wire shape of a single message, into a message
 * builder. The fields a message has on the wire (type, ids, timestamp, context, integrations and the
 * type's own fields) are sent; the fields the server sets ({@code receivedAt}, {@code sentAt},
 * {@code originalTimestamp}, {@code version}...) and any other field are left out, so a Segment
 * export can be imported as it is.
 */
final class LineParser {
  /** What a line holds: the message to build and what the summary counts about it. */
  static final class Parsed {
    final Message.Builder<?, ?> builder;
    /** The line's own messageId, or null when one must be derived. */
    final @Nullable String messageId;
    /** How many of userId, anonymousId, previousId and groupId were numbers, now sent as text. */
    final int numericIds;

    Parsed(Message.Builder<?, ?> builder, @Nullable String messageId, int numericIds) {
      this.builder = builder;
      this.messageId = messageId;
      this.numericIds = numericIds;
    }
  }

  private int numericIds;

  /** Parses {@code line}, or throws with a reason fit for the rejects file. */
  Parsed parse(String line) throws LineRejectedException {
    numericIds = 0;
    Map<String, @Nullable Object> json = StrictJson.parseObject(line);
    String typeName = string(json, "type");
    if (typeName == null) throw new LineRejectedException("missing required field: type");
    Message.Type type = typeOf(typeName);

    String userId = id(json, "userId");
    String anonymousId = id(json, "anonymousId");
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

    try {
      return new Parsed(build(type, json, userId, anonymousId, messageId, timestamp, context, integrations),
          messageId, numericIds);
    } catch (IllegalArgumentException | NullPointerException e) {
      // The builders' messages name the field: "messageId must be at most 100 characters: 120",
      // "name must not be blank" (a name of only whitespace such as U+3000, which trim() keeps).
      throw new LineRejectedException("invalid message: " + e.getMessage());
    }
  }

  private Message.Builder<?, ?> build(Message.Type type, Map<String, @Nullable Object> json, @Nullable String userId,
      @Nullable String anonymousId, @Nullable String messageId, Instant timestamp,
      @Nullable Map<String, @Nullable Object> context, @Nullable Map<String, @Nullable Object> integrations)
      throws LineRejectedException {
    Message.Builder<?, ?> builder;
    switch (type) {
      case IDENTIFY: {
        Map<String, @Nullable Object> traits = object(json, "traits");
        IdentifyMessage.Builder b = IdentifyMessage.builder();
        if (traits != null) b.traits(traits);
        builder = b;
        break;
      }
      case TRACK: {
        String event = required(json, "event");
        Map<String, @Nullable Object> properties = object(json, "properties");
        TrackMessage.Builder b = TrackMessage.builder(event);
        if (properties != null) b.properties(properties);
        builder = b;
        break;
      }
      case PAGE: {
        String name = string(json, "name");
        String category = string(json, "category");
        Map<String, @Nullable Object> properties = object(json, "properties");
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
        ScreenMessage.Builder b = ScreenMessage.builder();
        if (name != null) b.name(name);
        if (properties != null) b.properties(properties);
        builder = b;
        break;
      }
      case GROUP: {
        String groupId = requiredId(json, "groupId");
        Map<String, @Nullable Object> traits = object(json, "traits");
        GroupMessage.Builder b = GroupMessage.builder(groupId);
        if (traits != null) b.traits(traits);
        builder = b;
        break;
      }
      case ALIAS: {
        String previousId = requiredId(json, "previousId");
        if (userId == null) throw new LineRejectedException("missing required field: userId");
        builder = AliasMessage.builder(previousId);
        break;
      }
      default:
        throw new AssertionError(type);
    }

    if (userId != null) builder.userId(userId);
    if (anonymousId != null) builder.anonymousId(anonymousId);
    builder.timestamp(timestamp);
    // A line's own context.library stays as it is: the importer's client keeps it (Wire.keepMessageLibrary).
    if (context != null) builder.context(context);
    if (integrations != null) builder.integrations(checkIntegrations(integrations));
    if (messageId != null) builder.messageId(messageId);
    return builder;
  }

  private static Map<String, @Nullable Object> checkIntegrations(Map<String, @Nullable Object> integrations)
      throws LineRejectedException {
    for (Map.Entry<String, @Nullable Object> e : integrations.entrySet()) {
      if (!(e.getValue() instanceof Boolean) && !(e.getValue() instanceof Map)) {
        throw new LineRejectedException("integrations." + e.getKey() + " must be true, false or an object but was "
            + describe(e.getValue()));
      }
    }
    return integrations;
  }

  private static boolean blank(@Nullable String value) {
    return value == null || value.trim().isEmpty();
  }

  private static Message.Type typeOf(String name) throws LineRejectedException {
    for (Message.Type type : Message.Type.values()) {
      if (type.wireName().equals(name)) return type;
    }
    throw new LineRejectedException("unknown type: " + shown(name) + " (expected identify, track, page, "
        + "screen, group or alias)");
  }

  private static Instant parseTimestamp(String text) throws LineRejectedException {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new LineRejectedException("timestamp is not ISO-8601 with an offset "
          + "(e.g. 2025-03-14T09:26:53.589Z): " + shown(text));
    }
  }

  private static String required(Map<String, @Nullable Object> json, String field)
      throws LineRejectedException {
    String value = string(json, field);
    if (blank(value)) throw new LineRejectedException("missing required field: " + field);
    return value;
  }

  private String requiredId(Map<String, @Nullable Object> json, String field) throws LineRejectedException {
    String value = id(json, field);
    if (blank(value)) throw new LineRejectedException("missing required field: " + field);
    return value;
  }

  /**
   * An id field: a string, or a whole number written in digits, which is sent as its decimal text
   * ({@code 42} becomes {@code "42"}) and counted; JSON exports of numeric database keys do this.
   */
  private @Nullable String id(Map<String, @Nullable Object> json, String field) throws LineRejectedException {
    Object value = json.get(field);
    if (value == null || value instanceof String) return (String) value;
    if (value instanceof Long || value instanceof BigDecimal && ((BigDecimal) value).scale() == 0) {
      numericIds++;
      return value instanceof Long ? value.toString() : ((BigDecimal) value).toPlainString();
    }
    throw new LineRejectedException(field + " must be a string (or a whole number written in digits) but was "
        + describe(value) + (value instanceof BigDecimal ? " " + value : ""));
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

  /**
   * A value from the line, quoted for a one-line reason: control characters escaped (a newline
   * must not split an entry of the rejects file) and long values cut.
   */
  static String shown(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length() && i < 80; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
        out.append(c == '"' || c == '\\' ? "\\" + c : String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(value.length() > 80 ? "...\"" : "\"").toString();
  }

  private static String describe(@Nullable Object value) {
    if (value == null) return "null";
    if (value instanceof Map) return "an object";
    if (value instanceof List) return "an array";
    if (value instanceof String) return "a string";
    if (value instanceof Boolean) return "a boolean";
    return "a number";
  }

}
