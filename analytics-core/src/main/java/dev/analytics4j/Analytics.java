package dev.analytics4j;

import dev.analytics4j.internal.Durations;
import dev.analytics4j.internal.Internal;
import dev.analytics4j.internal.Pipeline;
import dev.analytics4j.internal.Settings;
import dev.analytics4j.internal.Wire;
import dev.analytics4j.internal.WireCore;
import dev.analytics4j.messages.Message;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The client: validates and serializes each message on the caller's thread, holds it in a bounded
 * queue, and sends batches to {@code {host}/v1/batch} from its own threads.
 *
 * <pre>{@code
 * Analytics analytics = Analytics.builder(writeKey).build();
 * analytics.enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(props));
 * FlushResult result = analytics.flush(Duration.ofSeconds(30)); // what became of them
 * analytics.close(); // sends what is queued, within closeTimeout
 * }</pre>
 *
 * <p>Every message {@code enqueue} accepts, or {@code offer} is given, ends in exactly one
 * {@link Callback} call: success, failure or drop; a message {@code enqueue} refuses by throwing is
 * not reported anywhere else. {@code enqueue} never blocks: when the queue is full the message is
 * dropped and reported. Instances are thread-safe; make one per write key and share it.
 *
 * <h2>Callbacks</h2>
 * Callbacks run on the client's upload threads (drops at enqueue on the caller's thread, drops at
 * close on a thread of the client's), one batch after another; a slow callback holds back that
 * thread's next upload. Anything a callback throws, an {@link Error} included, is logged and
 * ignored. A callback may enqueue, offer and flush, and may call {@code close()}, which then starts
 * closing and returns without waiting (it would wait for itself); {@link #flush(Duration)} from a
 * callback throws, for the same reason. All of this holds for {@link AnalyticsListener} methods too.
 *
 * <h2>Threads</h2>
 * The client's threads come from {@link Builder#threadFactory} when one is set. A factory that
 * cannot give the first one, the flusher (it throws, returns null, or its thread cannot start or
 * ends without running), fails {@link Builder#build()}. Later, a thread that cannot be had for an
 * upload, a flush's completion or close's work is done without it, on the client thread that asked
 * (the flusher sends the batch itself), and a new thread is tried again a second later: messages
 * are then sent more slowly, never left without their report.
 */
public final class Analytics implements Closeable {
  /** This library's name and version, as sent in {@code context.library}. */
  public static final String LIBRARY_NAME = "analytics4j";
  public static final String VERSION = loadVersion();

  static {
    Internal.install(new ApiBridge());
    Wire.install(new WireCore());
  }

  /** The engine: everything this client owns, and its close. */
  final Pipeline pipeline;

  private Analytics(Pipeline pipeline) {
    this.pipeline = pipeline;
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
   * @throws IllegalStateException after {@link #close()} has started, or once the client has
   *     failed; the message is then not reported anywhere else.
   */
  public void enqueue(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    pipeline.enqueue(pipeline.build(message));
  }

  /** Like {@link #enqueue(Message.Builder)}, for a message already built. */
  public void enqueue(Message message) {
    Objects.requireNonNull(message, "message == null");
    pipeline.enqueue(message);
  }

  /**
   * Like {@link #enqueue(Message.Builder)}, but reports instead of throwing once closed: a message
   * that was not accepted (queue full, closed, client failed, dropped by a {@link BeforeSend} hook)
   * has been reported to the callback as dropped when this returns false. A client built with
   * {@code enabled(false)} reports every message dropped ({@link DropReason#DISABLED}) and returns
   * true.
   *
   * @throws IllegalArgumentException if the message is invalid, as {@code enqueue} does.
   */
  public boolean offer(Message.Builder<?, ?> message) {
    Objects.requireNonNull(message, "message == null");
    return pipeline.offer(pipeline.build(message));
  }

  /** Like {@link #offer(Message.Builder)}, for a message already built. */
  public boolean offer(Message message) {
    Objects.requireNonNull(message, "message == null");
    return pipeline.offer(message);
  }

  /**
   * Starts a scope of this client: values for every message enqueued on this thread until it is
   * closed. See {@link AnalyticsContext}.
   */
  public AnalyticsContext.Builder context() {
    return new AnalyticsContext.Builder(pipeline.scopes());
  }

  /** This client's context on this thread, to carry elsewhere with {@link #attach}; empty outside scopes. */
  public AnalyticsContext currentContext() {
    return pipeline.scopes().current();
  }

  /** Makes {@code context} (taken with {@link #currentContext()}) this client's context on this thread until closed. */
  public AnalyticsContext.Scope attach(AnalyticsContext context) {
    Objects.requireNonNull(context, "context == null");
    return pipeline.scopes().attach(context);
  }

  /** {@code task}, run in the context current here and now, wherever it runs. */
  public Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task == null");
    return pipeline.scopes().wrap(task);
  }

  /** {@code task}, run in the context current here and now, wherever it runs. */
  public <T> Callable<T> wrap(Callable<T> task) {
    Objects.requireNonNull(task, "task == null");
    return pipeline.scopes().wrap(task);
  }

  /** An executor that runs each task in the context current where it was submitted. */
  public Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor == null");
    return pipeline.scopes().wrap(executor);
  }

  /**
   * Sends the messages enqueued before this call without waiting for {@code flushAt} or the
   * interval, and returns what became of them.
   *
   * <p>A flush covers the messages enqueued (accepted, or dropped at enqueue) after the previous
   * flush call and before this one, and counts each of them whenever it settled, before or after
   * this call: a job that enqueues N messages and then flushes learns exactly how many of the N were
   * delivered, failed and dropped. The future completes once each of them, and every message
   * enqueued before them, has been reported to the callback: it also waits for everything enqueued
   * before, and once it completes the counts of every earlier flush are final (their futures may
   * complete a moment later, on another thread). It never completes exceptionally, and it completes on a thread of the client's made for
   * that, never on an upload thread, so a continuation may block.
   *
   * <p>Concurrent flushes split the messages between them: each message is counted by exactly one
   * flush, the first that starts after it was enqueued, whichever thread enqueued it. A flush with
   * nothing enqueued since the previous one counts nothing and completes with it. A flush does not
   * make batches smaller than they would be: flushing after every message still sends full batches
   * whenever uploads are busy.
   *
   * <p>The returned future is the client's: calls to complete or cancel it are ignored. Flushes
   * whose counts are final and equal may return the same future (a flush after every message
   * dropped during an outage then costs nothing per call): add results up per call, not per
   * distinct future.
   *
   * @throws IllegalStateException after {@link #close()} has started.
   */
  public CompletableFuture<FlushResult> flush() {
    return pipeline.flush();
  }

  /**
   * Like {@link #flush()}, waiting at most {@code timeout} (any length: long durations saturate).
   * When the timeout passes first, the result is not complete and counts what had settled by then;
   * the rest are still being sent. Waiting is not interruptible; the interrupt status is kept.
   *
   * @throws IllegalStateException after {@link #close()} has started, or when called from a
   *     {@link Callback} or an {@link AnalyticsListener} method, which would wait for itself.
   */
  public FlushResult flush(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    return pipeline.flush(Durations.saturatedNanos(timeout));
  }

  /** A snapshot of the counters. */
  public Metrics metrics() {
    return pipeline.metrics();
  }

  /** Closes within the builder's {@code closeTimeout}; see {@link #close(Duration)}. */
  @Override
  public void close() {
    close(pipeline.closeTimeout());
  }

  /**
   * Stops taking messages, sends everything queued, and stops the client's threads.
   *
   * <p>Returns within {@code timeout} plus at most half a second, whatever the transport and the
   * callbacks do, even when the calling thread is interrupted (its interrupt status is kept). When
   * it returns, every message has its outcome and {@link #metrics()} is final: messages never sent
   * by the deadline are dropped with {@link DropReason#CLOSE_TIMEOUT} (with a spool, all that is
   * unsent, on the wire included, stays on disk and is dropped with {@link DropReason#SPOOLED}
   * instead: the next client on the directory sends it), and those whose request was on
   * the wire, or had been answered with an error, are failed, with {@link
   * Failure#mayHaveBeenDelivered()} saying whether they might have arrived. Their callbacks run on a
   * thread of the client's; callbacks too slow to finish within that half second go on after close
   * returns, and a WARN says so. Flushes still waiting complete then too.
   *
   * <p>Idempotent: later calls wait for the first to finish, up to their own timeout, except from a
   * callback, where they return at once. Never shuts down an HTTP client passed in.
   */
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
    pipeline.close(Durations.saturatedNanos(timeout));
  }

  @Override
  public String toString() {
    return pipeline.toString();
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

  /**
   * Configures an {@link Analytics}. Defaults suit a web backend; see each setter. A setter refuses
   * a bad value at once, naming it; {@link #build()} refuses settings that contradict each other.
   * Durations saturate: one longer than about 73 years ({@code ChronoUnit.FOREVER.getDuration()}
   * included) means about 73 years, never an overflow later.
   */
  public static final class Builder {
    /** What this builder has been told, each value checked as it was set. */
    final Settings settings;

    Builder(String writeKey) {
      this.settings = new Settings(writeKey);
    }

    /** The region of the workspace: {@link Region#US} (default) or {@link Region#EU}. */
    public Builder region(Region region) {
      settings.region(region);
      return this;
    }

    /**
     * A host to use instead of the region's, such as a proxy or a compatible collector:
     * {@code "https://collector.example.com"}. The client appends {@code /v1/batch}, so the URL may
     * have a path prefix but no query or fragment; use {@link #uploadUrl} for anything else.
     *
     * @throws IllegalArgumentException naming the URL if it is not http or https, has no valid host,
     *     a port outside 1..65535, a query or a fragment; or, without the URL, if it has credentials.
     */
    public Builder endpoint(String endpoint) {
      settings.endpoint(endpoint);
      return this;
    }

    /**
     * The complete URL to post batches to, for collectors that use another path; a query is kept.
     *
     * @throws IllegalArgumentException naming the URL if it is not http or https, has no valid host,
     *     a port outside 1..65535 or a fragment; or, without the URL, if it has credentials.
     */
    public Builder uploadUrl(String uploadUrl) {
      settings.uploadUrl(uploadUrl);
      return this;
    }

    /** Messages per request, 1..2500 (the API's limit); default 250, or {@code maxQueueSize} if smaller. */
    public Builder flushAt(int flushAt) {
      settings.flushAt(flushAt);
      return this;
    }

    /**
     * The longest a message waits for its batch to fill before it is sent anyway; default 10 s.
     * Durations beyond about 73 years (such as {@code ChronoUnit.FOREVER}) mean that long.
     */
    public Builder flushInterval(Duration flushInterval) {
      settings.flushInterval(flushInterval);
      return this;
    }

    /**
     * Most messages held, waiting or in flight, before new ones are dropped; default 10,000. Must not
     * be less than {@link #flushAt}, or a batch could never fill ({@link #build()} checks).
     */
    public Builder maxQueueSize(int maxQueueSize) {
      settings.maxQueueSize(maxQueueSize);
      return this;
    }

    /**
     * Most serialized bytes held, waiting or in flight, before new messages are dropped; default
     * 32 MiB, at least 32,000 (one message of the largest size the API accepts).
     */
    public Builder maxQueueBytes(long maxQueueBytes) {
      settings.maxQueueBytes(maxQueueBytes);
      return this;
    }

    /** Most requests in flight at once, 1..64; default 4, so one slow request does not stall the rest. */
    public Builder maxInFlightRequests(int maxInFlightRequests) {
      settings.maxInFlightRequests(maxInFlightRequests);
      return this;
    }

    /**
     * Counted retries of a batch after network errors and retryable statuses; default 10. Not
     * with a {@link #spool}: spooled messages are retried until {@link #spoolMaxAge} instead.
     */
    public Builder maxRetries(int maxRetries) {
      settings.maxRetries(maxRetries);
      return this;
    }

    /** The first and the largest wait between counted retries; default 500 ms and 60 s. */
    public Builder retryBackoff(Duration initial, Duration max) {
      settings.retryBackoff(initial, max);
      return this;
    }

    /**
     * The total time a batch may spend on counted retries; default 5 minutes. Not with a {@link
     * #spool}: spooled messages are retried until {@link #spoolMaxAge} instead.
     */
    public Builder maxRetryDuration(Duration maxRetryDuration) {
      settings.maxRetryDuration(maxRetryDuration);
      return this;
    }

    /**
     * The longest single wait a {@code Retry-After} may impose (default 300 s), and the total of such
     * waits for one batch (default 10 minutes). With a {@link #spool} the total does not apply:
     * spooled messages obey every {@code Retry-After} (each capped) until {@link #spoolMaxAge}.
     */
    public Builder maxRetryAfter(Duration perWait, Duration total) {
      settings.maxRetryAfter(perWait, total);
      return this;
    }

    /** Connect timeout of the default transport; default 10 s. See {@link #readTimeout} for the range. */
    public Builder connectTimeout(Duration connectTimeout) {
      settings.connectTimeout(connectTimeout);
      return this;
    }

    /**
     * Read timeout of the default transport; default 20 s. Timeouts have millisecond resolution: a
     * positive timeout under 1 ms counts as 1 ms (not as 0, which HTTP libraries take to mean none),
     * and one over {@code Integer.MAX_VALUE} ms (24.8 days, the most a JDK socket accepts) as that.
     *
     * <p>Each attempt as a whole, from connecting to reading the status line, is also bounded by
     * {@code connectTimeout + readTimeout} (a retry without a spool, by what is left of {@code
     * maxRetryDuration} if that is less, but at least 1 s), so a collector trickling its answer cannot hold an upload past
     * it. That deadline applies to every {@link Transport}, a custom OkHttpClient's included.
     */
    public Builder readTimeout(Duration readTimeout) {
      settings.readTimeout(readTimeout);
      return this;
    }

    /**
     * The transport to send with, for example {@code OkHttpTransport.create(myOkHttpClient)} for
     * proxies, timeouts or interceptors. The client closes it when it closes; OkHttp's transport
     * then cancels its own calls and never shuts down a client passed to it. By default the
     * transport is found with {@link ServiceLoader} (add {@code analytics-okhttp}).
     */
    public Builder transport(Transport transport) {
      settings.transport(transport);
      return this;
    }

    /** Compresses request bodies with gzip; default off. */
    public Builder gzip(boolean gzip) {
      settings.gzip(gzip);
      return this;
    }

    /** Told the outcome of every message; default {@link Callback#NONE}. */
    public Builder callback(Callback callback) {
      settings.callback(callback);
      return this;
    }

    /** Told about every message and HTTP request, for metrics; default {@link AnalyticsListener#NONE}. */
    public Builder listener(AnalyticsListener listener) {
      settings.listener(listener);
      return this;
    }

    /**
     * Adds a hook run on every message before it is encoded, on the enqueuing thread, after the
     * ones added before it: to enrich, redact or drop messages in one place. See {@link BeforeSend}.
     */
    public Builder beforeSend(BeforeSend hook) {
      settings.beforeSend(hook);
      return this;
    }

    /**
     * Context added to every message, asked for on the enqueuing thread as each message is enqueued;
     * the message's own context keys win, and {@code library} is always the client's. For what is
     * known only then, such as the current web request's {@code ip} and {@code userAgent}. Values
     * are checked like the message's own; a supplier that returns null or throws adds nothing, and
     * a context that would take a message over the size limit is left out of that message (one too
     * large by itself is refused as without a default context).
     */
    public Builder defaultContext(Supplier<? extends @Nullable Map<String, ?>> defaultContext) {
      settings.defaultContext(defaultContext);
      return this;
    }

    /**
     * The {@code User-Agent} header; default {@code analytics4j/<version>}. Printable ASCII only: an
     * HTTP header value cannot carry other characters, and a CR or LF would split the header.
     */
    public Builder userAgent(String userAgent) {
      settings.userAgent(userAgent);
      return this;
    }

    /**
     * Makes the client's threads (flusher, uploads, flush completions, close); default: daemon
     * threads named {@code analytics4j-*}. See "Threads" in {@link Analytics} for what the client
     * does when the factory fails.
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      settings.threadFactory(threadFactory);
      return this;
    }

    /** How long {@link Analytics#close()} and the shutdown hook may take to drain; default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      settings.closeTimeout(closeTimeout);
      return this;
    }

    /**
     * Whether a JVM shutdown hook closes the client if it is still open when the JVM exits, so a
     * {@code main} that returns does not lose its last events; default on.
     */
    public Builder shutdownHook(boolean shutdownHook) {
      settings.shutdownHook(shutdownHook);
      return this;
    }

    /**
     * Whether messages are sent; default on. When off, messages are still validated and serialized
     * (bad input still fails at the call site) but never sent: each is reported to the callback and
     * counted as dropped with {@link DropReason#DISABLED}, no transport is loaded, and no request
     * is made. For development and tests without a write key.
     */
    public Builder enabled(boolean enabled) {
      settings.enabled(enabled);
      return this;
    }

    /**
     * Keeps every accepted message in files in {@code directory} until its outcome is final (durable
     * delivery; default off). {@code enqueue} and {@code offer} accept a message only once it is
     * written there, so a crash of the JVM loses none (what an OS crash may lose depends on {@link
     * #spoolSync}); the heap then holds only a window of {@code maxQueueSize}/{@code maxQueueBytes}
     * messages, and the rest wait on disk, bounded by {@link #spoolMaxBytes}. A client built later on
     * the same directory sends what an earlier one left ({@link Metrics#recovered()}, {@link
     * EncodedMessage#isRecovered()}); {@code close} leaves what it could not send there, reported as
     * {@link DropReason#SPOOLED}. One client per directory, and one write key: {@link #build()}
     * refuses a directory that another client holds or that holds another key's messages. Files are
     * created readable by their owner only. Ignored with {@code enabled(false)}. See the README's
     * "Durable delivery" and {@code docs/spool-format.md}.
     */
    public Builder spool(Path directory) {
      settings.spool(directory);
      return this;
    }

    /**
     * The most bytes the spool's files may take; default 256 MiB, at least 128 KiB. When it is full,
     * new messages are dropped with {@link DropReason#SPOOL_FULL}. Space is freed a segment file
     * (1/8 of this, at most 8 MiB) at a time, once every message in it has its outcome.
     */
    public Builder spoolMaxBytes(long spoolMaxBytes) {
      settings.spoolMaxBytes(spoolMaxBytes);
      return this;
    }

    /**
     * When the spool forces its writes to disk; default {@code SpoolSync.interval(1 s)}, from a thread
     * of the client's. See {@link SpoolSync} for what each policy guarantees.
     */
    public Builder spoolSync(SpoolSync spoolSync) {
      settings.spoolSync(spoolSync);
      return this;
    }

    /**
     * How long, with a {@link #spool}, a message may wait for the endpoint while it answers with
     * retryable errors (network errors, 429, 5xx); default 7 days. Its records are on disk, so a
     * spooled batch is not given up after {@link #maxRetries} or {@link #maxRetryDuration}: it keeps
     * its place in the window (new messages wait in the spool, up to {@link #spoolMaxBytes}) and is
     * retried with the capped {@link #retryBackoff}, obeying each {@code Retry-After} up to {@link
     * #maxRetryAfter}, until it is delivered or an answer is not retryable. At the first retryable
     * failure after its newest message has waited this long, the batch fails with {@link
     * Failure#expired()}.
     *
     * <p>Age is measured on the monotonic clock from when this client accepted the message, not from
     * its {@code timestamp}, which may lie far in the past (a backfill) or in the future. A message
     * this client recovered from an earlier one's spool is measured from when it was recovered: the
     * spool's records do not keep when they were accepted, so each client on the directory gives
     * them up to this long again. While messages wait, a {@link Analytics#flush(Duration)} returns
     * incomplete, and {@code close} leaves them in the spool ({@link DropReason#SPOOLED}). Ignored
     * without a spool, and once the spool has lost its directory (removed, or its lock file gone):
     * nothing then waits on disk for a next client, so batches are retried as without a spool.
     */
    public Builder spoolMaxAge(Duration spoolMaxAge) {
      settings.spoolMaxAge(spoolMaxAge);
      return this;
    }

    /**
     * Creates the client and starts its flusher thread. Without an explicit {@code flushAt}, a
     * {@code maxQueueSize} below 250 lowers {@code flushAt} to it, so that batches can fill; an
     * explicit {@code flushAt} above {@code maxQueueSize} is kept, with a WARN that batches then
     * never fill by count (a recording client for tests wants exactly that).
     */
    public Analytics build() {
      return new Analytics(Pipeline.start(settings));
    }
  }
}
