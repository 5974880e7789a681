package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Failure;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.RateLimiter;
import dev.analytics4j.internal.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Finds the lines of a batch the endpoint refused as a whole (HTTP 400, or 413 for its size): it
 * sends the batch's halves, and the halves of each half refused, until each refused line stands
 * alone; that line is rejected with the endpoint's answer and its line number, every other line is
 * delivered. Each request is a new batch of different messages, built by the core
 * ({@link Wire#batch}), so the wire contract's "never retry a 4xx" stands: no request is repeated
 * after a 4xx. Only answers the client itself retries (429, 5xx, a network error) are sent again.
 *
 * <p>The cost is capped: at most {@link #MAX_REQUESTS_PER_BATCH} requests per refused batch, which
 * isolates up to two refused lines in a batch of 250 (one costs 2 per halving, 16 in all; two cost
 * at most 30), and at most {@link #MAX_REFUSED_BEFORE_DELIVERY} when none of them is delivered.
 * Lines still refused with others then are not delivered, with the endpoint's answer. Its requests
 * are reported to {@link Outcomes} like the client's, so an endpoint that refuses everything still
 * stops the run after ten refusals in a row: at most eight requests more than before narrowing.
 *
 * <p>One thread narrows one batch at a time; its lines keep their room in the {@link Ledger} until
 * each is settled, so reading slows rather than piling up refused batches.
 */
final class Narrower implements Runnable {
  /** Requests one refused batch may cost at most. */
  static final int MAX_REQUESTS_PER_BATCH = 32;
  /**
   * Requests refused in a row, none delivered, after which a batch is given up on: the first three
   * halvings of a batch refused whole. With one or two bad lines a part is delivered sooner.
   */
  static final int MAX_REFUSED_BEFORE_DELIVERY = 8;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** The endpoint's answer quoted in a reason, at most. */
  private static final int MAX_ANSWER_CHARS = 300;

  private final Analytics.Builder client;
  private final Transport transport;
  private final Ledger ledger;
  private final Stops stops;
  private final Outcomes outcomes;
  private final @Nullable RateLimiter limiter;

  /** Refused batches waiting, each with the failure the client reported; guarded by this. */
  private final Deque<Refused> waiting = new ArrayDeque<>();
  /** The size of the batch each client thread was last refused; guarded by this. */
  private final Map<Thread, Integer> expected = new HashMap<>();
  /** The batch being narrowed; guarded by this. */
  private @Nullable Refused current;
  private boolean closed;
  private @Nullable Thread thread;
  private int requests;

  Narrower(Analytics.Builder client, Transport transport, Ledger ledger, Stops stops, Outcomes outcomes,
      @Nullable RateLimiter limiter) {
    this.client = client;
    this.transport = transport;
    this.ledger = ledger;
    this.stops = stops;
    this.outcomes = outcomes;
    this.limiter = limiter;
  }

  /** A batch the endpoint refused, as the client reported its messages one by one. */
  private static final class Refused {
    final Failure failure;
    /** How many messages the refused request held; 0 when not known, and then any number is all. */
    final int expected;
    final List<EncodedMessage> messages = new ArrayList<>();
    /** Those not settled yet, once narrowing began; guarded by the narrower. */
    final Set<EncodedMessage> open = Collections.newSetFromMap(new IdentityHashMap<>());

    Refused(Failure failure, int expected) {
      this.failure = failure;
      this.expected = expected;
    }

    boolean complete() {
      return messages.size() >= expected;
    }
  }

  /**
   * The listener heard a request refused with {@code code}: the client reports its messages' failures
   * next, on the same thread, and the batch is narrowed once all of them are here. (Narrowing half a
   * batch would reject a line refused only for the company it kept.)
   */
  synchronized void expect(int messageCount, int code) {
    Thread current = Thread.currentThread();
    if (current == thread) return; // its own requests
    if (code == 400 || code == 413) {
      expected.put(current, messageCount);
    } else {
      expected.remove(current);
    }
  }

  /** Whether a failure is one this class narrows down: the whole batch refused for its content. */
  static boolean narrows(Failure failure) {
    return (failure.statusCode() == 400 || failure.statusCode() == 413) && !failure.abandonedAtClose();
  }

  /**
   * Takes {@code message}, refused with its batch, to be narrowed down; false when it will not be
   * (the run stopped, or this closed), and the caller settles it. The client reports a batch's
   * messages one after another with the same {@link Failure}, which groups them again.
   */
  synchronized boolean take(EncodedMessage message, Failure failure) {
    if (closed || Stops.urgent(stops.get())) return false;
    Refused group = null;
    for (Refused r : waiting) {
      if (r.failure == failure) group = r;
    }
    if (group == null) {
      Integer count = expected.remove(Thread.currentThread());
      group = new Refused(failure, count != null ? count : 0);
      waiting.add(group);
    }
    group.messages.add(message);
    if (group.complete()) notifyAll();
    return true;
  }

  void start() {
    Thread t = new Thread(this, "analytics4j-import-narrower");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Requests sent so far. */
  synchronized int requests() {
    return requests;
  }

  /**
   * Stops narrowing: what is waiting or being narrowed is settled as not delivered, for the reason
   * the run stopped. Waits for the thread at most {@code timeout}; a request it still waits on is
   * left to time out, its lines settled here (never interrupted: an interrupt would close the
   * rejects file's channel under a write).
   */
  void close(Duration timeout) throws InterruptedException {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    Thread t = thread;
    if (t != null) t.join(Math.max(1, timeout.toMillis()));
    settleAll();
  }

  @Override
  public void run() {
    try {
      while (true) {
        Refused batch;
        synchronized (this) {
          while (!closed && (waiting.isEmpty() || !waiting.peek().complete())) wait();
          if (closed) return;
          batch = waiting.poll();
          batch.open.addAll(batch.messages);
          current = batch;
        }
        narrow(batch);
        synchronized (this) {
          current = null;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      settleAll();
    }
  }

  /**
   * Settles whatever was not, on the way out: nothing taken is ever left without an outcome. Under
   * the lock, as every settlement is, so that none is under way once it returns.
   */
  private synchronized void settleAll() {
    closed = true;
    List<Refused> left = new ArrayList<>();
    if (current != null) left.add(current);
    current = null;
    for (Refused batch : waiting) {
      batch.open.addAll(batch.messages);
      left.add(batch);
    }
    waiting.clear();
    for (Refused batch : left) {
      String why = Outcomes.stopReason(stops) + "; it was refused with its batch (HTTP " + batch.failure.statusCode()
          + ") and was being narrowed down";
      for (EncodedMessage message : batch.messages) notDelivered(batch, message, why);
    }
  }

  private void narrow(Refused batch) throws InterruptedException {
    String refusedWith = batch.failure.reason();
    if (batch.messages.size() == 1) {
      refused(batch, batch.messages.get(0), refusedWith);
      return;
    }
    // Breadth first: each halving sends both halves before going deeper, so a batch with one bad
    // line has a part delivered within two requests, and one whose parts are all refused is given
    // up on after a few.
    Deque<List<EncodedMessage>> parts = new ArrayDeque<>();
    addHalves(parts, batch.messages);
    int sent = 0;
    boolean anyDelivered = false;
    while (!parts.isEmpty()) {
      List<EncodedMessage> part = parts.poll();
      String giveUp = null;
      if (stopping()) {
        giveUp = Outcomes.stopReason(stops);
      } else if (sent == MAX_REQUESTS_PER_BATCH) {
        giveUp = String.format(Locale.ROOT, "refused with %,d other line(s) (%s); narrowing the batch down stopped "
            + "after %d requests", part.size() - 1, refusedWith, MAX_REQUESTS_PER_BATCH);
      } else if (sent == MAX_REFUSED_BEFORE_DELIVERY && !anyDelivered) {
        giveUp = String.format(Locale.ROOT, "refused with %,d other line(s) (%s); the endpoint refused each of the "
            + "first %d parts of the batch sent on their own, so it refuses more than a few lines", part.size() - 1,
            refusedWith, MAX_REFUSED_BEFORE_DELIVERY);
      }
      if (giveUp != null) {
        for (EncodedMessage message : part) notDelivered(batch, message, giveUp);
        continue;
      }
      sent++;
      Transport.Response answer = send(part);
      if (answer == null) {
        // The run stopped while the part waited to be sent (again).
        for (EncodedMessage message : part) notDelivered(batch, message, Outcomes.stopReason(stops));
        continue;
      }
      int code = answer.code();
      if (code >= 200 && code < 300) {
        anyDelivered = true;
        for (EncodedMessage message : part) delivered(batch, message);
      } else if (code == 400 || code == 413) {
        refusedWith = "HTTP " + code + answerText(answer);
        if (part.size() == 1) {
          // Refused alone: this line is what the endpoint refuses.
          refused(batch, part.get(0), refusedWith);
        } else {
          addHalves(parts, part);
        }
      } else {
        // Another refusal (401, 404...): Outcomes has stopped the run if every request would get it.
        String why = "HTTP " + code + " is not retryable" + answerText(answer) + " (a part of a refused batch, "
            + "sent on its own)";
        for (EncodedMessage message : part) notDelivered(batch, message, why);
      }
    }
  }

  // Each line is settled once, by whichever thread takes it out of its batch's open set first.

  private synchronized void delivered(Refused batch, EncodedMessage message) {
    if (batch.open.remove(message)) ledger.delivered(message.messageId());
  }

  private synchronized void notDelivered(Refused batch, EncodedMessage message, String why) {
    if (batch.open.remove(message)) ledger.notDelivered(message.messageId(), why);
  }

  private synchronized void refused(Refused batch, EncodedMessage message, String why) {
    if (batch.open.remove(message)) ledger.refused(message.messageId(), "refused by the endpoint: " + why);
  }

  private static void addHalves(Deque<List<EncodedMessage>> parts, List<EncodedMessage> part) {
    int half = part.size() / 2;
    parts.add(part.subList(0, half));
    parts.add(part.subList(half, part.size()));
  }

  private boolean stopping() {
    synchronized (this) {
      if (closed) return true;
    }
    return Stops.urgent(stops.get());
  }

  /**
   * Sends {@code part} until the endpoint answers something other than a retryable answer; null
   * when the run stopped first. Reported to {@link Outcomes} as the client's requests are.
   */
  private Transport.@Nullable Response send(List<EncodedMessage> part) throws InterruptedException {
    long backoff = MIN_BACKOFF_NANOS;
    for (int attempt = 1; ; attempt++) {
      if (!awaitPermits(part.size())) return null;
      Transport.Request request = Wire.batch(client, part, REQUEST_TIMEOUT);
      long wait;
      synchronized (this) {
        requests++;
      }
      outcomes.requestStart(part.size(), attempt);
      long start = System.nanoTime();
      try {
        Transport.Response response = transport.send(request);
        outcomes.requestEnd(part.size(), attempt, response.code(), System.nanoTime() - start);
        if (!isRetryable(response.code())) return new Transport.Response(response.code(), response.retryAfter(),
            response.location(), redact(response.body(), request));
        long asked = RateLimiter.waitNanos(response.retryAfter(), Instant.now(), RateLimiter.MAX_PAUSE_NANOS);
        wait = asked > 0 ? asked : backoff;
      } catch (IOException e) {
        outcomes.requestFailed(part.size(), attempt, e, System.nanoTime() - start);
        wait = backoff;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
      outcomes.retryScheduled(part.size(), attempt + 1, wait);
      if (ledger.awaitUntil(this::stopping, System.nanoTime() + wait)) return null;
    }
  }

  /** The same answers the client retries. */
  private static boolean isRetryable(int code) {
    return code == 429 || EndpointWatch.isDownAnswer(code);
  }

  private boolean awaitPermits(int permits) throws InterruptedException {
    if (limiter == null) return !stopping();
    while (true) {
      if (stopping()) return false;
      long wait = limiter.tryAcquire(permits);
      if (wait == 0) return true;
      ledger.awaitUntil(this::stopping, System.nanoTime() + wait);
    }
  }

  private static String answerText(Transport.Response response) {
    String body = response.body().trim();
    return body.isEmpty() ? "" : ": " + body;
  }

  /**
   * The endpoint's answer fit for one entry of the rejects file: on one line, cut short, and without
   * the write key, which a collector may echo back.
   */
  private static String redact(String body, Transport.Request request) {
    String text = body;
    String auth = request.headers().get("Authorization");
    if (auth != null && auth.startsWith("Basic ")) {
      String encoded = auth.substring("Basic ".length());
      String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      String key = decoded.endsWith(":") ? decoded.substring(0, decoded.length() - 1) : decoded;
      if (!encoded.isEmpty()) text = text.replace(encoded, "<write key>");
      if (!key.isEmpty()) text = text.replace(key, "<write key>");
    }
    text = ImportResult.oneLine(text);
    return text.length() > MAX_ANSWER_CHARS ? text.substring(0, MAX_ANSWER_CHARS) + "..." : text;
  }
}
