package dev.analytics4j.testing;

import dev.analytics4j.messages.Message;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Date;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** How messages and values are shown in failure messages, and how expected values compare with sent ones. */
final class Describe {
  /** Lines listed in one failure message; the rest are counted. */
  static final int MAX_LINES = 25;
  private static final int MAX_LINE_LENGTH = 300;

  private Describe() {}

  /** {@code track "Order Completed" userId=u1 properties={revenue=42.5, currency="EUR"}}. */
  static String message(SentMessage message) {
    return message(message, false);
  }

  /** Like {@link #message(SentMessage)}, with its timestamp when {@code withTimestamp}. */
  static String message(SentMessage message, boolean withTimestamp) {
    StringBuilder out = new StringBuilder(message.type().wireName());
    String key = keyField(message);
    if (key != null) out.append(' ').append(quote(key));
    if (message.type() == Message.Type.PAGE && message.category() != null) {
      out.append(" category=").append(message.category());
    }
    if (message.userId() != null) out.append(" userId=").append(message.userId());
    if (message.anonymousId() != null) out.append(" anonymousId=").append(message.anonymousId());
    // Before the maps, which the line's length limit may cut.
    if (withTimestamp) out.append(" timestamp=").append(message.fields().get("timestamp"));
    appendMap(out, "properties", message.properties());
    appendMap(out, "traits", message.traits());
    Map<String, @Nullable Object> context = new java.util.LinkedHashMap<>(message.context());
    context.remove("library"); // Always there; it would only hide what differs.
    appendMap(out, "context", context);
    appendMap(out, "integrations", message.integrations());
    return abbreviate(out.toString());
  }

  static @Nullable String keyField(SentMessage message) {
    switch (message.type()) {
      case TRACK: return message.event();
      case PAGE:
      case SCREEN: return message.name();
      case GROUP: return message.groupId();
      case ALIAS: return message.previousId();
      default: return null;
    }
  }

  private static void appendMap(StringBuilder out, String name, Map<String, @Nullable Object> map) {
    if (!map.isEmpty()) out.append(' ').append(name).append('=').append(value(map));
  }

  /** A value as JSON-like text: strings quoted, maps as {@code {key=value}}, numbers plain. */
  static String value(@Nullable Object value) {
    StringBuilder out = new StringBuilder();
    appendValue(out, value);
    return out.toString();
  }

  private static void appendValue(StringBuilder out, @Nullable Object value) {
    Instant instant = value != null ? instant(value) : null;
    if (value == null) {
      out.append("null");
    } else if (instant != null) {
      out.append(quote(wireTime(instant)));
    } else if (value instanceof CharSequence || value instanceof Character || value instanceof Enum
        || value instanceof UUID) {
      out.append(quote(value instanceof Enum ? ((Enum<?>) value).name() : value.toString()));
    } else if (value instanceof Map) {
      out.append('{');
      Iterator<? extends Map.Entry<?, ?>> entries = ((Map<?, ?>) value).entrySet().iterator();
      while (entries.hasNext()) {
        Map.Entry<?, ?> e = entries.next();
        out.append(e.getKey()).append('=');
        appendValue(out, e.getValue());
        if (entries.hasNext()) out.append(", ");
      }
      out.append('}');
    } else if (value instanceof Collection || value.getClass().isArray()) {
      out.append('[');
      List<@Nullable Object> items = elements(value);
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) out.append(", ");
        appendValue(out, items.get(i));
      }
      out.append(']');
    } else {
      out.append(value);
    }
  }

  static String quote(String s) {
    return '"' + s + '"';
  }

  private static List<@Nullable Object> elements(Object collectionOrArray) {
    List<@Nullable Object> items = new ArrayList<>();
    if (collectionOrArray instanceof Collection) {
      items.addAll((Collection<?>) collectionOrArray);
    } else {
      for (int i = 0, n = Array.getLength(collectionOrArray); i < n; i++) items.add(Array.get(collectionOrArray, i));
    }
    return items;
  }

  /**
   * Whether a value a test expects equals one decoded from the wire: numbers by value (so 42, 42L
   * and 42.0 are alike), enums by name, UUIDs and characters as strings, maps and lists element by
   * element.
   */
  static boolean sameValue(@Nullable Object expected, @Nullable Object actual) {
    if (expected == null || actual == null) return expected == actual;
    Instant instant = instant(expected);
    if (instant != null) return actual instanceof String && wireTime(instant).equals(actual);
    if (expected instanceof LocalDate) return expected.toString().equals(actual);
    if (expected instanceof Number) {
      return actual instanceof Number && sameNumber((Number) expected, (Number) actual);
    }
    if (expected instanceof CharSequence || expected instanceof Character || expected instanceof UUID) {
      return expected.toString().equals(actual);
    }
    if (expected instanceof Enum) return ((Enum<?>) expected).name().equals(actual);
    if (expected instanceof Map) {
      if (!(actual instanceof Map)) return false;
      Map<?, ?> e = (Map<?, ?>) expected;
      Map<?, ?> a = (Map<?, ?>) actual;
      if (e.size() != a.size()) return false;
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        if (!a.containsKey(String.valueOf(entry.getKey()))) return false;
        if (!sameValue(entry.getValue(), a.get(String.valueOf(entry.getKey())))) return false;
      }
      return true;
    }
    if (expected instanceof Collection || expected.getClass().isArray()) {
      if (!(actual instanceof List)) return false;
      List<@Nullable Object> e = elements(expected);
      List<?> a = (List<?>) actual;
      if (e.size() != a.size()) return false;
      for (int i = 0; i < e.size(); i++) {
        if (!sameValue(e.get(i), a.get(i))) return false;
      }
      return true;
    }
    return expected.equals(actual);
  }

  /**
   * The instant a date value is sent as, or null for other values: the client writes Instant, Date,
   * OffsetDateTime and ZonedDateTime as that instant in UTC.
   */
  static @Nullable Instant instant(Object value) {
    if (value instanceof Instant) return (Instant) value;
    // getTime(), not toInstant(): java.sql.Date and java.sql.Time throw from it.
    if (value instanceof Date) return Instant.ofEpochMilli(((Date) value).getTime());
    if (value instanceof OffsetDateTime) return ((OffsetDateTime) value).toInstant();
    if (value instanceof ZonedDateTime) return ((ZonedDateTime) value).toInstant();
    return null;
  }

  /**
   * {@code instant} as the wire carries it: ISO-8601 UTC with exactly three fraction digits, cut
   * toward the past, as the client writes it ({@code Instant.now()} has micro- or nanoseconds).
   */
  static String wireTime(Instant instant) {
    return WIRE_TIME.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  private static final DateTimeFormatter WIRE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static boolean sameNumber(Number expected, Number actual) {
    try {
      return new BigDecimal(expected.toString()).compareTo(new BigDecimal(actual.toString())) == 0;
    } catch (NumberFormatException e) {
      return false; // NaN or infinity: never on the wire.
    }
  }

  /**
   * The numbered list of {@code messages}, one per line, those that {@code marked} accepts flagged
   * with {@code >}; long lists are cut after {@link #MAX_LINES}.
   */
  static String list(List<SentMessage> messages, Predicate<SentMessage> marked) {
    return list(messages, marked, false);
  }

  /** Like {@link #list(List, Predicate)}, with each message's timestamp when {@code withTimestamps}. */
  static String list(List<SentMessage> messages, Predicate<SentMessage> marked, boolean withTimestamps) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < messages.size(); i++) {
      if (i == MAX_LINES) {
        out.append("\n  ... and ").append(messages.size() - MAX_LINES).append(" more");
        break;
      }
      SentMessage message = messages.get(i);
      out.append('\n').append(marked.test(message) ? "> " : "  ").append(i + 1).append(". ").append(message(message, withTimestamps));
    }
    return out.toString();
  }

  static String messages(int n) {
    return n == 1 ? "1 message" : n + " messages";
  }

  static String abbreviate(String line) {
    return line.length() > MAX_LINE_LENGTH ? line.substring(0, MAX_LINE_LENGTH - 3) + "..." : line;
  }
}
