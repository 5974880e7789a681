package dev.analytics4j.micrometer;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Publishes what one {@link Analytics} client does to Micrometer. It is the client's listener and a
 * {@link MeterBinder}: pass it to the builder, then bind it to any registry.
 *
 * <pre>{@code
 * AnalyticsMeterBinder meters = new AnalyticsMeterBinder();
 * Analytics analytics = Analytics.builder(writeKey).listener(meters).build();
 * meters.client(analytics).bindTo(registry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code analytics4j.messages}</td><td>counter</td><td>{@code outcome}, {@code reason}</td>
 *     <td>messages by outcome: {@code sent} (reason {@code none}), {@code failed} (reason: the class
 *     of the last answer, {@code 4xx}, {@code 5xx}, ... or {@code network}), {@code dropped} (reason
 *     {@code queue_full}, {@code closed}, {@code close_timeout} or {@code disabled})</td></tr>
 *   <tr><td>{@code analytics4j.messages.enqueued}</td><td>counter</td><td></td>
 *     <td>valid messages passed to {@code enqueue} or {@code offer}</td></tr>
 *   <tr><td>{@code analytics4j.requests}</td><td>timer</td><td>{@code status}</td>
 *     <td>HTTP requests and their latency, by status class: {@code 2xx}, {@code 3xx}, {@code 4xx},
 *     {@code 5xx}, or {@code network} when there was no response</td></tr>
 *   <tr><td>{@code analytics4j.retries}</td><td>counter</td><td></td>
 *     <td>requests scheduled again after a retryable answer or a network error</td></tr>
 *   <tr><td>{@code analytics4j.queued.messages}</td><td>gauge</td><td></td>
 *     <td>{@link Metrics#queuedMessages()}: messages held in memory whose outcome is not known
 *     yet, waiting or in flight; not those waiting only in a spool</td></tr>
 *   <tr><td>{@code analytics4j.queued.bytes}</td><td>gauge (bytes)</td><td></td>
 *     <td>{@link Metrics#queuedBytes()}: their serialized size</td></tr>
 * </table>
 * The gauges carry the names of the {@link Metrics} accessors they show, and the health details of
 * the Spring Boot starter the same names again. They read the client's {@link Metrics} once
 * {@link #client(Analytics)} names it. Before that they count from this listener's reports, which
 * gives the same numbers for a client without a spool; with a spool they would also count what
 * waits on disk only ({@link Metrics#spooledMessages()}), so name the client.
 *
 * <p>Counters and gauges count from the moment the client is built, whenever the binder is bound;
 * request timings are recorded in the registries bound at the time. Binding twice to one registry
 * changes nothing, and a registry bound both by itself and inside a bound
 * {@link CompositeMeterRegistry} (such as {@code Metrics.globalRegistry}) times each request once.
 * Use one binder per client; to tell several clients apart, give each binder a tag such as
 * {@code client}.
 */
public final class AnalyticsMeterBinder extends AnalyticsListener implements MeterBinder {
  /** Status class tag value of a request that got no response. */
  static final String NETWORK = "network";

  private final Tags tags;
  private final LongAdder enqueued = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
  private final EnumMap<DropReason, LongAdder> dropped = new EnumMap<>(DropReason.class);
  private final LongAdder retries = new LongAdder();
  private final LongAdder heldBytes = new LongAdder();
  private final List<Requests> registries = new CopyOnWriteArrayList<>();
  /**
   * The drop reasons only a client with a spool or a beforeSend hook can have: registered when one
   * first happens, so a client without them shows exactly the meters it always did.
   */
  private static final EnumSet<DropReason> SPOOL_REASONS = EnumSet.of(DropReason.SPOOL_FULL,
      DropReason.SPOOL_ERROR, DropReason.SPOOLED, DropReason.BEFORE_SEND, DropReason.BEFORE_SEND_FAILED);
  private final Set<DropReason> spoolReasonsSeen = ConcurrentHashMap.newKeySet();
  private final List<MeterRegistry> bound = new CopyOnWriteArrayList<>();
  private volatile @Nullable Analytics client;

  /** A binder whose meters carry no tags of their own. */
  public AnalyticsMeterBinder() {
    this(Tags.empty());
  }

  /** A binder whose meters all carry {@code tags}, for example {@code Tags.of("client", "orders")}. */
  public AnalyticsMeterBinder(Iterable<Tag> tags) {
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags == null"));
    for (DropReason reason : DropReason.values()) dropped.put(reason, new LongAdder());
    // Registered up front, so dashboards show the usual failure classes at 0 before the first one.
    for (String statusClass : new String[] {"4xx", "5xx", NETWORK}) failed.put(statusClass, new LongAdder());
  }

  /**
   * Makes the queue gauges read {@code analytics.metrics()}, the client this binder listens to, so
   * they show exactly what {@link Metrics} shows, with or without a spool. Returns this binder.
   */
  public AnalyticsMeterBinder client(Analytics analytics) {
    this.client = Objects.requireNonNull(analytics, "analytics == null");
    return this;
  }

  /** Registers the meters in {@code registry}; a registry it is already bound to is left as it is. */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry == null");
    // Counters and gauges would come back as the same meters, but the request timers are recorded
    // once per bound registry: a second binding would count every request twice.
    for (MeterRegistry already : bound) {
      if (already == registry) return;
    }
    // Bound before the failure classes are read: a class first counted meanwhile is registered here
    // by messageFailed, or found in the map below.
    bound.add(registry);
    FunctionCounter.builder("analytics4j.messages.enqueued", enqueued, LongAdder::sum)
        .description("Valid messages passed to enqueue or offer")
        .tags(tags)
        .register(registry);
    messages(registry, "sent", "none", sent);
    for (Map.Entry<String, LongAdder> e : failed.entrySet()) messages(registry, "failed", e.getKey(), e.getValue());
    for (Map.Entry<DropReason, LongAdder> e : dropped.entrySet()) {
      if (SPOOL_REASONS.contains(e.getKey()) && !spoolReasonsSeen.contains(e.getKey())) continue;
      messages(registry, "dropped", tagValue(e.getKey()), e.getValue());
    }
    FunctionCounter.builder("analytics4j.retries", retries, LongAdder::sum)
        .description("Requests scheduled again after a retryable answer or a network error")
        .tags(tags)
        .register(registry);
    Gauge.builder("analytics4j.queued.messages", this, AnalyticsMeterBinder::queuedMessages)
        .description("Messages held in memory whose outcome is not known yet: waiting or in flight")
        .tags(tags)
        .register(registry);
    Gauge.builder("analytics4j.queued.bytes", this, AnalyticsMeterBinder::queuedBytes)
        .description("Serialized size of the messages held in memory whose outcome is not known yet")
        .baseUnit(BaseUnits.BYTES)
        .tags(tags)
        .register(registry);
    Requests requests = new Requests(registry, tags);
    requests.timer("2xx"); // the common case exists before the first request ends
    registries.add(requests);
  }

  // Base units only where the name does not end in one already: Prometheus appends them, and
  // "analytics4j_retries_requests_total" would help nobody.
  private void messages(MeterRegistry registry, String outcome, String reason, LongAdder count) {
    FunctionCounter.builder("analytics4j.messages", count, LongAdder::sum)
        .description("Messages by outcome: sent, failed or dropped, and why")
        .baseUnit("messages")
        .tags(tags)
        .tag("outcome", outcome)
        .tag("reason", reason)
        .register(registry);
  }

  private double queuedMessages() {
    Analytics analytics = client;
    if (analytics != null) return analytics.metrics().queuedMessages();
    long settled = sent.sum() + failed.values().stream().mapToLong(LongAdder::sum).sum()
        + dropped.values().stream().mapToLong(LongAdder::sum).sum();
    // Outcomes may be read a moment after their message was counted in: never show less than 0.
    return Math.max(0, enqueued.sum() - settled);
  }

  private double queuedBytes() {
    Analytics analytics = client;
    if (analytics != null) return analytics.metrics().queuedBytes();
    return Math.max(0, heldBytes.sum());
  }

  @Override
  public void messageEnqueued(EncodedMessage message) {
    heldBytes.add(message.size());
    enqueued.increment();
  }

  @Override
  public void messageDelivered(EncodedMessage message) {
    sent.increment();
    heldBytes.add(-message.size());
  }

  @Override
  public void messageFailed(EncodedMessage message, Failure failure) {
    String statusClass = statusClass(failure.statusCode());
    LongAdder count = failed.get(statusClass);
    if (count == null) {
      // A class not registered up front (a 3xx, say): in the map first, then registered where bound,
      // so a bindTo running meanwhile finds it in one place or the other.
      count = failed.computeIfAbsent(statusClass, c -> new LongAdder());
      for (MeterRegistry registry : bound) messages(registry, "failed", statusClass, count);
    }
    count.increment();
    heldBytes.add(-message.size());
  }

  @Override
  public void messageDropped(EncodedMessage message, DropReason reason) {
    dropped.get(reason).increment();
    if (SPOOL_REASONS.contains(reason) && spoolReasonsSeen.add(reason)) {
      // Registering the same meter again (a bindTo racing this) returns the one registered.
      for (MeterRegistry registry : bound) messages(registry, "dropped", tagValue(reason), dropped.get(reason));
    }
    heldBytes.add(-message.size());
  }

  @Override
  public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
    record(statusClass(statusCode), latencyNanos);
  }

  @Override
  public void requestFailed(int messageCount, int attempt, Exception error, long latencyNanos) {
    record(NETWORK, latencyNanos);
  }

  @Override
  public void retryScheduled(int messageCount, int nextAttempt, long delayNanos) {
    retries.increment();
  }

  private void record(String statusClass, long latencyNanos) {
    for (Requests requests : registries) {
      // A registry that a bound composite holds gets the timing through the composite's timer.
      if (heldByAnotherBound(requests.registry)) continue;
      requests.timer(statusClass).record(latencyNanos, TimeUnit.NANOSECONDS);
    }
  }

  private boolean heldByAnotherBound(MeterRegistry registry) {
    for (Requests other : registries) {
      if (other.registry != registry && holds(other.registry, registry)) return true;
    }
    return false;
  }

  /** Whether {@code registry} is inside {@code composite}, at any depth (composites refuse cycles). */
  private static boolean holds(MeterRegistry composite, MeterRegistry registry) {
    if (!(composite instanceof CompositeMeterRegistry)) return false;
    for (MeterRegistry child : ((CompositeMeterRegistry) composite).getRegistries()) {
      if (child == registry || holds(child, registry)) return true;
    }
    return false;
  }

  static String statusClass(int statusCode) {
    return statusCode <= 0 ? NETWORK : (statusCode / 100) + "xx";
  }

  private static String tagValue(DropReason reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "AnalyticsMeterBinder{tags=" + tags + ", registries=" + registries.size() + "}";
  }

  /** The request timers of one registry, by status class. */
  private static final class Requests {
    final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    Requests(MeterRegistry registry, Tags tags) {
      this.registry = registry;
      this.tags = tags;
    }

    Timer timer(String statusClass) {
      return timers.computeIfAbsent(statusClass, status -> Timer.builder("analytics4j.requests")
          .description("HTTP requests to the Tracking API, by status class")
          .tags(tags)
          .tag("status", status)
          .register(registry));
    }
  }
}
