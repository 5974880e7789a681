package dev.analytics4j.cli;

import dev.analytics4j.Transport;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The check before anything is read: the client's own request for an empty batch (from the core,
 * so its envelope, {@code sentAt} and headers are the client's), sent until the endpoint answers, so
 * that a wrong host, a refused key or a dead endpoint is found before the first line is read.
 */
final class EndpointProbe {
  private final Transport transport;
  private final Transport.Request request;
  private final EndpointWatch watch;
  private final Stops stops;
  private final Ledger ledger;
  private final Duration maxDowntime;

  EndpointProbe(Transport transport, Transport.Request request, EndpointWatch watch, Stops stops, Ledger ledger,
      Duration maxDowntime) {
    this.transport = transport;
    this.request = request;
    this.watch = watch;
    this.stops = stops;
    this.ledger = ledger;
    this.maxDowntime = maxDowntime;
  }

  /**
   * Whether the endpoint answers; retries while it is down, up to {@code maxDowntime}. When it
   * returns false the run has stopped, and says why.
   */
  boolean answers() throws InterruptedException {
    String url = request.url();
    long firstFailure = 0;
    long delay = TimeUnit.MILLISECONDS.toNanos(250);
    // Reported to the watch like the client's own requests, so the progress line shows the check's retries.
    for (int attempt = 1; !stops.stopped(); attempt++) {
      String problem;
      watch.requestStart(0, attempt);
      long sent = System.nanoTime();
      try {
        int code = transport.send(request).code();
        watch.requestEnd(0, attempt, code, System.nanoTime() - sent);
        if (code == 401 || code == 403) {
          stops.stop(Stops.auth(code));
          return false;
        }
        if (Stops.wrongEndpoint(code)) {
          stops.stop(Stops.wrongEndpoint("POST " + url, code));
          return false;
        }
        // It answers; a 400 for an empty batch is fine.
        if (!EndpointWatch.isDownAnswer(code) && code != 429 && code < 500) return true;
        problem = "HTTP " + code;
      } catch (UnknownHostException | SSLException e) {
        watch.requestFailed(0, attempt, e, System.nanoTime() - sent);
        // Not an outage that waiting would end: a misspelt host, a certificate that does not match.
        stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "POST " + url + " failed: "
            + EndpointWatch.describe(e) + "; check --endpoint; nothing was read", ImportResult.EXIT_ENDPOINT));
        return false;
      } catch (IOException e) {
        watch.requestFailed(0, attempt, e, System.nanoTime() - sent);
        problem = EndpointWatch.describe(e);
      }
      long now = System.nanoTime();
      if (firstFailure == 0) firstFailure = now;
      if (now - firstFailure >= maxDowntime.toNanos()) {
        stops.stop(new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, "the endpoint " + url
            + (problem.equals("HTTP 429") ? " rate-limited every request for " : " did not answer for ")
            + Importer.clock(maxDowntime.getSeconds()) + " (" + problem + "); nothing was read; see --max-downtime",
            ImportResult.EXIT_ENDPOINT));
        return false;
      }
      long wait = Math.min(delay, maxDowntime.toNanos() - (now - firstFailure));
      watch.retryScheduled(0, attempt + 1, wait);
      ledger.awaitUntil(stops::stopped, now + wait); // a stop (Ctrl-C) ends the wait at once
      delay = Math.min(delay * 2, TimeUnit.SECONDS.toNanos(5));
    }
    return false;
  }
}
