package dev.analytics4j.spring.boot;

import dev.analytics4j.Analytics;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the client while the application context stops, in a lifecycle phase of its own: after the
 * web server's graceful shutdown has let running requests finish (phase
 * {@code DEFAULT_PHASE - 1024}) and the server has stopped ({@code DEFAULT_PHASE - 2048}), and
 * after messaging containers and schedulers (near {@code DEFAULT_PHASE}), so the events of a
 * stopping service are enqueued before it; and before singletons are destroyed, so the client
 * still has its threads and connections to send them. Closing waits at most the client's
 * {@code close-timeout}, which should stay below {@code spring.lifecycle.timeout-per-shutdown-phase}.
 */
final class AnalyticsLifecycle implements SmartLifecycle {
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private final Analytics analytics;
  private volatile boolean running;

  AnalyticsLifecycle(Analytics analytics) {
    this.analytics = analytics;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    try {
      analytics.close();
    } finally {
      running = false;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
