package dev.analytics4j;

import dev.analytics4j.messages.Message;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client: validates and serializes each message on the caller's thread, holds it in a bounded
 * queue, and sends batches to {@code {host}/v1/batch} from its own threads.
 *
 * <pre>{@code
 * Analytics analytics = Analytics.builder(writeKey).build();
 * analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(props));
 * ...
 * analytics.close(); // sends what is queued, within closeTimeout
 * }</pre>
 *
 * <p>Every accepted message ends in exactly one {@link Callback} call: success, failure or drop.
 * {@code enqueue} never blocks: when the queue is full the message is dropped and reported.
 * Instances are thread-safe; make one per write key and share it.
 */
public final class Analytics implements Closeable {
  private static final Logger logger = LoggerFactory.getLogger(Analytics.class);
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
  /** How long close waits, after its deadline, for the client's threads to end. */
  private static final long THREAD_STOP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** This library's name and version, as sent in {@code context.library}. */
  public static final String LIBRARY_NAME = "analytics4j";
  public static final String VERSION = loadVersion();

  private final String url;
  private final int flushAt;
  private final Duration flushInterval;
  private final int maxQueueSize;
  private final long maxQueueBytes;
  private final int maxInFlightRequests;
  private final boolean gzip;
  private final boolean enabled;
  private final @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;
  private final Duration closeTimeout;
  private final Transport transport;
  private final MessageEncoder encoder;
  private final Reporter reporter;
  private final MessageQueue queue;
  private final Uploader uploader;
  private final Thread flusherThread;
  private final @Nullable Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  private Analytics(Builder builder, String url, Transport transport) {
    this.url = url;
    this.flushAt = builder.flushAt;
    this.flushInterval = builder.flushInterval;
    this.maxQueueSize = builder.maxQueueSize;
    this.maxQueueBytes = builder.maxQueueBytes;
    this.maxInFlightRequests = builder.maxInFlightRequests;
    this.gzip = builder.gzip;
    this.enabled = builder.enabled;
    this.defaultContext = builder.defaultContext;
    this.closeTimeout = builder.closeTimeout;
    this.transport = transport;
    this.encoder = new MessageEncoder(builder.writeKey, LIBRARY_NAME, VERSION);
    this.reporter = new Reporter(builder.callback, builder.listener);
    this.queue = new MessageQueue(maxQueueSize, maxQueueBytes, flushAt, maxInFlightRequests,
        flushInterval.toNanos(), encoder.envelopeSize(), MessageEncoder.MAX_BATCH_BYTES);

    int id = CLIENT_IDS.incrementAndGet();
    ThreadFactory uploadThreads = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-upload-" + id + "-");
    ThreadFactory flusherThreads = builder.threadFactory != null
        ? builder.threadFactory
        : daemonThreads("analytics4j-flusher-" + id);

    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("Authorization", basicAuth(builder.writeKey));
    headers.put("User-Agent", builder.userAgent != null ? builder.userAgent : LIBRARY_NAME + "/" + VERSION);
    if (gzip) headers.put("Content-Encoding", "gzip");
    RetryPolicy policy = new RetryPolicy(builder.maxRetries, builder.initialBackoff,
        builder.maxBackoff, builder.maxRetryDuration, builder.maxRetryAfter,
        builder.maxRetryAfterTotal);
    this.uploader = new Uploader(transport, encoder, policy, reporter, queue, url, headers,
        builder.writeKey, gzip, maxInFlightRequests, uploadThreads);

    this.flusherThread = flusherThreads.newThread(new Flusher(queue, uploader));
    if (flusherThread == null) throw new IllegalStateException("threadFactory returned null");
    if (builder.shutdownHook) {
      Thread hook = new Thread(this::closeFromShutdownHook, "analytics4j-shutdown-" + id);
      Runtime.getRuntime().addShutdownHook(hook);
      this.shutdownHook = hook;
    } else {
      this.shutdownHook = null;
    }
    flusherThread.start();
  }

  /** Starts configuring a client for {@code writeKey}, the source's key from its settings page. */
  public static Builder builder(String writeKey) {
    return new Builder(writeKey);
  }

  /**
   * Builds the message, serializes it, and queues it for sending, without blocking.
   *
   * @throws IllegalArgumentException if the message is invalid or larger than 32,000 bytes
   *     serialized; the message names the field or key path.
   * @throws IllegalStateException after {@link #close()} has started.
   */
  public void enqueue(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    enqueue(message.build());
  }

  /** Like {@link #enqueue(Message.Builder)}, for a message already built. */
  public void enqueue(Message message) {
    Objects.requireNonNull(message, "message == null");
    checkNotClosed();
    EncodedMessage encoded = encode(message);
    // Only a refusal because of close throws; a full queue is a drop, reported like any other.
    if (offer(encoded) == MessageQueue.Offer.CLOSED) {
      throw new IllegalStateException("Analytics is closed");
    }
  }

  /**
   * Like {@link #enqueue(Message.Builder)}, but returns false instead of throwing after close; a
   * message that was not accepted (queue full, or closed) has been reported to the callback as
   * dropped.
   */
  public boolean offer(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    return offer(message.build());
  }

  /** Like {@link #offer(Message.Builder)}, for a message already built. */
  public boolean offer(Message message) {
    Objects.requireNonNull(message, "message == null");
    return offer(encode(message)) == MessageQueue.Offer.ACCEPTED;
  }

  private EncodedMessage encode(Message message) {
    if (defaultContext == null) return encoder.encode(message);
    Map<String, ?> context;
    try {
      context = defaultContext.get();
    } catch (RuntimeException e) {
      logger.warn("defaultContext threw; sending the message without it", e);
      context = null;
    }
    return context == null ? encoder.encode(message) : encoder.encode(message, context);
  }

  private MessageQueue.Offer offer(EncodedMessage encoded) {
    reporter.enqueued(encoded);
    if (!enabled && !closed.get()) {
      reporter.dropped(encoded, DropReason.DISABLED);
      return MessageQueue.Offer.ACCEPTED;
    }
    MessageQueue.Offer offer = queue.offer(encoded);
    if (offer != MessageQueue.Offer.ACCEPTED) {
      reporter.dropped(encoded, offer == MessageQueue.Offer.FULL ? DropReason.QUEUE_FULL : DropReason.CLOSED);
    }
    return offer;
  }

  private void checkNotClosed() {
    if (closed.get()) throw new IllegalStateException("Analytics is closed");
  }

  /**
   * Sends everything enqueued before this call without waiting for {@code flushAt} or the interval.
   * The future completes once each of those messages was delivered or given up (and reported); it
   * never completes exceptionally.
   *
   * @throws IllegalStateException after {@link #close()} has started.
   */
  public CompletableFuture<FlushResult> flush() {
    checkNotClosed();
    return queue.mark().result.copy();
  }

  /**
   * Like {@link #flush()}, waiting at most {@code timeout}. The result is not complete when the
   * timeout passed first; the messages are still being sent then.
   */
  public FlushResult flush(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout == null");
    CompletableFuture<FlushResult> result = flush();
    try {
      return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return new FlushResult(false, 0, 0);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("flush failed", e.getCause());
    }
  }

  /** A snapshot of the counters. */
  public Metrics metrics() {
    return reporter.snapshot(queue.heldMessages(), queue.heldBytes());
  }

  /** Closes within the builder's {@code closeTimeout}; see {@link #close(Duration)}. */
  @Override
  public void close() {
    close(closeTimeout);
  }

  /**
   * Stops taking messages, sends everything queued, and stops the client's threads, within
   * {@code timeout}. Messages still unsent at the deadline are reported to the callback as dropped
   * with {@link DropReason#CLOSE_TIMEOUT} and counted in the metrics. Idempotent: later calls wait
   * for the first to finish, up to their own timeout. Never shuts down an HTTP client passed in.
   */
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    if (!closed.compareAndSet(false, true)) {
      awaitTerminated(timeout);
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down; the hook is running or will find us closed.
      }
    }
    try {
      shutDown(System.nanoTime() + timeout.toNanos(), timeout);
    } finally {
      terminated.countDown();
    }
  }

  private void shutDown(long deadline, Duration timeout) {
    queue.close();
    boolean drained = join(flusherThread, deadline);
    if (!drained) {
      MessageQueue.Abandoned abandoned = queue.abandon();
      int lost = abandoned.pending.size();
      for (EncodedMessage message : abandoned.pending) {
        reporter.dropped(message, DropReason.CLOSE_TIMEOUT);
      }
      for (Batch batch : abandoned.inFlight) {
        lost += batch.size();
        uploader.drop(batch, DropReason.CLOSE_TIMEOUT);
      }
      for (FlushMarker marker : abandoned.markers) marker.seal();
      if (lost > 0) logger.warn("Closed after {} ms with at most {} messages undelivered; each was reported "
          + "to the callback as dropped (CLOSE_TIMEOUT)", timeout.toMillis(), lost);
    }
    uploader.abort();
    try {
      transport.close();
    } catch (RuntimeException e) {
      logger.warn("Closing the transport failed", e);
    }
    // One budget for both waits, so close returns within its deadline plus this even when the
    // transport ignores cancellation; threads still running then are daemons, their batches settled.
    long stopDeadline = System.nanoTime() + THREAD_STOP_WAIT_NANOS;
    try {
      if (!uploader.shutdown(THREAD_STOP_WAIT_NANOS)) {
        logger.warn("Upload threads still running {} ms after close; the transport did not cancel its "
            + "calls", TimeUnit.NANOSECONDS.toMillis(THREAD_STOP_WAIT_NANOS));
      }
      flusherThread.interrupt();
      join(flusherThread, stopDeadline);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    logger.debug("Closed; {}", metrics());
  }

  private static boolean join(Thread thread, long deadline) {
    try {
      while (thread.isAlive()) {
        long remainingNanos = deadline - System.nanoTime();
        if (remainingNanos <= 0) return false;
        thread.join((remainingNanos + 999_999) / 1_000_000);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void awaitTerminated(Duration timeout) {
    try {
      terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeFromShutdownHook() {
    if (closed.get()) return;
    logger.info("JVM shutting down: closing the analytics client, waiting at most {} ms",
        closeTimeout.toMillis());
    close(closeTimeout);
  }

  @Override
  public String toString() {
    return "Analytics{url=" + url + ", flushAt=" + flushAt + ", flushInterval=" + flushInterval
        + ", maxQueueSize=" + maxQueueSize + ", maxQueueBytes=" + maxQueueBytes
        + ", maxInFlightRequests=" + maxInFlightRequests + ", gzip=" + gzip
        + ", closed=" + closed.get() + "}";
  }

  private static String basicAuth(String writeKey) {
    return "Basic " + Base64.getEncoder()
        .encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    boolean numbered = name.endsWith("-");
    return runnable -> {
      Thread thread = new Thread(runnable, numbered ? name + count.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static String loadVersion() {
    try (InputStream in = Analytics.class.getResourceAsStream("version.properties")) {
      if (in == null) throw new IllegalStateException("dev/analytics4j/version.properties is missing");
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Configures an {@link Analytics}. Defaults suit a web backend; see each setter. */
  public static final class Builder {
    private final String writeKey;
    private Region region = Region.US;
    private @Nullable String endpoint;
    private @Nullable String uploadUrl;
    private int flushAt = 250;
    private Duration flushInterval = Duration.ofSeconds(10);
    private int maxQueueSize = 10_000;
    private long maxQueueBytes = 32L * 1024 * 1024;
    private int maxInFlightRequests = 4;
    private int maxRetries = 10;
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private Duration maxRetryDuration = Duration.ofMinutes(5);
    private Duration maxRetryAfter = Duration.ofSeconds(300);
    private Duration maxRetryAfterTotal = Duration.ofMinutes(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(20);
    private @Nullable Transport transport;
    private boolean gzip;
    private Callback callback = Callback.NONE;
    private AnalyticsListener listener = AnalyticsListener.NONE;
    private @Nullable String userAgent;
    private @Nullable ThreadFactory threadFactory;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private boolean shutdownHook = true;
    private boolean enabled = true;
    private @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;

    Builder(String writeKey) {
      Objects.requireNonNull(writeKey, "writeKey == null");
      if (writeKey.trim().isEmpty()) throw new IllegalArgumentException("writeKey must not be blank");
      this.writeKey = writeKey;
    }

    /** The region of the workspace: {@link Region#US} (default) or {@link Region#EU}. */
    public Builder region(Region region) {
      this.region = Objects.requireNonNull(region, "region == null");
      return this;
    }

    /**
     * A host to use instead of the region's, such as a proxy or a compatible collector:
     * {@code "https://collector.example.com"}. The client appends {@code /v1/batch}.
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint == null");
      URI uri = parseHttpUrl(endpoint, "endpoint");
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/v1") || path.endsWith("/v1/") || path.endsWith("/v1/batch")) {
        throw new IllegalArgumentException("endpoint must be a host without /v1 (the client adds "
            + "/v1/batch); use uploadUrl for a full URL: " + endpoint);
      }
      this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
      this.uploadUrl = null;
      return this;
    }

    /** The complete URL to post batches to, for collectors that use another path. */
    public Builder uploadUrl(String uploadUrl) {
      Objects.requireNonNull(uploadUrl, "uploadUrl == null");
      parseHttpUrl(uploadUrl, "uploadUrl");
      this.uploadUrl = uploadUrl;
      this.endpoint = null;
      return this;
    }

    /** Messages per request, 1..2500 (the API's limit); default 250. */
    public Builder flushAt(int flushAt) {
      if (flushAt < 1 || flushAt > 2500) {
        throw new IllegalArgumentException("flushAt must be in 1..2500: " + flushAt);
      }
      this.flushAt = flushAt;
      return this;
    }

    /** The longest a message waits for its batch to fill before it is sent anyway; default 10 s. */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = positive(flushInterval, "flushInterval");
      return this;
    }

    /** Most messages held, waiting or in flight, before new ones are dropped; default 10,000. */
    public Builder maxQueueSize(int maxQueueSize) {
      if (maxQueueSize < 1) throw new IllegalArgumentException("maxQueueSize must be at least 1: " + maxQueueSize);
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /** Most serialized bytes held, waiting or in flight, before new messages are dropped; default 32 MiB. */
    public Builder maxQueueBytes(long maxQueueBytes) {
      if (maxQueueBytes < 1) throw new IllegalArgumentException("maxQueueBytes must be at least 1: " + maxQueueBytes);
      this.maxQueueBytes = maxQueueBytes;
      return this;
    }

    /** Most requests in flight at once, 1..64; default 4, so one slow request does not stall the rest. */
    public Builder maxInFlightRequests(int maxInFlightRequests) {
      if (maxInFlightRequests < 1 || maxInFlightRequests > 64) {
        throw new IllegalArgumentException("maxInFlightRequests must be in 1..64: " + maxInFlightRequests);
      }
      this.maxInFlightRequests = maxInFlightRequests;
      return this;
    }

    /** Counted retries of a batch after network errors and retryable statuses; default 10. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0 || maxRetries > 1000) {
        throw new IllegalArgumentException("maxRetries must be in 0..1000: " + maxRetries);
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** The first and the largest wait between counted retries; default 500 ms and 60 s. */
    public Builder retryBackoff(Duration initial, Duration max) {
      positive(initial, "initial backoff");
      positive(max, "max backoff");
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("max backoff must not be less than initial backoff: " + max + " < " + initial);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** The total time a batch may spend on counted retries; default 5 minutes. */
    public Builder maxRetryDuration(Duration maxRetryDuration) {
      this.maxRetryDuration = positive(maxRetryDuration, "maxRetryDuration");
      return this;
    }

    /**
     * The longest single wait a {@code Retry-After} may impose (default 300 s), and the total of such
     * waits for one batch (default 10 minutes).
     */
    public Builder maxRetryAfter(Duration perWait, Duration total) {
      this.maxRetryAfter = nonNegative(perWait, "maxRetryAfter");
      this.maxRetryAfterTotal = nonNegative(total, "maxRetryAfter total");
      return this;
    }

    /** Connect timeout of the default transport; default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = nonNegative(connectTimeout, "connectTimeout");
      return this;
    }

    /** Read timeout of the default transport; default 20 s. */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = nonNegative(readTimeout, "readTimeout");
      return this;
    }

    /**
     * The transport to send with, for example {@code OkHttpTransport.create(myOkHttpClient)} for
     * proxies, timeouts or interceptors. The client closes it when it closes; OkHttp's transport
     * then cancels its own calls and never shuts down a client passed to it. By default the
     * transport is found with {@link ServiceLoader} (add {@code analytics-okhttp}).
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport == null");
      return this;
    }

    /** Compresses request bodies with gzip; default off. */
    public Builder gzip(boolean gzip) {
      this.gzip = gzip;
      return this;
    }

    /** Told the outcome of every message; default {@link Callback#NONE}. */
    public Builder callback(Callback callback) {
      this.callback = Objects.requireNonNull(callback, "callback == null");
      return this;
    }

    /** Told about every message and HTTP request, for metrics; default {@link AnalyticsListener#NONE}. */
    public Builder listener(AnalyticsListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Context added to every message, asked for on the enqueuing thread as each message is enqueued;
     * the message's own context keys win, and {@code library} is always the client's. For what is
     * known only then, such as the current web request's {@code ip} and {@code userAgent}. Values
     * are checked like the message's own; a supplier that returns null or throws adds nothing.
     */
    public Builder defaultContext(Supplier<? extends @Nullable Map<String, ?>> defaultContext) {
      this.defaultContext = Objects.requireNonNull(defaultContext, "defaultContext == null");
      return this;
    }

    /** The {@code User-Agent} header; default {@code analytics4j/<version>}. */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent == null");
      if (userAgent.trim().isEmpty()) throw new IllegalArgumentException("userAgent must not be blank");
      this.userAgent = userAgent;
      return this;
    }

    /** Makes the flusher and upload threads; default: daemon threads named {@code analytics4j-*}. */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory == null");
      return this;
    }

    /** How long {@link Analytics#close()} and the shutdown hook may take to drain; default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = nonNegative(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Whether a JVM shutdown hook closes the client if it is still open when the JVM exits, so a
     * {@code main} that returns does not lose its last events; default on.
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /**
     * Whether messages are sent; default on. When off, messages are still validated and serialized
     * (bad input still fails at the call site) but never sent: each is reported to the callback and
     * counted as dropped with {@link DropReason#DISABLED}, no transport is loaded, and no request
     * is made. For development and tests without a write key.
     */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Creates the client and starts its flusher thread. */
    public Analytics build() {
      String url = uploadUrl != null
          ? uploadUrl
          : (endpoint != null ? endpoint : region.host()) + "/v1/batch";
      Transport transport = this.transport != null ? this.transport
          : enabled ? loadTransport()
          : request -> {
            throw new IllegalStateException("a disabled client sends nothing");
          };
      return new Analytics(this, url, transport);
    }

    private Transport loadTransport() {
      Iterator<Transport.Factory> factories =
          ServiceLoader.load(Transport.Factory.class, Analytics.class.getClassLoader()).iterator();
      if (!factories.hasNext()) {
        throw new IllegalStateException("No Transport found: add dev.analytics4j:analytics-okhttp "
            + "to the classpath, or pass one to transport(...)");
      }
      return factories.next().create(connectTimeout, readTimeout);
    }

    private static URI parseHttpUrl(String url, String name) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(name + " is not a valid URL: " + url, e);
      }
      String scheme = uri.getScheme();
      if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
        throw new IllegalArgumentException(name + " must be an http or https URL: " + url);
      }
      if (uri.getHost() == null) throw new IllegalArgumentException(name + " has no host: " + url);
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(name + " must not contain credentials");
      }
      return uri;
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " == null");
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }

    private static Duration nonNegative(Duration duration, String name) {
      Objects.requireNonNull(duration, name + " == null");
      if (duration.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + duration);
      return duration;
    }
  }
}
