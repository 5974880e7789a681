package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.Callback;
import dev.analytics4j.Region;
import dev.analytics4j.SpoolSync;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Analytics.Builder} has been told, each value checked and normalised as it is set:
 * the builder documents each setting, this holds its default and its rule. {@link Pipeline} reads
 * the values once, as it is made, so building never changes the builder and a builder may build
 * again.
 */
public final class Settings {
  /** JDK sockets take int milliseconds (Socket.setSoTimeout), so no transport can wait longer. */
  private static final Duration MAX_SOCKET_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);
  static final long MIN_SPOOL_BYTES = 128 * 1024;
  static final SpoolSync DEFAULT_SPOOL_SYNC = SpoolSync.interval(Duration.ofSeconds(1));
  static final Duration DEFAULT_SPOOL_MAX_AGE = Duration.ofDays(7);

  final String writeKey;
  Region region = Region.US;
  @Nullable String endpoint;
  @Nullable String uploadUrl;
  int flushAt = 250;
  boolean flushAtSet;
  Duration flushInterval = Duration.ofSeconds(10);
  int maxQueueSize = 10_000;
  long maxQueueBytes = 32L * 1024 * 1024;
  int maxInFlightRequests = 4;
  int maxRetries = 10;
  Duration initialBackoff = Duration.ofMillis(500);
  Duration maxBackoff = Duration.ofSeconds(60);
  Duration maxRetryDuration = Duration.ofMinutes(5);
  Duration maxRetryAfter = Duration.ofSeconds(300);
  Duration maxRetryAfterTotal = Duration.ofMinutes(10);
  Duration connectTimeout = Duration.ofSeconds(10);
  Duration readTimeout = Duration.ofSeconds(20);
  @Nullable Transport transport;
  boolean gzip;
  Callback callback = Callback.NONE;
  AnalyticsListener listener = AnalyticsListener.NONE;
  @Nullable String userAgent;
  /** Set through {@code Wire.keepMessageLibrary}: for imports, whose messages name their own library. */
  boolean keepMessageLibrary;
  @Nullable ThreadFactory threadFactory;
  Duration closeTimeout = Duration.ofSeconds(5);
  boolean shutdownHook = true;
  boolean enabled = true;
  @Nullable Supplier<? extends @Nullable Map<String, ?>> defaultContext;
  final List<BeforeSend> beforeSend = new ArrayList<>();
  @Nullable Path spoolDirectory;
  long spoolMaxBytes = Spool.DEFAULT_MAX_BYTES;
  SpoolSync spoolSync = DEFAULT_SPOOL_SYNC;
  Duration spoolMaxAge = DEFAULT_SPOOL_MAX_AGE;
  int spoolSegmentBytes;
  SpoolFileSystem.Factory spoolFileSystems = SpoolFileSystem.Factory.SYSTEM;

  public Settings(String writeKey) {
    Objects.requireNonNull(writeKey, "writeKey == null");
    if (writeKey.trim().isEmpty()) throw new IllegalArgumentException("writeKey must not be blank");
    this.writeKey = writeKey;
  }

  /** Where batches are posted: the upload URL, else the endpoint's or the region's host with {@code /v1/batch}. */
  String url() {
    return uploadUrl != null ? uploadUrl : (endpoint != null ? endpoint : region.host()) + "/v1/batch";
  }

  /** The flushAt a client uses: without an explicit one, at most {@code maxQueueSize}, so that batches can fill. */
  int effectiveFlushAt() {
    return flushAtSet ? flushAt : Math.min(flushAt, maxQueueSize);
  }

  public void region(Region region) {
    this.region = Objects.requireNonNull(region, "region == null");
  }

  public void endpoint(String endpoint) {
    Objects.requireNonNull(endpoint, "endpoint == null");
    this.endpoint = withoutKey(() -> HttpUrls.endpoint(endpoint));
    this.uploadUrl = null;
  }

  public void uploadUrl(String uploadUrl) {
    Objects.requireNonNull(uploadUrl, "uploadUrl == null");
    this.uploadUrl = withoutKey(() -> HttpUrls.uploadUrl(uploadUrl));
    this.endpoint = null;
  }

  /**
   * {@code check}'s URL; its refusal, which quotes the URL (without its query), without the write
   * key should the user have put it in the path.
   */
  private String withoutKey(Supplier<String> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      String redacted = new Redactor(writeKey).redact(message);
      if (redacted.equals(message)) throw e;
      throw new IllegalArgumentException(redacted);
    }
  }

  public void flushAt(int flushAt) {
    if (flushAt < 1 || flushAt > 2500) throw new IllegalArgumentException("flushAt must be in 1..2500: " + flushAt);
    this.flushAt = flushAt;
    this.flushAtSet = true;
  }

  public void flushInterval(Duration flushInterval) {
    this.flushInterval = positive(flushInterval, "flushInterval");
  }

  public void maxQueueSize(int maxQueueSize) {
    if (maxQueueSize < 1) throw new IllegalArgumentException("maxQueueSize must be at least 1: " + maxQueueSize);
    this.maxQueueSize = maxQueueSize;
  }

  public void maxQueueBytes(long maxQueueBytes) {
    if (maxQueueBytes < MessageEncoder.MAX_MESSAGE_BYTES) {
      // Below one message, the largest messages could never be held, and would all be dropped.
      throw new IllegalArgumentException("maxQueueBytes must be at least " + MessageEncoder.MAX_MESSAGE_BYTES
          + " (the largest message): " + maxQueueBytes);
    }
    this.maxQueueBytes = maxQueueBytes;
  }

  public void maxInFlightRequests(int maxInFlightRequests) {
    if (maxInFlightRequests < 1 || maxInFlightRequests > 64) {
      throw new IllegalArgumentException("maxInFlightRequests must be in 1..64: " + maxInFlightRequests);
    }
    this.maxInFlightRequests = maxInFlightRequests;
  }

  public void maxRetries(int maxRetries) {
    if (maxRetries < 0 || maxRetries > 1000) {
      throw new IllegalArgumentException("maxRetries must be in 0..1000: " + maxRetries);
    }
    this.maxRetries = maxRetries;
  }

  public void retryBackoff(Duration initial, Duration max) {
    positive(initial, "initial backoff");
    positive(max, "max backoff");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max backoff must not be less than initial backoff: " + max + " < " + initial);
    }
    this.initialBackoff = Durations.saturated(initial);
    this.maxBackoff = Durations.saturated(max);
  }

  public void maxRetryDuration(Duration maxRetryDuration) {
    this.maxRetryDuration = positive(maxRetryDuration, "maxRetryDuration");
  }

  public void maxRetryAfter(Duration perWait, Duration total) {
    this.maxRetryAfter = nonNegative(perWait, "maxRetryAfter");
    this.maxRetryAfterTotal = nonNegative(total, "maxRetryAfter total");
  }

  public void connectTimeout(Duration connectTimeout) {
    this.connectTimeout = socketTimeout(connectTimeout, "connectTimeout");
  }

  public void readTimeout(Duration readTimeout) {
    this.readTimeout = socketTimeout(readTimeout, "readTimeout");
  }

  public void transport(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport == null");
  }

  public void gzip(boolean gzip) {
    this.gzip = gzip;
  }

  public void callback(Callback callback) {
    this.callback = Objects.requireNonNull(callback, "callback == null");
  }

  public void listener(AnalyticsListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener == null");
  }

  public void beforeSend(BeforeSend hook) {
    beforeSend.add(Objects.requireNonNull(hook, "hook == null"));
  }

  public void defaultContext(Supplier<? extends @Nullable Map<String, ?>> defaultContext) {
    this.defaultContext = Objects.requireNonNull(defaultContext, "defaultContext == null");
  }

  public void userAgent(String userAgent) {
    Objects.requireNonNull(userAgent, "userAgent == null");
    if (userAgent.trim().isEmpty()) throw new IllegalArgumentException("userAgent must not be blank");
    for (int i = 0; i < userAgent.length(); i++) {
      char c = userAgent.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        // Escaped, so that a CR or LF in the value cannot forge a line in the caller's log.
        throw new IllegalArgumentException("userAgent must be printable ASCII: "
            + String.format("U+%04X", userAgent.codePointAt(i)) + " at index " + i
            + " in \"" + escape(userAgent) + "\"");
      }
    }
    this.userAgent = userAgent;
  }

  public void threadFactory(ThreadFactory threadFactory) {
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory == null");
  }

  public void closeTimeout(Duration closeTimeout) {
    this.closeTimeout = nonNegative(closeTimeout, "closeTimeout");
  }

  public void shutdownHook(boolean shutdownHook) {
    this.shutdownHook = shutdownHook;
  }

  public void enabled(boolean enabled) {
    this.enabled = enabled;
  }

  public void spool(Path directory) {
    this.spoolDirectory = Objects.requireNonNull(directory, "directory == null");
  }

  public void spoolMaxBytes(long spoolMaxBytes) {
    if (spoolMaxBytes < MIN_SPOOL_BYTES) {
      throw new IllegalArgumentException("spoolMaxBytes must be at least " + MIN_SPOOL_BYTES + ": " + spoolMaxBytes);
    }
    this.spoolMaxBytes = spoolMaxBytes;
  }

  public void spoolSync(SpoolSync spoolSync) {
    this.spoolSync = Objects.requireNonNull(spoolSync, "spoolSync == null");
  }

  public void spoolMaxAge(Duration spoolMaxAge) {
    this.spoolMaxAge = positive(spoolMaxAge, "spoolMaxAge");
  }

  /** For tests: the file system the spool's files are made in, to inject faults and power losses. */
  public void spoolFileSystem(SpoolFileSystem.Factory spoolFileSystems) {
    this.spoolFileSystems = Objects.requireNonNull(spoolFileSystems, "spoolFileSystems == null");
  }

  /** For tests: the size at which the spool starts a new segment file. */
  public void spoolSegmentBytes(int spoolSegmentBytes) {
    this.spoolSegmentBytes = spoolSegmentBytes;
  }

  /** {@code value} with backslashes and characters outside printable ASCII as Java escapes. */
  private static String escape(String value) {
    StringBuilder escaped = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\\') {
        escaped.append("\\\\");
      } else if (c < 0x20 || c > 0x7e) {
        escaped.append(String.format("\\u%04X", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** {@code duration}, which must be positive, saturated (see {@link Durations#MAX}). */
  private static Duration positive(Duration duration, String name) {
    Objects.requireNonNull(duration, name + " == null");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + duration);
    }
    return Durations.saturated(duration);
  }

  /** {@code duration}, which must not be negative, saturated (see {@link Durations#MAX}). */
  private static Duration nonNegative(Duration duration, String name) {
    Objects.requireNonNull(duration, name + " == null");
    if (duration.isNegative()) throw new IllegalArgumentException(name + " must not be negative: " + duration);
    return Durations.saturated(duration);
  }

  /** A non-negative timeout in whole milliseconds, 0 or 1 ms..Integer.MAX_VALUE ms. */
  private static Duration socketTimeout(Duration timeout, String name) {
    nonNegative(timeout, name);
    if (timeout.isZero()) return timeout;
    if (timeout.compareTo(MAX_SOCKET_TIMEOUT) > 0) return MAX_SOCKET_TIMEOUT;
    // Round up: truncating 999 us to 0 ms would turn the shortest timeout into none at all.
    long millis = timeout.toMillis();
    return Duration.ofMillis(Duration.ofMillis(millis).equals(timeout) ? millis : millis + 1);
  }
}
