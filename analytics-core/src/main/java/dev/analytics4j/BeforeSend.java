package dev.analytics4j;

import dev.analytics4j.internal.MessageEncoder;
import dev.analytics4j.messages.Message;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A hook run on every message before it is encoded, on the thread that enqueues it (a slow hook
 * slows the caller): it may change the message's user-controlled fields (to enrich it, or to redact
 * personal data) or drop it. Registered with {@link Analytics.Builder#beforeSend}; hooks run in the
 * order they were added, each seeing what the one before it left.
 *
 * <p>A hook sees and changes only {@link Fields}: the type, {@code messageId}, timestamp, write key
 * and the batch envelope are out of its reach. A message a hook drops is reported as dropped with
 * {@link DropReason#BEFORE_SEND} and never encoded (its report carries the type and messageId, and
 * {@code json()} is {@code {}}). A hook that throws, or leaves fields that do not make a valid
 * message, fails that message alone: it is dropped with {@link DropReason#BEFORE_SEND_FAILED} and a
 * WARN says why; the caller made no mistake, so {@code enqueue} does not throw. Messages read back
 * from a spool were hooked when first enqueued and are not hooked again.
 */
@FunctionalInterface
public interface BeforeSend {
  /** Changes {@code message}, or calls {@link Fields#drop(String)}. */
  void apply(Fields message);

  /**
   * Removes every key matching {@code keys} (with {@link java.util.regex.Matcher#find()}, so
   * {@code "token|secret"} removes {@code "apiToken"}) from properties, traits and context, at every
   * depth, inside lists, sets and arrays too (a map whose keys are not strings keeps its entries).
   * Maps are copied, never changed in place.
   */
  static BeforeSend redactKeys(Pattern keys) {
    Objects.requireNonNull(keys, "keys == null");
    return message -> {
      // The redacted copies are the hook's copies: Fields need not make its own first.
      // Read from the message's map when no hook before this one changed it: no copy to copy from.
      message.payload = redact(HookMap.sent(message.payload), keys, 1);
      message.payloadCopied = true;
      message.context = redact(HookMap.sent(message.context), keys, 1);
      message.contextCopied = true;
    };
  }

  /**
   * Writes Segment's consent object, {@code context.consent.categoryPreferences}, from the consent
   * {@code lookup} gives for each message (null: the message is left as it is), and, where that
   * consent names destinations, their {@code integrations} flags.
   */
  static BeforeSend consent(Function<Fields, @Nullable Consent> lookup) {
    Objects.requireNonNull(lookup, "lookup == null");
    return message -> {
      Consent consent = lookup.apply(message);
      if (consent == null) return;
      Map<String, Object> preferences = new LinkedHashMap<>();
      preferences.put("categoryPreferences", consent.categories());
      message.context().put("consent", preferences);
      message.integrations().putAll(consent.integrations());
    };
  }

  /**
   * The fields of one message a hook may read and change. Its maps are the hook's own: change them
   * freely, nested maps too, while {@link #apply} runs (not later: the message is encoded from them as
   * soon as the hooks return). Each is a deep copy of the message's, made when a hook first changes it
   * or reads a nested map, list or array from it: a hook that only reads, or that adds a key to one
   * map, copies nothing else.
   */
  final class Fields {
    final Message message;
    @Nullable String userId;
    @Nullable String anonymousId;
    @Nullable String name;
    /** The message's maps until a hook asks for one; then {@link HookMap}s over them (or a redactor's copies). */
    Map<String, @Nullable Object> payload;
    Map<String, @Nullable Object> context;
    Map<String, Object> integrations;
    private final boolean payloadOwned;
    private final boolean contextOwned;
    /** Whether {@code payload} is a map hooks may change: a {@link HookMap}, or a redactor's copy. */
    boolean payloadCopied;
    boolean contextCopied;
    @Nullable String dropReason;

    /** {@code payload} and {@code context} are the engine's own copies when owned, else copied on first use. */
    Fields(Message message, @Nullable String name, Map<String, @Nullable Object> payload, boolean payloadOwned,
        Map<String, @Nullable Object> context, boolean contextOwned) {
      this.message = message;
      this.userId = message.userId();
      this.anonymousId = message.anonymousId();
      this.name = name;
      this.payload = payload;
      this.context = context;
      this.integrations = message.integrations();
      this.payloadOwned = payloadOwned;
      this.contextOwned = contextOwned;
    }

    public Message.Type type() {
      return message.type();
    }

    public String messageId() {
      return message.messageId();
    }

    public Instant timestamp() {
      return message.timestamp();
    }

    public @Nullable String userId() {
      return userId;
    }

    /** Replaces the userId (hashed, say); null removes it, which needs an anonymousId left. */
    public void userId(@Nullable String userId) {
      this.userId = userId;
    }

    public @Nullable String anonymousId() {
      return anonymousId;
    }

    public void anonymousId(@Nullable String anonymousId) {
      this.anonymousId = anonymousId;
    }

    /** The event of a track, the name of a page or screen; null for the other types. */
    public @Nullable String name() {
      return name;
    }

    /** Renames a track's event or a page's or screen's name; ignored for the other types. */
    public void name(String name) {
      this.name = Objects.requireNonNull(name, "name == null");
    }

    /** A track's, page's or screen's properties; an identify's or group's traits; empty for an alias. */
    public Map<String, @Nullable Object> properties() {
      if (!payloadCopied) {
        payload = new HookMap<>(payload, payloadOwned);
        payloadCopied = true;
      }
      return payload;
    }

    /**
     * The message's context, with the scope's and {@code defaultContext}'s under it, as it will be
     * sent; {@code library} is always the client's, whatever is put here.
     */
    public Map<String, @Nullable Object> context() {
      if (!contextCopied) {
        context = new HookMap<>(context, contextOwned);
        contextCopied = true;
      }
      return context;
    }

    /** Destination name to {@code Boolean} or a map of options. */
    public Map<String, Object> integrations() {
      // No flag: a field less keeps this object (one per hooked message) at 48 bytes, not 56.
      if (!(integrations instanceof HookMap)) integrations = new HookMap<>(integrations, false);
      return integrations;
    }

    /** Drops the message: it is not sent, and is reported with {@link DropReason#BEFORE_SEND}. */
    public void drop(String reason) {
      this.dropReason = Objects.requireNonNull(reason, "reason == null");
    }
  }

  /** A user's consent per category, for {@link #consent}: e.g. Advertising denied, Analytics allowed. */
  final class Consent {
    private final Map<String, Boolean> categories;
    private final Map<String, Boolean> integrations;

    private Consent(Map<String, Boolean> categories, Map<String, Boolean> integrations) {
      this.categories = categories;
      this.integrations = integrations;
    }

    public static Builder builder() {
      return new Builder();
    }

    /** Category to whether the user consented; written as {@code categoryPreferences}. */
    public Map<String, Boolean> categories() {
      return categories;
    }

    /** Destination to whether it may receive the message; written into {@code integrations}. */
    public Map<String, Boolean> integrations() {
      return integrations;
    }

    public static final class Builder {
      private final Map<String, Boolean> categories = new LinkedHashMap<>();
      private final Map<String, Boolean> integrations = new LinkedHashMap<>();

      public Builder category(String category, boolean consented) {
        categories.put(requireNonBlank(category, "category"), consented);
        return this;
      }

      public Builder integration(String destination, boolean enabled) {
        integrations.put(requireNonBlank(destination, "destination"), enabled);
        return this;
      }

      public Consent build() {
        return new Consent(Collections.unmodifiableMap(new LinkedHashMap<>(categories)),
            Collections.unmodifiableMap(new LinkedHashMap<>(integrations)));
      }

      private static String requireNonBlank(@Nullable String value, String name) {
        Objects.requireNonNull(value, name + " == null");
        if (value.trim().isEmpty()) throw new IllegalArgumentException(name + " must not be blank");
        return value;
      }
    }
  }

  /**
   * A copy of {@code map} without the keys matching {@code keys}, at every depth, inside maps,
   * collections and arrays alike (a Set or an array is written as a JSON array too). What is nested
   * deeper than the encoder accepts (a cycle) is left as it is: the encoder refuses it.
   */
  private static Map<String, @Nullable Object> redact(Map<?, ?> map, Pattern keys, int depth) {
    Map<String, @Nullable Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object key = entry.getKey();
      if (key instanceof String && keys.matcher((String) key).find()) continue;
      @SuppressWarnings("unchecked")
      Map<Object, @Nullable Object> untyped = (Map<Object, @Nullable Object>) (Map<?, ?>) copy;
      untyped.put(key, redactValue(entry.getValue(), keys, depth + 1));
    }
    return copy;
  }

  private static @Nullable Object redactValue(@Nullable Object value, Pattern keys, int depth) {
    if (depth > MessageEncoder.MAX_DEPTH + 2) return value;
    if (value instanceof Map) return redact((Map<?, ?>) value, keys, depth);
    if (value instanceof java.util.Collection) {
      List<@Nullable Object> copy = new ArrayList<>();
      for (Object element : (java.util.Collection<?>) value) copy.add(redactValue(element, keys, depth + 1));
      return copy;
    }
    if (value instanceof Object[]) {
      Object[] copy = ((Object[]) value).clone();
      for (int i = 0; i < copy.length; i++) copy[i] = redactValue(copy[i], keys, depth + 1);
      return copy;
    }
    return value;
  }
}
