package dev.analytics4j.spring.boot;

import dev.analytics4j.Region;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the {@link dev.analytics4j.Analytics} client the starter builds, under
 * {@code analytics4j.*}. Each maps to the builder setting of the same name, with the same default;
 * durations take Spring's forms ({@code 10s}, {@code 500ms}) and sizes {@code 32MB}.
 */
@ConfigurationProperties(prefix = "analytics4j")
public class AnalyticsProperties {
  /**
   * Whether messages are sent. When false, or when no write key is set, the application still
   * starts and logs one WARN: messages are validated (bad input still throws) and then reported as
   * dropped with reason DISABLED; nothing is sent.
   */
  private boolean enabled = true;

  /**
   * Write key of the source, from its settings page; whitespace around it (a file's line break) is
   * dropped. Never logged.
   */
  private @Nullable String writeKey;

  /** Region of the workspace: US or EU. A write key only works in its own region. */
  private Region region = Region.US;

  /** Host to send to instead of the region's, such as a proxy: the client appends /v1/batch. */
  private @Nullable String endpoint;

  /** Complete URL to post batches to, for collectors that use another path; wins over endpoint. */
  private @Nullable String uploadUrl;

  /** Messages per request, 1 to 2500; default 250, or max-queue-size when that is smaller. */
  private @Nullable Integer flushAt;

  /** Longest a message waits for its batch to fill before it is sent anyway. */
  private Duration flushInterval = Duration.ofSeconds(10);

  /** Most messages held, waiting or in flight, before new ones are dropped (QUEUE_FULL). */
  private int maxQueueSize = 10_000;

  /** Most serialized bytes held, waiting or in flight, before new messages are dropped (QUEUE_FULL). */
  private DataSize maxQueueBytes = DataSize.ofMegabytes(32);

  /** Most requests in flight at once, 1 to 64. */
  private int maxInFlightRequests = 4;

  /**
   * Counted retries of a batch after network errors and retryable statuses, 0 to 1000; with a
   * spool, spool-max-age applies instead.
   */
  private int maxRetries = 10;

  /** First wait between counted retries; it doubles, with jitter, up to max-backoff. */
  private Duration initialBackoff = Duration.ofMillis(500);

  /** Largest wait between counted retries. */
  private Duration maxBackoff = Duration.ofSeconds(60);

  /** Total time a batch may spend on counted retries; with a spool, spool-max-age applies instead. */
  private Duration maxRetryDuration = Duration.ofMinutes(5);

  /** Longest single wait a Retry-After header may impose. */
  private Duration maxRetryAfter = Duration.ofSeconds(300);

  /** Total of the Retry-After waits of one batch; with a spool, spool-max-age applies instead. */
  private Duration maxRetryAfterTotal = Duration.ofMinutes(10);

  /** Connect timeout of the default (OkHttp) transport. */
  private Duration connectTimeout = Duration.ofSeconds(10);

  /** Read timeout of the default (OkHttp) transport. */
  private Duration readTimeout = Duration.ofSeconds(20);

  /** Whether request bodies are compressed with gzip. */
  private boolean gzip;

  /** User-Agent header; by default analytics4j/VERSION. */
  private @Nullable String userAgent;

  /**
   * How long closing the client may take to send what is queued when the application context
   * stops. Keep it below spring.lifecycle.timeout-per-shutdown-phase.
   */
  private Duration closeTimeout = Duration.ofSeconds(5);

  /**
   * Whether the client also registers its own JVM shutdown hook. Off in the starter: the client is
   * closed when the application context stops, after the web server's graceful shutdown, and a
   * hook of its own could close it before requests still running have enqueued their events.
   */
  private boolean shutdownHook;

  /**
   * A directory for durable delivery, off when unset: accepted messages are kept there until their
   * outcome is final, survive a crash or a redeploy, and are sent by the next start. One running
   * instance per directory, one write key per directory; created readable by the owner only.
   */
  private @Nullable Path spool;

  /** The most the spool's files may take on disk; new messages are then dropped (SPOOL_FULL). */
  private DataSize spoolMaxBytes = DataSize.ofMegabytes(256);

  /**
   * When the spool forces its writes to disk: "none" (the OS page cache only; survives a JVM crash,
   * not an OS crash), "every-write" (before each enqueue returns), or an interval such as "1s", the
   * default (an OS crash loses at most that much).
   */
  private String spoolSync = "1s";

  /**
   * How long a spooled message may wait for the endpoint while it answers with retryable errors,
   * from when it was accepted (or recovered); then it fails as expired. With a spool, this replaces
   * max-retries, max-retry-duration and max-retry-after-total.
   */
  private Duration spoolMaxAge = Duration.ofDays(7);

  /**
   * Whether messages enqueued while a web request is handled get its context: ip, userAgent,
   * locale and page (url, path, referrer), as the lowest layer of the client's scope for the
   * request; the message's own context keys, a scope's and defaultContext's win. Servlet apps:
   * messages enqueued on the request's thread, or on threads the work is carried to with
   * Analytics.wrap. WebFlux apps: messages enqueued inside the request's reactive chain, with
   * spring.reactor.context-propagation=auto. Each value is capped
   * (userAgent 512 characters, url and referrer 2,048, path 1,024) and all of them together to
   * 4,096 bytes, so what a client sends can never make enqueue fail.
   */
  private boolean requestContext;

  /**
   * Whether the request context includes query strings: the request's (page.search, and in
   * page.url) and the referrer's. Off by default, as they often carry tokens, e-mail addresses or
   * session ids. A query string that does not fit the caps whole is left out.
   */
  private boolean requestContextQueryStrings;

  /**
   * Whether the health indicator may take the application's overall health down. Off by default:
   * while the API refuses the write key (HTTP 401 or 403) the analytics4j component shows status
   * DEGRADED with the reason, which Actuator's default status order does not rank, so the overall
   * status and its HTTP code stay as the other components make them, and a rotated key does not
   * take a healthy service out of a load balancer. When true, the component is DOWN instead, and so
   * is the overall status.
   */
  private boolean healthAffectsStatus;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public @Nullable String getWriteKey() {
    return writeKey;
  }

  public void setWriteKey(@Nullable String writeKey) {
    this.writeKey = writeKey;
  }

  public Region getRegion() {
    return region;
  }

  public void setRegion(Region region) {
    this.region = region;
  }

  public @Nullable String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(@Nullable String endpoint) {
    this.endpoint = endpoint;
  }

  public @Nullable String getUploadUrl() {
    return uploadUrl;
  }

  public void setUploadUrl(@Nullable String uploadUrl) {
    this.uploadUrl = uploadUrl;
  }

  public @Nullable Integer getFlushAt() {
    return flushAt;
  }

  public void setFlushAt(@Nullable Integer flushAt) {
    this.flushAt = flushAt;
  }

  public Duration getFlushInterval() {
    return flushInterval;
  }

  public void setFlushInterval(Duration flushInterval) {
    this.flushInterval = flushInterval;
  }

  public int getMaxQueueSize() {
    return maxQueueSize;
  }

  public void setMaxQueueSize(int maxQueueSize) {
    this.maxQueueSize = maxQueueSize;
  }

  public DataSize getMaxQueueBytes() {
    return maxQueueBytes;
  }

  public void setMaxQueueBytes(DataSize maxQueueBytes) {
    this.maxQueueBytes = maxQueueBytes;
  }

  public int getMaxInFlightRequests() {
    return maxInFlightRequests;
  }

  public void setMaxInFlightRequests(int maxInFlightRequests) {
    this.maxInFlightRequests = maxInFlightRequests;
  }

  public int getMaxRetries() {
    return maxRetries;
  }

  public void setMaxRetries(int maxRetries) {
    this.maxRetries = maxRetries;
  }

  public Duration getInitialBackoff() {
    return initialBackoff;
  }

  public void setInitialBackoff(Duration initialBackoff) {
    this.initialBackoff = initialBackoff;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public void setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = maxBackoff;
  }

  public Duration getMaxRetryDuration() {
    return maxRetryDuration;
  }

  public void setMaxRetryDuration(Duration maxRetryDuration) {
    this.maxRetryDuration = maxRetryDuration;
  }

  public Duration getMaxRetryAfter() {
    return maxRetryAfter;
  }

  public void setMaxRetryAfter(Duration maxRetryAfter) {
    this.maxRetryAfter = maxRetryAfter;
  }

  public Duration getMaxRetryAfterTotal() {
    return maxRetryAfterTotal;
  }

  public void setMaxRetryAfterTotal(Duration maxRetryAfterTotal) {
    this.maxRetryAfterTotal = maxRetryAfterTotal;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Duration getReadTimeout() {
    return readTimeout;
  }

  public void setReadTimeout(Duration readTimeout) {
    this.readTimeout = readTimeout;
  }

  public boolean isGzip() {
    return gzip;
  }

  public void setGzip(boolean gzip) {
    this.gzip = gzip;
  }

  public @Nullable String getUserAgent() {
    return userAgent;
  }

  public void setUserAgent(@Nullable String userAgent) {
    this.userAgent = userAgent;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public @Nullable Path getSpool() {
    return spool;
  }

  public void setSpool(@Nullable Path spool) {
    this.spool = spool;
  }

  public DataSize getSpoolMaxBytes() {
    return spoolMaxBytes;
  }

  public void setSpoolMaxBytes(DataSize spoolMaxBytes) {
    this.spoolMaxBytes = spoolMaxBytes;
  }

  public String getSpoolSync() {
    return spoolSync;
  }

  public void setSpoolSync(String spoolSync) {
    this.spoolSync = spoolSync;
  }

  public Duration getSpoolMaxAge() {
    return spoolMaxAge;
  }

  public void setSpoolMaxAge(Duration spoolMaxAge) {
    this.spoolMaxAge = spoolMaxAge;
  }

  public boolean isShutdownHook() {
    return shutdownHook;
  }

  public void setShutdownHook(boolean shutdownHook) {
    this.shutdownHook = shutdownHook;
  }

  public boolean isRequestContext() {
    return requestContext;
  }

  public void setRequestContext(boolean requestContext) {
    this.requestContext = requestContext;
  }

  public boolean isRequestContextQueryStrings() {
    return requestContextQueryStrings;
  }

  public void setRequestContextQueryStrings(boolean requestContextQueryStrings) {
    this.requestContextQueryStrings = requestContextQueryStrings;
  }

  public boolean isHealthAffectsStatus() {
    return healthAffectsStatus;
  }

  public void setHealthAffectsStatus(boolean healthAffectsStatus) {
    this.healthAffectsStatus = healthAffectsStatus;
  }

  /** Whether a client that sends is configured: enabled, with a write key. */
  boolean sends() {
    return enabled && writeKey != null && !writeKey.trim().isEmpty();
  }

  @Override
  public String toString() {
    // Never the write key.
    return "AnalyticsProperties{enabled=" + enabled + ", writeKey=" + (writeKey == null ? "unset" : "set")
        + ", region=" + region + ", endpoint=" + endpoint + ", uploadUrl=" + uploadUrl + "}";
  }
}
