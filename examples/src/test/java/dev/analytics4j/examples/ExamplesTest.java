package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each recipe runs to the end against its local collector. ShutdownHookExample is left out: it
 * ends the JVM on purpose.
 */
class ExamplesTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @BeforeEach
  void onlyAgainstTheLocalCollector() {
    String key = System.getenv(ExampleTarget.WRITE_KEY_ENV);
    assumeTrue(key == null || key.trim().isEmpty(), "a write key is set: the recipes would use the real API");
  }

  @Test
  void quickStartRuns() {
    assertTimeoutPreemptively(LIMIT, () -> QuickStartExample.main(new String[0]));
  }

  @Test
  void euRegionRuns() {
    assertTimeoutPreemptively(LIMIT, () -> EuRegionExample.main(new String[0]));
  }

  @Test
  void tryWithResourcesRuns() {
    assertTimeoutPreemptively(LIMIT, () -> TryWithResourcesExample.main(new String[0]));
  }

  @Test
  void batchJobRuns() {
    assertTimeoutPreemptively(LIMIT, () -> BatchJobExample.main(new String[0]));
  }

  @Test
  void customOkHttpClientRuns() {
    assertTimeoutPreemptively(LIMIT, () -> CustomOkHttpClientExample.main(new String[0]));
  }

  @Test
  void gzipRuns() {
    assertTimeoutPreemptively(LIMIT, () -> GzipExample.main(new String[0]));
  }

  @Test
  void callbacksAndMetricsRuns() {
    assertTimeoutPreemptively(LIMIT, () -> CallbacksAndMetricsExample.main(new String[0]));
  }

  @Test
  void messageInterceptorRuns() {
    assertTimeoutPreemptively(LIMIT, () -> MessageInterceptorExample.main(new String[0]));
  }

  @Test
  void historicalBackfillRuns() {
    assertTimeoutPreemptively(LIMIT, () -> HistoricalBackfillExample.main(new String[0]));
  }
}
