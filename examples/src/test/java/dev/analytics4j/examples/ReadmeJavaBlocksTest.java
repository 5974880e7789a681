package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.examples.ReadmeJavaBlocks.Block;
import dev.analytics4j.examples.ReadmeJavaBlocks.Kind;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README compiles as printed, on Java 11 against what a user of
 * {@code analytics-okhttp} and {@code analytics-testing} has; blocks that use Spring or Micrometer
 * are compiled by {@code examples-spring-boot}'s {@code ReadmeSpringBlocksTest}. See {@link
 * ReadmeJavaBlocks} for the markers.
 */
class ReadmeJavaBlocksTest {
  private static final Path README = Path.of("../README.md");

  @TempDir Path output;

  @TestFactory
  Stream<DynamicTest> readmeJavaBlocksCompile() {
    List<Block> blocks = ReadmeJavaBlocks.parse(README);
    assertFalse(blocks.isEmpty(), "no ```java blocks found in " + README.toAbsolutePath());
    List<Path> classpath = ReadmeJavaBlocks.testClasspath();
    return blocks.stream()
        .filter(block -> block.kind != Kind.FRAGMENT && !block.needsSpringBoot())
        .map(block -> DynamicTest.dynamicTest(block.toString(),
            () -> ReadmeJavaBlocks.compile(block, classpath, 11, output)));
  }

  @Test
  void theUsageSnippetIsAWholeClass() {
    Block usage = ReadmeJavaBlocks.parse(README).stream()
        .filter(block -> block.source.contains(".flushAt(250)"))
        .findFirst().orElseThrow(() -> new AssertionError("the Usage snippet (with .flushAt(250)) is gone"));
    assertEquals(Kind.COMPILATION_UNIT, usage.kind);
    assertTrue(usage.source.startsWith("import "), "the Usage snippet shows its imports first");
  }

  @Test
  void aBlockWithAnEllipsisOrAnUndefinedNameDoesNotCompile() {
    String markdown = "text\n\n<!-- compile: statements -->\n```java\nimport java.util.List;\n\n"
        + "List<String> names = List.of(sessionId);\n```\n\n```java\nclass Handler { void on() { ... } }\n```\n";
    List<Block> blocks = ReadmeJavaBlocks.parse(markdown);
    List<Path> classpath = ReadmeJavaBlocks.testClasspath();

    AssertionError undefined = assertThrows(AssertionError.class,
        () -> ReadmeJavaBlocks.compile(blocks.get(0), classpath, 11, output));
    assertTrue(undefined.getMessage().startsWith("README.md line 5 (statements) does not compile:\n  README.md:7: error: "),
        undefined.getMessage());
    assertTrue(undefined.getMessage().contains("sessionId"), undefined.getMessage());
    AssertionError ellipsis = assertThrows(AssertionError.class,
        () -> ReadmeJavaBlocks.compile(blocks.get(1), classpath, 11, output));
    assertTrue(ellipsis.getMessage().startsWith("README.md line 11 (compilation unit) does not compile:\n  README.md:11: error: "),
        ellipsis.getMessage());
  }

  @Test
  void statementsAreCompiledOnlyWhenMarked() {
    List<Block> blocks = ReadmeJavaBlocks.parse("```java\nSystem.out.println(1);\n```\n");

    AssertionError error = assertThrows(AssertionError.class, () -> ReadmeJavaBlocks.unit(blocks.get(0)));
    assertEquals("README.md line 2 (compilation unit) is not a whole class (no top-level type declaration); "
        + "mark it <!-- compile: statements --> or <!-- fragment: why -->", error.getMessage());
  }

  @Test
  void aMisspeltMarkerIsAnError() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ReadmeJavaBlocks.parse("<!-- compile: statement -->\n```java\nint a = 1;\n```\n"));
    assertEquals("line 1: unknown marker before a ```java block: <!-- compile: statement --> "
        + "(use <!-- compile: statements --> or <!-- fragment: why -->)", error.getMessage());
  }

  @Test
  void fragmentsAreMarkedWithTheirReason() {
    List<Block> blocks = ReadmeJavaBlocks.parse("<!-- fragment: analytics-java's API -->\n```java\nAnalytics.builder(key);\n```\n");

    assertEquals(Kind.FRAGMENT, blocks.get(0).kind);
  }
}
