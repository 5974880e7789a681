package dev.analytics4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.messages.TrackMessage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The client is closed while the context stops: after the services that produce events, before bean destruction. */
class AnalyticsLifecycleTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  @Test
  void eventsOfAStoppingServiceAreSentWhenTheContextCloses() throws Exception {
    Collector.answerOkByDefault(server);
    Log log = new Log();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.write-key=test-key", "analytics4j.endpoint=" + server.url("/"),
            "analytics4j.flush-interval=1h", "analytics4j.close-timeout=10s")
        .withBean(Log.class, () -> log)
        .withUserConfiguration(Services.class)
        .run(context -> {
          assertThat(context).hasSingleBean(AnalyticsLifecycle.class);
          assertTrue(context.getBean(AnalyticsLifecycle.class).isRunning());
          assertEquals(0, server.getRequestCount(), "nothing is sent before the context stops");
        });

    // The producer (a consumer of a queue, a scheduler: phase near DEFAULT_PHASE) stops first and
    // its last event is sent by the close; a bean of a lower phase finds the client closed; beans
    // destroyed afterwards never see it open.
    assertEquals(List.of("producer stopped", "late bean stopped, client open: false", "destroyed, client open: false"),
        log.lines);
    String body = Collector.body(Collector.take(server));
    assertTrue(body.contains("\"event\":\"Service Stopping\""), body);
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void itsPhaseFollowsTheWebServersGracefulShutdownAndServerStop() {
    // WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE and WebServerStartStopLifecycle's phase,
    // in Boot 3.5 and 4.0; lower phases stop later.
    int gracefulShutdown = SmartLifecycle.DEFAULT_PHASE - 1024;
    int webServerStop = gracefulShutdown - 1024;
    assertTrue(AnalyticsLifecycle.PHASE < webServerStop);
    assertTrue(AnalyticsLifecycle.PHASE > 0, "before plain Lifecycle beans (phase 0)");
  }

  @Configuration(proxyBeanMethods = false)
  static class Services {
    @Bean
    SmartLifecycle producer(Analytics analytics, Log log) {
      return new Stoppable(SmartLifecycle.DEFAULT_PHASE, () -> {
        analytics.enqueue(TrackMessage.builder("Service Stopping").userId("system"));
        log.lines.add("producer stopped");
      });
    }

    @Bean
    SmartLifecycle late(Analytics analytics, Log log) {
      return new Stoppable(0, () -> log.lines.add("late bean stopped, client open: "
          + analytics.offer(TrackMessage.builder("Too Late").userId("system"))));
    }

    @Bean
    AutoCloseable destroyedLast(Analytics analytics, Log log) {
      return () -> log.lines.add("destroyed, client open: " + analytics.offer(TrackMessage.builder("Too Late").userId("system")));
    }
  }

  static final class Log {
    final List<String> lines = new CopyOnWriteArrayList<>();
  }

  static final class Stoppable implements SmartLifecycle {
    private final int phase;
    private final Runnable onStop;
    private volatile boolean running;

    Stoppable(int phase, Runnable onStop) {
      this.phase = phase;
      this.onStop = onStop;
    }

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      onStop.run();
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      return phase;
    }
  }

  @Test
  void aClientClosedByHandBeforeTheContextStopsIsNotAProblem() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
        .withPropertyValues("analytics4j.enabled=false")
        .run(context -> {
          context.getBean(Analytics.class).close();
          assertFalse(context.getBean(Analytics.class).offer(TrackMessage.builder("E").userId("u")));
        });
  }
}
