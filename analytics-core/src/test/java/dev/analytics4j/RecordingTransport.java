package dev.analytics4j;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A transport for queue and flusher tests: records each request and answers with the next scripted
 * answer, or 200 when none is scripted. An answer may block until released, to hold requests in flight.
 */
public final class RecordingTransport implements Transport {
  public interface Answer {
    Response answer(Request request) throws IOException, InterruptedException;
  }

  public static Answer status(int code) {
    return request -> new Response(code, null, "");
  }

  private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final List<Request> all = new ArrayList<>();
  private volatile boolean closed;
  /** How long every answer takes, like a collector that is slow to respond. */
  public volatile java.time.Duration delay = java.time.Duration.ZERO;

  public RecordingTransport enqueue(Answer answer) {
    script.add(answer);
    return this;
  }

  @Override
  public Response send(Request request) throws IOException {
    synchronized (all) {
      all.add(request);
    }
    requests.add(request);
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    Answer answer = script.poll();
    if (answer == null) return new Response(200, null, "{\"success\":true}");
    try {
      return answer.answer(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The next request sent, waiting up to 10 s; fails the test when none comes. */
  public Request takeRequest() throws InterruptedException {
    Request request = requests.poll(10, TimeUnit.SECONDS);
    if (request == null) throw new AssertionError("no request within 10 s");
    return request;
  }

  public int requestCount() {
    synchronized (all) {
      return all.size();
    }
  }

  public List<Request> requests() {
    synchronized (all) {
      return new ArrayList<>(all);
    }
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
