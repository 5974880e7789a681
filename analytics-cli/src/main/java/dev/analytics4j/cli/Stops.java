package dev.analytics4j.cli;

import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Why the run stopped early, once it has: the first reason wins (but see {@link #stop}), and setting
 * it wakes every wait of the run (through the {@link Ledger}) and ends the holding of room for more
 * lines.
 */
final class Stops {
  private final AtomicReference<ImportResult.@Nullable Stop> stop = new AtomicReference<>();
  private final Ledger ledger;

  Stops(Ledger ledger) {
    this.ledger = ledger;
  }

  ImportResult.@Nullable Stop get() {
    return stop.get();
  }

  boolean stopped() {
    return stop.get() != null;
  }

  /**
   * Stops the run for {@code reason} unless it already stopped; a stop of reading (an input that
   * could not be read to its end) gives way to a later interruption, refused key or failed
   * endpoint: the run still sends what was read after it, and those outrank it, in the exit code
   * as in how the sending ends (at once, or within the shutdown timeout).
   */
  void stop(ImportResult.Stop reason) {
    while (true) {
      ImportResult.Stop current = stop.get();
      if (current != null && !(current.kind == ImportResult.Stop.Kind.INPUT && outranksInput(reason.kind))) return;
      if (stop.compareAndSet(current, reason)) {
        ledger.close();
        return;
      }
    }
  }

  private static boolean outranksInput(ImportResult.Stop.Kind kind) {
    return kind == ImportResult.Stop.Kind.INTERRUPTED || kind == ImportResult.Stop.Kind.AUTH
        || kind == ImportResult.Stop.Kind.ENDPOINT;
  }

  /** Stops the run for {@code reason}, replacing an earlier reason: for an outcome that outranks any. */
  void override(ImportResult.Stop reason) {
    stop.set(reason);
    ledger.close();
  }

  /** A stop after which nothing more is sent: every request would meet the same answer. */
  static boolean urgent(ImportResult.@Nullable Stop s) {
    return s != null && (s.kind == ImportResult.Stop.Kind.AUTH || s.kind == ImportResult.Stop.Kind.ENDPOINT);
  }

  static boolean interrupted(ImportResult.@Nullable Stop s) {
    return s != null && s.kind == ImportResult.Stop.Kind.INTERRUPTED;
  }

  /** Answers that every batch would get: a redirect (not followed), no such path, no POST there. */
  static boolean wrongEndpoint(int code) {
    return (code >= 300 && code < 400) || code == 404 || code == 405;
  }

  static ImportResult.Stop wrongEndpoint(String what, int code) {
    String why = code < 400 ? " (a redirect, which the importer does not follow: is it https?)" : "";
    return new ImportResult.Stop(ImportResult.Stop.Kind.ENDPOINT, what + " answered HTTP " + code + why
        + "; check --endpoint (give the host only: the importer adds /v1/batch)", ImportResult.EXIT_ENDPOINT);
  }

  static ImportResult.Stop auth(int code) {
    return new ImportResult.Stop(ImportResult.Stop.Kind.AUTH, "the endpoint refused the write key (HTTP " + code
        + "); check the key and --region (a US workspace's key is refused in the EU, and the reverse)",
        ImportResult.EXIT_AUTH);
  }
}
