package dev.analytics4j.spark;

import dev.analytics4j.messages.AliasMessage;
import dev.analytics4j.messages.GroupMessage;
import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.Message;
import dev.analytics4j.messages.PageMessage;
import dev.analytics4j.messages.ScreenMessage;
import dev.analytics4j.messages.TrackMessage;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.jspecify.annotations.Nullable;

/**
 * Maps a row to a message: columns are found by name (case-insensitively), checked against the schema
 * once on the driver ({@link #RowMapper} throws for a schema no row of which could be sent), then
 * converted row by row, where a bad value rejects just that row.
 */
final class RowMapper {
  /** The columns that map to message fields, as users write them. */
  static final List<String> FIELDS = List.of("type", "messageId", "userId", "anonymousId", "event", "name",
      "category", "groupId", "previousId", "timestamp", "properties", "traits", "context", "integrations");
  private static final List<String> OBJECT_FIELDS = List.of("properties", "traits", "context", "integrations");

  private final StructField[] fields;
  /** Ordinal of each of {@link #FIELDS} in the row, or -1. */
  private final int[] ordinals = new int[FIELDS.size()];
  private final int[] keyOrdinals;
  private final List<String> ignored = new ArrayList<>();
  private final Message.@Nullable Type defaultType;
  private final ValueConverter converter;
  private final RowIds ids;

  RowMapper(StructType schema, WriterOptions options, RowIds ids) {
    this.fields = schema.fields();
    this.converter = new ValueConverter(options, false);
    this.ids = ids;
    this.defaultType = options.defaultType == null ? null : MessageTypes.parse(options.defaultType);
    java.util.Arrays.fill(ordinals, -1);
    for (int i = 0; i < fields.length; i++) {
      String name = fields[i].name();
      int field = indexOfIgnoreCase(FIELDS, name);
      if (field < 0) {
        ignored.add(name);
        continue;
      }
      if (ordinals[field] >= 0) {
        throw new IllegalArgumentException("columns '" + fields[ordinals[field]].name() + "' and '" + name
            + "' both map to the message field " + FIELDS.get(field) + "; drop or rename one");
      }
      ordinals[field] = i;
      checkType(FIELDS.get(field), fields[i]);
    }
    if (ordinals[0] < 0 && defaultType == null) {
      throw new IllegalArgumentException("no column 'type' and no option type: say which message each row is ("
          + MessageTypes.NAMES + ")");
    }
    keyOrdinals = new int[options.keyColumns.size()];
    for (int k = 0; k < keyOrdinals.length; k++) {
      String key = options.keyColumns.get(k);
      keyOrdinals[k] = -1;
      for (int i = 0; i < fields.length; i++) {
        if (fields[i].name().equalsIgnoreCase(key)) keyOrdinals[k] = i;
      }
      if (keyOrdinals[k] < 0) {
        throw new IllegalArgumentException("option keyColumns names '" + key + "', which is not a column of "
            + schema.simpleString());
      }
      ValueConverter.checkSupported(fields[keyOrdinals[k]].dataType(), fields[keyOrdinals[k]].name());
    }
  }

  /** Columns that map to no message field (and are not key columns); the driver logs them. */
  List<String> ignoredColumns() {
    List<String> list = new ArrayList<>(ignored);
    for (int ordinal : keyOrdinals) list.remove(fields[ordinal].name());
    return Collections.unmodifiableList(list);
  }

  boolean hasTimestamp() {
    return ordinals[FIELDS.indexOf("timestamp")] >= 0;
  }

  private static void checkType(String field, StructField column) {
    DataType type = column.dataType();
    String name = column.name();
    if (field.equals("timestamp")) {
      if (!(type instanceof TimestampType || type instanceof TimestampNTZType || type instanceof StringType
          || type instanceof DateType)) {
        throw new IllegalArgumentException("column '" + name + "' must be a TIMESTAMP, TIMESTAMP_NTZ, DATE or an "
            + "ISO-8601 STRING but is " + type.simpleString());
      }
    } else if (OBJECT_FIELDS.contains(field)) {
      if (!(type instanceof StructType || type instanceof MapType || type instanceof StringType)) {
        throw new IllegalArgumentException("column '" + name + "' must be a STRUCT, a MAP with string keys, or a "
            + "STRING holding a JSON object, but is " + type.simpleString());
      }
      if (!(type instanceof StringType)) ValueConverter.checkSupported(type, name);
    } else if (!(type instanceof StringType || type instanceof LongType || type instanceof IntegerType
        || type instanceof ShortType || type instanceof ByteType)) {
      throw new IllegalArgumentException("column '" + name + "' must be a STRING (or a whole number) but is "
          + type.simpleString());
    }
  }

  /** The message for {@code row}, its messageId set, or the reason the row cannot be sent. */
  Message map(InternalRow row) throws RejectedValueException {
    String typeName = string(row, "type");
    Message.Type type;
    if (typeName == null) {
      if (defaultType == null) throw new RejectedValueException("column 'type' is null and no option type is set");
      type = defaultType;
    } else {
      type = MessageTypes.parse(typeName);
      if (type == null) {
        throw new RejectedValueException("column 'type' is not one of " + MessageTypes.NAMES, typeName);
      }
    }
    ids.begin().add("type", type.wireName());
    Message.Builder<?, ?> builder = builder(type, row);
    String userId = string(row, "userId");
    String anonymousId = string(row, "anonymousId");
    Instant timestamp = timestamp(row);
    Map<String, @Nullable Object> context = object(row, "context");
    Map<String, @Nullable Object> integrations = object(row, "integrations");
    ids.add("userId", userId).add("anonymousId", anonymousId).add("timestamp", timestamp)
        .add("context", context).add("integrations", integrations);
    String messageId = string(row, "messageId");
    // Checked here rather than by the builder, whose refusal quotes the value: the summary counts
    // rows by reason, which names the column, never a value.
    if (messageId != null && messageId.length() > MAX_MESSAGE_ID_LENGTH) {
      throw new RejectedValueException("column '" + fields[ordinal("messageId")].name() + "' is longer than "
          + MAX_MESSAGE_ID_LENGTH + " characters", messageId.length() + " characters");
    }
    try {
      if (userId != null) builder.userId(userId);
      if (anonymousId != null) builder.anonymousId(anonymousId);
      if (timestamp != null) builder.timestamp(timestamp);
      if (context != null) builder.context(context);
      if (integrations != null) builder.integrations(integrations);
      builder.messageId(messageId != null ? messageId : derivedId(row));
      return builder.build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new RejectedValueException(type.wireName() + " is invalid: " + e.getMessage());
    }
  }

  private String derivedId(InternalRow row) throws RejectedValueException {
    if (keyOrdinals.length == 0) return ids.id();
    ids.begin();
    for (int ordinal : keyOrdinals) {
      StructField key = fields[ordinal];
      ids.add(key.name(), converter.get(row, ordinal, key.dataType(), key.name()));
    }
    return ids.id();
  }

  private Message.Builder<?, ?> builder(Message.Type type, InternalRow row) throws RejectedValueException {
    try {
      switch (type) {
        case IDENTIFY: {
          Map<String, @Nullable Object> traits = object(row, "traits");
          ids.add("traits", traits);
          IdentifyMessage.Builder b = IdentifyMessage.builder();
          return traits == null ? b : b.traits(traits);
        }
        case TRACK: {
          String event = required(row, "event", type);
          Map<String, @Nullable Object> properties = object(row, "properties");
          ids.add("event", event).add("properties", properties);
          TrackMessage.Builder b = TrackMessage.builder(event);
          return properties == null ? b : b.properties(properties);
        }
        case PAGE: {
          String name = string(row, "name");
          String category = string(row, "category");
          Map<String, @Nullable Object> properties = object(row, "properties");
          ids.add("name", name).add("category", category).add("properties", properties);
          PageMessage.Builder b = PageMessage.builder();
          if (name != null) b.name(name);
          if (category != null) b.category(category);
          return properties == null ? b : b.properties(properties);
        }
        case SCREEN: {
          String name = string(row, "name");
          Map<String, @Nullable Object> properties = object(row, "properties");
          ids.add("name", name).add("properties", properties);
          ScreenMessage.Builder b = ScreenMessage.builder();
          if (name != null) b.name(name);
          return properties == null ? b : b.properties(properties);
        }
        case GROUP: {
          String groupId = required(row, "groupId", type);
          Map<String, @Nullable Object> traits = object(row, "traits");
          ids.add("groupId", groupId).add("traits", traits);
          GroupMessage.Builder b = GroupMessage.builder(groupId);
          return traits == null ? b : b.traits(traits);
        }
        case ALIAS: {
          String previousId = required(row, "previousId", type);
          ids.add("previousId", previousId);
          return AliasMessage.builder(previousId);
        }
        default:
          throw new AssertionError(type);
      }
    } catch (IllegalArgumentException e) {
      throw new RejectedValueException(type.wireName() + " is invalid: " + e.getMessage());
    }
  }

  private String required(InternalRow row, String field, Message.Type type) throws RejectedValueException {
    String value = string(row, field);
    if (value == null) {
      throw new RejectedValueException("column '" + field + "' is " + (ordinal(field) < 0 ? "missing" : "null")
          + ", and a " + type.wireName() + " needs it");
    }
    return value;
  }

  private int ordinal(String field) {
    return ordinals[FIELDS.indexOf(field)];
  }

  private @Nullable String string(InternalRow row, String field) {
    int ordinal = ordinal(field);
    if (ordinal < 0 || row.isNullAt(ordinal)) return null;
    return String.valueOf(row.get(ordinal, fields[ordinal].dataType()));
  }

  private @Nullable Instant timestamp(InternalRow row) throws RejectedValueException {
    int ordinal = ordinal("timestamp");
    if (ordinal < 0 || row.isNullAt(ordinal)) return null;
    String column = fields[ordinal].name();
    Object value = converter.get(row, ordinal, fields[ordinal].dataType(), column);
    Instant instant;
    if (value instanceof Instant) {
      instant = (Instant) value;
    } else if (value instanceof LocalDate) {
      instant = ((LocalDate) value).atStartOfDay(ZoneOffset.UTC).toInstant();
    } else {
      String text = String.valueOf(value);
      try {
        instant = OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeException e) {
        throw new RejectedValueException("column '" + column + "' is not an ISO-8601 time with an offset", text);
      }
    }
    if (instant.isBefore(FIRST_INSTANT) || !instant.isBefore(PAST_LAST_INSTANT)) {
      throw new RejectedValueException("column '" + column + "' is outside the years 0000 to 9999", instant.toString());
    }
    return instant;
  }

  /** The core's bounds (RFC 3339 has four-digit years, the API 100-character messageIds). */
  private static final Instant FIRST_INSTANT = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant PAST_LAST_INSTANT = Instant.parse("+10000-01-01T00:00:00Z");
  private static final int MAX_MESSAGE_ID_LENGTH = 100;

  private @Nullable Map<String, @Nullable Object> object(InternalRow row, String field) throws RejectedValueException {
    int ordinal = ordinal(field);
    if (ordinal < 0 || row.isNullAt(ordinal)) return null;
    StructField column = fields[ordinal];
    if (column.dataType() instanceof StringType) {
      return JsonColumns.parseObject(row.getUTF8String(ordinal).toString(), column.name());
    }
    @SuppressWarnings("unchecked")
    Map<String, @Nullable Object> map =
        (Map<String, @Nullable Object>) converter.get(row, ordinal, column.dataType(), column.name());
    return map;
  }

  private static int indexOfIgnoreCase(List<String> names, String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).toLowerCase(Locale.ROOT).equals(lower)) return i;
    }
    return -1;
  }
}
