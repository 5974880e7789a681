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
 * The README's {@code ```java} blocks that use Spring or Micrometer compile as printed, on Java 17
 * against the starter, Spring Boot's web and test starters, Micrometer and the testing kit; {@code
 * examples}' {@code ReadmeJavaBlocksTest} compiles the others on Java 11. In the package of {@link
 * ReadmeJavaBlocks}, which the {@code examples} test-jar brings.
 */
class ReadmeSpringBlocksTest {
  private static final Path README = Path.of("../README.md");
  private static final Path RECORDING_TEST =
      Path.of("src/test/java/dev/analytics4j/examples/spring/CheckoutControllerTest.java");

  @TempDir Path output;

  @TestFactory
  Stream<DynamicTest> readmeSpringAndMicrometerBlocksCompile() {
    List<Block> blocks = ReadmeJavaBlocks.parse(README).stream()
        .filter(block -> block.kind != Kind.FRAGMENT && block.needsSpringBoot())
        .collect(Collectors.toList());
    assertFalse(blocks.isEmpty(), "no ```java blocks using Spring or Micrometer in " + README.toAbsolutePath());
    List<Path> classpath = ReadmeJavaBlocks.testClasspath();
    return blocks.stream().map(block -> DynamicTest.dynamicTest(block.toString(),
        () -> ReadmeJavaBlocks.compile(block, classpath, 17, output)));
  }

  @Test
  void theReadmeShowsTheSpringBootRecordingTestAsItIs() throws IOException {
    String readme = new String(Files.readAllBytes(README), StandardCharsets.UTF_8);
    String source = new String(Files.readAllBytes(RECORDING_TEST), StandardCharsets.UTF_8);
    assertTrue(readme.contains("```java\n" + source + "```\n"),
        RECORDING_TEST + " differs from its copy in README.md; copy the file into the README again");
  }
}
