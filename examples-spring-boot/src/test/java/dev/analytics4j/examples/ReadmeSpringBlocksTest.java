package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.examples.ReadmeJavaBlocks.Block;
import dev.analytics4j.examples.ReadmeJavaBlocks.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ```java} blocks of the README and the pages under {@code docs/} ({@link DocPages}) that
 * use Spring or Micrometer compile as printed, on Java 17 against the starter, Spring Boot's web and
 * test starters, Micrometer and the testing kit; {@code examples}' {@code ReadmeJavaBlocksTest}
 * compiles the others on Java 11. In the package of {@link ReadmeJavaBlocks} and {@link DocPages},
 * which the {@code examples} test-jar brings.
 */
class ReadmeSpringBlocksTest {
  private static final Path TESTING_PAGE = Path.of("../docs/testing.md");
  private static final Path RECORDING_TEST =
      Path.of("src/test/java/dev/analytics4j/examples/spring/CheckoutControllerTest.java");

  @TempDir Path output;

  @TestFactory
  Stream<DynamicTest> docSpringAndMicrometerBlocksCompile() {
    List<Block> blocks = DocPages.blocks().stream()
        .filter(block -> block.kind != Kind.FRAGMENT && block.needsSpringBoot())
        .collect(Collectors.toList());
    assertFalse(blocks.isEmpty(), "no ```java blocks using Spring or Micrometer in " + DocPages.compiledHere());
    for (String page : List.of("docs/spring-boot.md", "docs/micrometer.md", "docs/testing.md")) {
      assertTrue(blocks.stream().anyMatch(block -> block.page.equals(page)), "no Spring or Micrometer block in " + page);
    }
    List<Path> classpath = ReadmeJavaBlocks.testClasspath();
    return blocks.stream().map(block -> DynamicTest.dynamicTest(block.toString(),
        () -> ReadmeJavaBlocks.compile(block, classpath, 17, output)));
  }

  @Test
  void theTestingPageShowsTheSpringBootRecordingTestAsItIs() throws IOException {
    String page = new String(Files.readAllBytes(TESTING_PAGE), StandardCharsets.UTF_8);
    String source = new String(Files.readAllBytes(RECORDING_TEST), StandardCharsets.UTF_8);
    assertTrue(page.contains("```java\n" + source + "```\n"),
        RECORDING_TEST + " differs from its copy in docs/testing.md; copy the file into the page again");
  }
}
