package dev.analytics4j.testing;

import dev.analytics4j.messages.Message;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message as it went on the wire, decoded from the request body: what a collector saw, not what
 * the builder was told, so a field the encoder dropped or renamed is missing here too.
 *
 * <p>Maps are read-only, in wire order, and empty when the field was absent. Values are JSON values:
 * {@code String}, {@code Boolean}, {@code null}, read-only {@code Map<String, Object>} and
 * {@code List<Object>}, and numbers as {@code Long} when integral, {@code Double} otherwise
 * ({@code BigDecimal} when neither holds the literal exactly).
 */
public final class SentMessage {
  private final Map<String, @Nullable Object> fields;
  private final Message.Type type;
  private final Instant timestamp;

  SentMessage(Map<String, @Nullable Object> fields, Message.Type type, Instant timestamp) {
    this.fields = fields;
    this.type = type;
    this.timestamp = timestamp;
  }

  /** The {@code type} field. */
  public Message.Type type() {
    return type;
  }

  /** The {@code messageId} field, the API's deduplication key. */
  public String messageId() {
    return Objects.requireNonNull(string("messageId"));
  }

  /** The {@code timestamp} field: when the event happened. */
  public Instant timestamp() {
    return timestamp;
  }

  /** The {@code userId} field, or null when absent. */
  public @Nullable String userId() {
    return string("userId");
  }

  /** The {@code anonymousId} field, or null when absent. */
  public @Nullable String anonymousId() {
    return string("anonymousId");
  }

  /** The {@code event} of a track. */
  public @Nullable String event() {
    return string("event");
  }

  /** The {@code name} of a page or screen. */
  public @Nullable String name() {
    return string("name");
  }

  /** The {@code category} of a page. */
  public @Nullable String category() {
    return string("category");
  }

  /** The {@code groupId} of a group. */
  public @Nullable String groupId() {
    return string("groupId");
  }

  /** The {@code previousId} of an alias. */
  public @Nullable String previousId() {
    return string("previousId");
  }

  /** The {@code properties} of a track, page or screen. */
  public Map<String, @Nullable Object> properties() {
    return map("properties");
  }

  /** The {@code traits} of an identify or group. */
  public Map<String, @Nullable Object> traits() {
    return map("traits");
  }

  /** The {@code context}, {@code library} included. */
  public Map<String, @Nullable Object> context() {
    return map("context");
  }

  /** The {@code integrations}: destination name to {@code true}, {@code false} or an options map. */
  public Map<String, @Nullable Object> integrations() {
    return map("integrations");
  }

  /** Every field of the message as decoded, for what the other methods do not name. */
  public Map<String, @Nullable Object> fields() {
    return fields;
  }

  private @Nullable String string(String name) {
    Object value = fields.get(name);
    return value instanceof String ? (String) value : null;
  }

  @SuppressWarnings("unchecked")
  private Map<String, @Nullable Object> map(String name) {
    Object value = fields.get(name);
    return value instanceof Map ? (Map<String, @Nullable Object>) value : Collections.emptyMap();
  }

  /** A compact line: {@code track "Order Completed" userId=u1 properties={revenue=42.5}}. */
  @Override
  public String toString() {
    return Describe.message(this);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof SentMessage && ((SentMessage) o).fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }
}
