package dev.analytics4j.examples;

import static dev.analytics4j.testing.MessagePattern.track;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.IdentifyMessage;
import dev.analytics4j.messages.TrackMessage;
import dev.analytics4j.testing.RecordingAnalytics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/testing.md ("Testing code that sends events") shows these test sources whole, and a failure
 * message; this keeps the text identical to the code that compiles and passes here, and to what the
 * kit prints.
 */
class ReadmeTestingExamplesTest {
  private static final Path SOURCES = Paths.get("src/test/java/dev/analytics4j/examples");

  @Test
  void thePageShowsAFailureAsTheKitPrintsIt() throws IOException {
    AssertionError failure;
    try (RecordingAnalytics recorder = RecordingAnalytics.create()) {
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("revenue", 40.0);
      properties.put("currency", "EUR");
      recorder.analytics().enqueue(IdentifyMessage.builder().userId("u1").traits(Map.of("customer", true)));
      recorder.analytics().enqueue(TrackMessage.builder("Order Completed").userId("u1").properties(properties));
      failure = assertThrows(AssertionError.class,
          () -> recorder.sent().assertSent(track("Order Completed").user("u1").property("revenue", 42.5)));
    }
    assertTrue(page().contains("```text\n" + failure.getMessage() + "\n```\n"),
        "docs/testing.md should show this failure as printed:\n" + failure.getMessage());
  }

  private static String page() throws IOException {
    return new String(Files.readAllBytes(Paths.get("../docs/testing.md")), StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Checkout.java", "CheckoutTest.java", "CheckoutExtensionTest.java", "CheckoutCollectorTest.java"})
  void thePageShowsTheExampleAsItIs(String file) throws IOException {
    String page = page();
    String source = new String(Files.readAllBytes(SOURCES.resolve(file)), StandardCharsets.UTF_8);
    assertTrue(page.contains("```java\n" + source + "```\n"),
        file + " differs from its copy in docs/testing.md; copy the file into the page again");
  }
}
