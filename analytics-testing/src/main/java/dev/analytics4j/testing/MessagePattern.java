package dev.analytics4j.testing;

import dev.analytics4j.messages.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What a test expects of a sent message, written the way the spec reads, and shown that way when an
 * assertion fails: {@code track("Order Completed").user("u1").property("revenue", 42.5)} reads as
 * <em>a track "Order Completed" for user u1 with property revenue=42.5</em>.
 *
 * <p>A pattern names a type (or {@link #anyMessage()}) and adds conditions; a message matches when it
 * meets all of them, whatever else it carries. Values compare as JSON values: numbers by value
 * ({@code 42}, {@code 42L} and {@code 42.0} are alike), enums by name, maps and lists element by
 * element. Patterns are immutable: each method returns a new one, so a base pattern can be shared.
 */
public final class MessagePattern {
  private final String article;
  private final String noun;
  private final List<String> phrases;
  private final List<Predicate<SentMessage>> conditions;

  private MessagePattern(String article, String noun, List<String> phrases,
      List<Predicate<SentMessage>> conditions) {
    this.article = article;
    this.noun = noun;
    this.phrases = phrases;
    this.conditions = conditions;
  }

  private static MessagePattern of(String article, Message.@Nullable Type type, @Nullable String key,
      Function<SentMessage, ? extends @Nullable String> keyField) {
    String noun = type == null ? "message" : type.wireName();
    List<Predicate<SentMessage>> conditions = new ArrayList<>();
    if (type != null) conditions.add(m -> m.type() == type);
    if (key != null) {
      noun += " " + Describe.quote(key);
      conditions.add(m -> key.equals(keyField.apply(m)));
    }
    return new MessagePattern(article, noun, Collections.emptyList(), Collections.unmodifiableList(conditions));
  }

  /** Any message, of any type. */
  public static MessagePattern anyMessage() {
    return of("a", null, null, m -> null);
  }

  /** An identify. */
  public static MessagePattern identify() {
    return of("an", Message.Type.IDENTIFY, null, m -> null);
  }

  /** A track of any event. */
  public static MessagePattern track() {
    return of("a", Message.Type.TRACK, null, SentMessage::event);
  }

  /** A track of {@code event}. */
  public static MessagePattern track(String event) {
    return of("a", Message.Type.TRACK, requireNonNull(event, "event"), SentMessage::event);
  }

  /** A page, named or not. */
  public static MessagePattern page() {
    return of("a", Message.Type.PAGE, null, SentMessage::name);
  }

  /** A page named {@code name}. */
  public static MessagePattern page(String name) {
    return of("a", Message.Type.PAGE, requireNonNull(name, "name"), SentMessage::name);
  }

  /** A screen, named or not. */
  public static MessagePattern screen() {
    return of("a", Message.Type.SCREEN, null, SentMessage::name);
  }

  /** A screen named {@code name}. */
  public static MessagePattern screen(String name) {
    return of("a", Message.Type.SCREEN, requireNonNull(name, "name"), SentMessage::name);
  }

  /** A group of any group. */
  public static MessagePattern group() {
    return of("a", Message.Type.GROUP, null, SentMessage::groupId);
  }

  /** A group with {@code groupId}. */
  public static MessagePattern group(String groupId) {
    return of("a", Message.Type.GROUP, requireNonNull(groupId, "groupId"), SentMessage::groupId);
  }

  /** An alias of any previous id. */
  public static MessagePattern alias() {
    return of("an", Message.Type.ALIAS, null, SentMessage::previousId);
  }

  /** An alias whose {@code previousId} is {@code previousId}. */
  public static MessagePattern alias(String previousId) {
    return of("an", Message.Type.ALIAS, requireNonNull(previousId, "previousId"), SentMessage::previousId);
  }

  /** With {@code userId} or {@code anonymousId} equal to {@code id}: the message is about that user. */
  public MessagePattern user(String id) {
    requireNonNull(id, "id");
    return with("for user " + id, m -> id.equals(m.userId()) || id.equals(m.anonymousId()));
  }

  /** With {@code userId} equal to {@code userId}. */
  public MessagePattern userId(String userId) {
    requireNonNull(userId, "userId");
    return with("for userId " + userId, m -> userId.equals(m.userId()));
  }

  /** With {@code anonymousId} equal to {@code anonymousId}. */
  public MessagePattern anonymousId(String anonymousId) {
    requireNonNull(anonymousId, "anonymousId");
    return with("for anonymousId " + anonymousId, m -> anonymousId.equals(m.anonymousId()));
  }

  /** With this {@code messageId}. */
  public MessagePattern messageId(String messageId) {
    requireNonNull(messageId, "messageId");
    return with("with messageId " + messageId, m -> messageId.equals(m.messageId()));
  }

  /**
   * With this {@code timestamp}, compared as the wire carries it: to the millisecond, so
   * {@code timestamp(Instant.now())} matches the message sent with that same instant.
   */
  public MessagePattern timestamp(Instant timestamp) {
    requireNonNull(timestamp, "timestamp");
    String wire = Describe.wireTime(timestamp);
    return with("with timestamp " + wire, m -> wire.equals(Describe.wireTime(m.timestamp())));
  }

  /** With a page's {@code category}. */
  public MessagePattern category(String category) {
    requireNonNull(category, "category");
    return with("with category " + category, m -> category.equals(m.category()));
  }

  /**
   * With property {@code key} equal to {@code value} ({@code null} matches a JSON null, not a missing
   * key). Dates compare as the wire carries them: an {@code Instant}, {@code Date},
   * {@code OffsetDateTime} or {@code ZonedDateTime} as its UTC instant to the millisecond, a
   * {@code LocalDate} as {@code yyyy-MM-dd}; numbers by value.
   */
  public MessagePattern property(String key, @Nullable Object value) {
    return entry("property", SentMessage::properties, key, value);
  }

  /** Without property {@code key}: for what must never be sent, such as personal data. */
  public MessagePattern noProperty(String key) {
    requireNonNull(key, "key");
    return with("without property " + key, m -> !m.properties().containsKey(key));
  }

  /** With trait {@code key} equal to {@code value}. */
  public MessagePattern trait(String key, @Nullable Object value) {
    return entry("trait", SentMessage::traits, key, value);
  }

  /** With context entry {@code key} equal to {@code value}. */
  public MessagePattern context(String key, @Nullable Object value) {
    return entry("context", SentMessage::context, key, value);
  }

  /** With integration {@code name} set to {@code value}: {@code true}, {@code false} or an options map. */
  public MessagePattern integration(String name, Object value) {
    requireNonNull(value, "value");
    return entry("integration", SentMessage::integrations, name, value);
  }

  private MessagePattern entry(String what, Function<SentMessage, Map<String, @Nullable Object>> field,
      String key, @Nullable Object value) {
    requireNonNull(key, "key");
    return with("with " + what + " " + key + "=" + Describe.value(value), m -> {
      Map<String, @Nullable Object> map = field.apply(m);
      return map.containsKey(key) && Describe.sameValue(value, map.get(key));
    });
  }

  private MessagePattern with(String phrase, Predicate<SentMessage> condition) {
    List<String> newPhrases = new ArrayList<>(phrases);
    newPhrases.add(phrase);
    List<Predicate<SentMessage>> newConditions = new ArrayList<>(conditions);
    newConditions.add(condition);
    return new MessagePattern(article, noun, Collections.unmodifiableList(newPhrases),
        Collections.unmodifiableList(newConditions));
  }

  /** Whether {@code message} meets every condition. */
  public boolean matches(SentMessage message) {
    Objects.requireNonNull(message, "message == null");
    for (Predicate<SentMessage> condition : conditions) {
      if (!condition.test(message)) return false;
    }
    return true;
  }

  /** Whether the pattern asks for a timestamp: failure listings then show each message's. */
  boolean timestamped() {
    for (String phrase : phrases) {
      if (phrase.startsWith("with timestamp ")) return true;
    }
    return false;
  }

  /** The pattern without its article, after "no": {@code track for user u2}. */
  String negated() {
    return "no " + noun + tail();
  }

  private String tail() {
    StringBuilder out = new StringBuilder();
    boolean withSeen = false;
    for (String phrase : phrases) {
      boolean isWith = phrase.startsWith("with ");
      out.append(' ').append(isWith && withSeen ? "and " + phrase.substring(5) : phrase);
      withSeen |= isWith;
    }
    return out.toString();
  }

  /** The pattern as a phrase: {@code a track "Order Completed" for user u1 with property revenue=42.5}. */
  @Override
  public String toString() {
    return article + " " + noun + tail();
  }

  private static <T> T requireNonNull(@Nullable T value, String name) {
    return Objects.requireNonNull(value, name + " == null");
  }
}
