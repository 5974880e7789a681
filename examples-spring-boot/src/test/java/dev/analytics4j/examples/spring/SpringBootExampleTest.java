package dev.analytics4j.examples.spring;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The recipe runs to the end against its local collector (its main fails when the event did not arrive). */
class SpringBootExampleTest {
  @Test
  void springBootRecipeRuns() {
    String key = System.getenv("ANALYTICS_WRITE_KEY");
    assumeTrue(key == null || key.trim().isEmpty(), "a write key is set: the recipe would use the real API");
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> SpringBootExample.main(new String[0]));
  }
}
