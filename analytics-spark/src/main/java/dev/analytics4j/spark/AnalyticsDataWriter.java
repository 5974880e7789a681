package dev.analytics4j.spark;

import dev.analytics4j.Analytics;
import dev.analytics4j.AnalyticsListener;
import dev.analytics4j.Callback;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.FlushResult;
import dev.analytics4j.Region;
import dev.analytics4j.internal.RateLimiter;
import dev.analytics4j.messages.Message;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task attempt: one client, every row enqueued (or rejected), and on commit a flush that waits
 * for every message's single report. At most {@code maxPending} messages are between enqueue and
 * report at a time, so the client's queue never fills and the task's memory stays bounded.
 */
final class AnalyticsDataWriter implements DataWriter<InternalRow> {
  private static final Logger logger = LoggerFactory.getLogger(AnalyticsDataWriter.class);
  /** How long close waits after the flush for what is still queued (only after a flush timeout). */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final WriterOptions options;
  private final StructType schema;
  private final RowMapper mapper;
  private final ValueConverter lenient;
  private final RowIds ids = new RowIds();
  /** The task's share of the job's rate, which halves on a 429 and climbs back on good answers. */
  private final @Nullable RateLimiter limiter;
  private final RejectsFile rejects;
  private final TaskCounts counts;
  private final Semaphore pending;
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  /** Reasons of failures and drops, reported on the client's threads. */
  private final Map<String, Long> undeliveredReasons = new LinkedHashMap<>();
  private final Analytics analytics;
  private boolean finished;

  AnalyticsDataWriter(WriterOptions options, StructType schema, TaskCounts counts, double ratePerTask,
      RejectsFile rejects, RateLimiter.Clock clock) {
    this.options = options;
    this.schema = schema;
    this.mapper = new RowMapper(schema, options, ids);
    this.lenient = new ValueConverter(options, true);
    this.limiter = ratePerTask > 0 ? new RateLimiter(ratePerTask, clock) : null;
    this.rejects = rejects;
    this.counts = counts;
    this.pending = new Semaphore(options.maxPending);
    Analytics.Builder builder = Analytics.builder(options.writeKey)
        .callback(new Counter())
        .shutdownHook(false)
        .flushAt(options.flushAt)
        .maxRetries(options.maxRetries)
        .maxQueueSize(options.maxPending)
        .maxQueueBytes(Math.max(32L << 20, options.maxPending * 32_000L))
        .gzip(options.gzip);
    if (limiter != null) builder.listener(new Throttle(limiter));
    if (options.eu) builder.region(Region.EU);
    if (options.endpoint != null) builder.endpoint(options.endpoint);
    if (options.uploadUrl != null) builder.uploadUrl(options.uploadUrl);
    this.analytics = builder.build();
  }

  @Override
  public void write(InternalRow row) {
    counts.rows++;
    Message message;
    try {
      message = mapper.map(row);
    } catch (RejectedValueException e) {
      reject(row, e);
      return;
    }
    try {
      if (limiter != null) limiter.acquire(1);
      pending.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("analytics4j: task interrupted while waiting to send", e);
    }
    try {
      analytics.enqueue(message);
    } catch (IllegalArgumentException e) {
      pending.release();
      reject(row, new RejectedValueException(message.type().wireName() + " is invalid: " + e.getMessage()));
      return;
    } catch (RuntimeException | Error e) {
      pending.release();
      throw e;
    }
    ids.note(message.messageId());
  }

  private void reject(InternalRow row, RejectedValueException reason) {
    counts.rejected++;
    counts.count("rejected: " + reason.reason(), 1);
    rejects.rejected(reason, render(row));
  }

  /** The row's values for the rejects file, rendered so that any row can be written. */
  private Map<String, @Nullable Object> render(InternalRow row) {
    Map<String, @Nullable Object> map = new LinkedHashMap<>();
    StructField[] fields = schema.fields();
    for (int i = 0; i < fields.length; i++) {
      try {
        map.put(fields[i].name(), lenient.get(row, i, fields[i].dataType(), fields[i].name()));
      } catch (RejectedValueException e) {
        throw new AssertionError("a lenient converter rejected " + fields[i].name(), e);
      }
    }
    return map;
  }

  @Override
  public WriterCommitMessage commit() {
    finished = true;
    FlushResult flush = analytics.flush(options.flushTimeout);
    if (!flush.isComplete()) {
      logger.warn("analytics4j: partition {} not flushed within flushTimeout {} ({}); closing, what is not sent "
          + "is reported as failed or dropped", counts.partitionId, options.flushTimeout, flush);
    }
    analytics.close(CLOSE_TIMEOUT);
    awaitReports();
    counts.delivered = delivered.get();
    counts.failed = failed.get();
    counts.dropped = dropped.get();
    counts.duplicateIds = ids.duplicates();
    counts.duplicatesPartial = ids.partial();
    synchronized (undeliveredReasons) {
      undeliveredReasons.forEach(counts::count);
    }
    counts.rejectsFile = rejects.commit();
    String ended = jobEnded();
    if (ended != null) {
      // Spark drops this commit message: the driver has summarised the job (or will) without it, and
      // publishes no file of ours. So the attempt reports itself, and keeps its rejects.
      String kept = counts.rejectsFile == null ? null : rejects.keepLate(counts.rejectsFile);
      logger.warn("analytics4j: {}; committed after its job ended ({}), so the job's summary does not count it{}",
          counts, ended, kept == null ? "" : "; its rejects are in " + kept);
      return counts;
    }
    logger.info("analytics4j: {}", counts);
    return counts;
  }

  /**
   * Why the job has already ended for this attempt, or null: Spark marks a running attempt killed
   * when its job fails or is cancelled (without interrupting it), and the driver's summary on the
   * rejects path says the job has been summarised. Either way, the commit message is not counted.
   */
  private @Nullable String jobEnded() {
    TaskContext task = TaskContext.get();
    if (task != null && task.isInterrupted()) {
      return "Spark killed its task";
    }
    return rejects.summaryWritten() ? "the job's summary is written" : null;
  }

  /** Every permit back means every message enqueued has had its one report. */
  private void awaitReports() {
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          if (pending.tryAcquire(options.maxPending, 1, TimeUnit.MINUTES)) {
            pending.release(options.maxPending);
            return;
          }
          throw new IllegalStateException("analytics4j: the client's reports did not all arrive within a minute "
              + "after close; " + (options.maxPending - pending.availablePermits()) + " messages unreported");
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  @Override
  public void abort() {
    finished = true;
    // The retry (or re-run) sends these rows again with the same ids; nothing here waits for them.
    analytics.close(Duration.ZERO);
    rejects.abort();
    logger.warn("analytics4j: partition {} task {} attempt {} aborted after {} rows; its rows are sent again by "
        + "the next attempt, with the same messageIds", counts.partitionId, counts.taskId, counts.attemptNumber,
        counts.rows);
  }

  @Override
  public void close() {
    if (!finished) abort();
    analytics.close(Duration.ZERO);
  }

  /** Counts each message's single report and records the ones not delivered. */
  private final class Counter implements Callback {
    @Override
    public void onSuccess(EncodedMessage message) {
      delivered.incrementAndGet();
      pending.release();
    }

    @Override
    public void onFailure(EncodedMessage message, Failure failure) {
      try {
        failed.incrementAndGet();
        note("failed: " + failure.reason());
        rejects.undelivered("failed", failure.reason(), message.json());
      } finally {
        pending.release();
      }
    }

    @Override
    public void onDropped(EncodedMessage message, DropReason reason) {
      try {
        dropped.incrementAndGet();
        note("dropped: " + reason);
        rejects.undelivered("dropped", reason.toString(), message.json());
      } finally {
        pending.release();
      }
    }

    private void note(String reason) {
      synchronized (undeliveredReasons) {
        if (undeliveredReasons.size() < TaskCounts.MAX_REASONS || undeliveredReasons.containsKey(reason)) {
          undeliveredReasons.merge(reason, 1L, Long::sum);
        } else {
          undeliveredReasons.merge(TaskCounts.OTHER, 1L, Long::sum);
        }
      }
    }
  }

  /**
   * Tells the task's limiter how the collector answers: a 429 halves its rate (the client itself
   * obeys the answer's Retry-After), a 2xx lets it climb back to the task's share.
   */
  private static final class Throttle extends AnalyticsListener {
    private final RateLimiter limiter;

    Throttle(RateLimiter limiter) {
      this.limiter = limiter;
    }

    @Override
    public void requestEnd(int messageCount, int attempt, int statusCode, long latencyNanos) {
      if (statusCode == 429) {
        limiter.throttled(0);
      } else if (statusCode >= 200 && statusCode < 300) {
        limiter.accepted();
      }
    }
  }
}
