package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's "Testing code that sends events" shows these test sources whole; this keeps the text
 * identical to the code that compiles and passes here.
 */
class ReadmeTestingExamplesTest {
  private static final Path SOURCES = Paths.get("src/test/java/dev/analytics4j/examples");

  @ParameterizedTest
  @ValueSource(strings = {"Checkout.java", "CheckoutTest.java", "CheckoutExtensionTest.java", "CheckoutCollectorTest.java"})
  void theReadmeShowsTheExampleAsItIs(String file) throws IOException {
    String readme = new String(Files.readAllBytes(Paths.get("../README.md")), StandardCharsets.UTF_8);
    String source = new String(Files.readAllBytes(SOURCES.resolve(file)), StandardCharsets.UTF_8);
    assertTrue(readme.contains("```java\n" + source + "```\n"),
        file + " differs from its copy in README.md; copy the file into the README again");
  }
}
