package dev.analytics4j;

import dev.analytics4j.internal.ContextScopes;
import dev.analytics4j.internal.FrozenMap;
import dev.analytics4j.internal.MessageEncoder;
import dev.analytics4j.internal.RequestData;
import dev.analytics4j.internal.SmallMap;
import dev.analytics4j.internal.Values;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a unit of work (a request, a Kafka record, a job step) says about every message enqueued
 * while it runs: the user, and properties and context shared by all its events. Opened as a scope,
 * like SLF4J's MDC or OpenTelemetry's {@code Context}:
 *
 * <pre>{@code
 * try (AnalyticsContext.Scope scope = analytics.context().userId("u1").property("tenant", "acme").open()) {
 *   analytics.enqueue(TrackMessage.builder("Report Exported"));   // userId u1, tenant acme
 * }
 * }</pre>
 *
 * <p><b>Whose, and where.</b> A scope belongs to one client and one thread: the client that opened
 * it applies it to the messages enqueued on that thread until it is closed. To carry it to another
 * thread, wrap the task ({@link Analytics#wrap(Runnable)}, {@link Analytics#wrap(java.util.concurrent.Executor)}),
 * or take {@link Analytics#currentContext()} and {@link Analytics#attach(AnalyticsContext)} it there
 * (reactive code does this around each callback). Scopes nest: an inner scope starts from the one
 * around it, its values win, and closing it brings the outer one back.
 *
 * <p><b>What wins.</b> The message's own fields, then the scope's, then {@code defaultContext}, then
 * the Spring Boot starter's request data. A builder passed to {@code enqueue}/{@code offer} that
 * names no user gets the scope's {@code userId}/{@code anonymousId} (the builder itself is left as it
 * was); a message built beforehand keeps its own. The scope's properties go into track, page and
 * screen messages where the message has no such key; its context into every message's context,
 * maps merging key by key at every depth (a value that is not a map on either side: the message's
 * wins whole). {@code defaultContext} then fills top-level context keys absent from both, and the
 * starter's request data (a layer of the scope it opens per request) those absent from all three.
 *
 * <p>Immutable, nested maps and lists included (the builder copies them); values are checked like
 * a message's when a message is encoded with them.
 */
public final class AnalyticsContext {
  static final AnalyticsContext EMPTY = new AnalyticsContext(null, null, Collections.emptyMap(), Collections.emptyMap());

  private final @Nullable String userId;
  private final @Nullable String anonymousId;
  private final Map<String, @Nullable Object> properties;
  private final Map<String, @Nullable Object> context;
  /**
   * The Spring Boot starter's request data (ip, userAgent, locale, page): top-level context keys
   * under {@code defaultContext}, set through {@link RequestData} alone.
   */
  private final Map<String, @Nullable Object> requestData;

  AnalyticsContext(@Nullable String userId, @Nullable String anonymousId, Map<String, @Nullable Object> properties,
      Map<String, @Nullable Object> context) {
    this(userId, anonymousId, properties, context, Collections.emptyMap());
  }

  private AnalyticsContext(@Nullable String userId, @Nullable String anonymousId,
      Map<String, @Nullable Object> properties, Map<String, @Nullable Object> context,
      Map<String, @Nullable Object> requestData) {
    this.userId = userId;
    this.anonymousId = anonymousId;
    this.properties = properties;
    this.context = context;
    this.requestData = requestData;
  }

  public @Nullable String userId() {
    return userId;
  }

  public @Nullable String anonymousId() {
    return anonymousId;
  }

  /** Properties shared by the track, page and screen messages of the scope; unmodifiable. */
  public Map<String, @Nullable Object> properties() {
    return properties;
  }

  /** Context shared by every message of the scope; unmodifiable. */
  public Map<String, @Nullable Object> context() {
    return context;
  }

  public boolean isEmpty() {
    return userId == null && anonymousId == null && properties.isEmpty() && context.isEmpty() && requestData.isEmpty();
  }

  /** Context keys that fill in under {@code defaultContext}; empty unless the starter set them. */
  Map<String, @Nullable Object> requestData() {
    return requestData;
  }

  /** This context with {@code inner}'s values over it: what a scope nested in this one holds. */
  AnalyticsContext with(AnalyticsContext inner) {
    if (isEmpty()) return inner;
    if (inner.isEmpty()) return this;
    return new AnalyticsContext(
        inner.userId != null || inner.anonymousId != null ? inner.userId : userId,
        inner.userId != null || inner.anonymousId != null ? inner.anonymousId : anonymousId,
        unmodifiable(merge(inner.properties, properties, false)),
        unmodifiable(merge(inner.context, context, true)),
        unmodifiable(merge(inner.requestData, requestData, false)));
  }

  /**
   * {@code high} over {@code low}: {@code high}'s keys win; with {@code deep}, two maps under one key
   * merge the same way. A map with keys other than strings, or nested deeper than the encoder
   * accepts (a cycle), is not merged: {@code high}'s value is kept whole, and the encoder names what
   * is wrong with it.
   */
  static Map<String, @Nullable Object> merge(Map<String, ?> high, Map<String, ?> low, boolean deep) {
    return merge(high, low, deep, 1);
  }

  private static Map<String, @Nullable Object> merge(Map<String, ?> high, Map<String, ?> low, boolean deep,
      int depth) {
    if (low.isEmpty()) return castMap(high);
    if (high.isEmpty()) return castMap(low);
    Map<String, @Nullable Object> merged = new LinkedHashMap<>(low);
    for (Map.Entry<String, ?> entry : high.entrySet()) {
      Object value = entry.getValue();
      Object under = merged.get(entry.getKey());
      if (deep && value instanceof Map && under instanceof Map && depth < MessageEncoder.MAX_DEPTH
          && Values.stringKeyed((Map<?, ?>) value) && Values.stringKeyed((Map<?, ?>) under)) {
        value = merge(castMap((Map<?, ?>) value), castMap((Map<?, ?>) under), true, depth + 1);
      }
      merged.put(entry.getKey(), value);
    }
    return merged;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, @Nullable Object> castMap(Map<?, ?> map) {
    return (Map<String, @Nullable Object>) map;
  }

  private static <V> Map<String, V> unmodifiable(Map<String, V> map) {
    return map.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(map);
  }

  @Override
  public String toString() {
    return "AnalyticsContext{"
        + (userId != null ? "userId=" + userId + ", " : "")
        + (anonymousId != null ? "anonymousId=" + anonymousId + ", " : "")
        + "properties=" + properties.keySet() + ", context=" + context.keySet()
        + (requestData.isEmpty() ? "" : ", requestData=" + requestData.keySet()) + "}";
  }

  /** {@code context} with {@code requestData} (copied deeply) as its lowest layer; see {@link RequestData}. */
  static AnalyticsContext withRequestData(AnalyticsContext context, Map<String, ?> requestData) {
    Map<String, @Nullable Object> copy = Values.copy(requestData, true);
    return new AnalyticsContext(context.userId, context.anonymousId, context.properties, context.context, copy);
  }

  /** An open context: closing it brings back the one that was current when it was opened. */
  public interface Scope extends AutoCloseable {
    /**
     * Restores the context this scope replaced, on the thread that opened it. Closing twice, or
     * from another thread, changes nothing and logs a WARN; closing an outer scope before an inner
     * one restores the outer one's predecessor all the same, with a WARN, and closing the inner one
     * afterwards changes nothing (a closed scope never comes back).
     */
    @Override
    void close();
  }

  /** Values for a new scope of one client, from {@link Analytics#context()}. */
  public static final class Builder {
    private final ContextScopes scopes;
    private @Nullable String userId;
    private @Nullable String anonymousId;
    /** Made on first use: a scope of a user alone allocates none. */
    private @Nullable Entries properties;
    private @Nullable Entries context;

    Builder(ContextScopes scopes) {
      this.scopes = scopes;
    }

    public Builder userId(String userId) {
      this.userId = requireNonBlank(userId, "userId");
      return this;
    }

    public Builder anonymousId(String anonymousId) {
      this.anonymousId = requireNonBlank(anonymousId, "anonymousId");
      return this;
    }

    public Builder property(String key, @Nullable Object value) {
      Objects.requireNonNull(key, "key == null");
      if (properties == null) properties = new Entries();
      properties.put(key, value);
      return this;
    }

    public Builder properties(Map<String, ?> properties) {
      Objects.requireNonNull(properties, "properties == null");
      for (Map.Entry<String, ?> entry : properties.entrySet()) property(entry.getKey(), entry.getValue());
      return this;
    }

    /** A context key, such as {@code "ip"}, {@code "locale"} or a map under {@code "page"}. */
    public Builder context(String key, @Nullable Object value) {
      Objects.requireNonNull(key, "key == null");
      if (context == null) context = new Entries();
      context.put(key, value);
      return this;
    }

    public Builder context(Map<String, ?> context) {
      Objects.requireNonNull(context, "context == null");
      for (Map.Entry<String, ?> entry : context.entrySet()) context(entry.getKey(), entry.getValue());
      return this;
    }

    /** These values over the current scope's, as a context; nothing is opened. */
    public AnalyticsContext build() {
      AnalyticsContext values = new AnalyticsContext(userId, anonymousId, frozen(properties), frozen(context));
      return scopes.current().with(values);
    }

    /** Makes {@link #build()} the current context of this client on this thread until closed. */
    public Scope open() {
      return scopes.open(new AnalyticsContext(userId, anonymousId, frozen(properties), frozen(context)));
    }

    /**
     * A deep, unmodifiable copy: the builder may go on and open another scope, and the caller may
     * change the maps it passed, without changing a scope that every thread it is carried to reads.
     */
    private static Map<String, @Nullable Object> frozen(@Nullable Entries entries) {
      return entries == null ? Collections.emptyMap() : entries.frozen();
    }

    private static String requireNonBlank(@Nullable String value, String name) {
      // The message made only when it is needed: a scope is often opened for every request.
      if (value == null) throw new NullPointerException(name + " == null");
      if (value.trim().isEmpty()) throw new IllegalArgumentException(name + " must not be blank");
      return value;
    }

    /**
     * A builder's keys and values in the order first put, a key put again keeping its place (as a
     * LinkedHashMap does): in one small array while there are at most {@link SmallMap#MAX_SIZE},
     * since a scope is often opened for every request with a key or two.
     */
    private static final class Entries {
      /** Exactly one entry's room at first: a scope's property or two, frozen without a copy when full. */
      private @Nullable Object[] array = new Object[2];
      /**
       * Twice the number of entries; negated while a SmallMap made by {@link #frozen()} shares
       * {@code array}, which the next change then copies first (a sign, not a flag: a field less).
       */
      private int length;
      /** Past {@link SmallMap#MAX_SIZE} keys: the array is moved here, and is no longer used. */
      private @Nullable Map<String, @Nullable Object> many;

      void put(String key, @Nullable Object value) {
        if (many != null) {
          many.put(key, value);
          return;
        }
        if (length < 0) {
          // The builder goes on after open(): the scope it opened keeps its array.
          array = array.clone();
          length = -length;
        }
        for (int i = 0; i < length; i += 2) {
          if (key.equals(array[i])) {
            array[i + 1] = value;
            return;
          }
        }
        if (length == SmallMap.MAX_SIZE * 2) {
          many = asMap();
          many.put(key, value);
          return;
        }
        if (length == array.length) array = Arrays.copyOf(array, length * 2);
        array[length] = key;
        array[length + 1] = value;
        length += 2;
      }

      private Map<String, @Nullable Object> asMap() {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        for (int i = 0; i < length; i += 2) map.put((String) array[i], array[i + 1]);
        return map;
      }

      /**
       * A deep, unmodifiable copy. Flat values (the usual ids and names) need no deep copy: a small
       * array, where an unmodifiable LinkedHashMap takes a node per entry, a table and a wrapper.
       */
      Map<String, @Nullable Object> frozen() {
        if (many != null) return flat(many.values()) ? FrozenMap.copyOf(many) : Values.copy(many, true);
        for (int i = 1; i < length; i += 2) if (isContainer(array[i])) return Values.copy(asMap(), true);
        if (length < 0) return SmallMap.ownerOf(array); // shared already, and unchanged since
        if (length < array.length) return SmallMap.ownerOf(Arrays.copyOf(array, length));
        length = -length;
        return SmallMap.ownerOf(array);
      }

      private static boolean flat(Collection<?> values) {
        for (Object value : values) if (isContainer(value)) return false;
        return true;
      }

      private static boolean isContainer(@Nullable Object value) {
        return value instanceof Map || value instanceof Collection || value instanceof Object[];
      }
    }
  }
}
