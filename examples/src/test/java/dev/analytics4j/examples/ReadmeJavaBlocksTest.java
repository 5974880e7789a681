package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.examples.ReadmeJavaBlocks.Block;
import dev.analytics4j.examples.ReadmeJavaBlocks.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of the README and of the pages under {@code docs/} ({@link DocPages})
 * compiles as printed, on Java 11 against what a user of {@code analytics-okhttp} and {@code
 * analytics-testing} has; blocks that use Spring or Micrometer are compiled by {@code
 * examples-spring-boot}'s {@code ReadmeSpringBlocksTest}. See {@link ReadmeJavaBlocks} for the markers.
 */
class ReadmeJavaBlocksTest {
  @TempDir Path output;

  @TestFactory
  Stream<DynamicTest> docJavaBlocksCompile() {
    List<Block> blocks = DocPages.blocks();
    assertFalse(blocks.isEmpty(), "no ```java blocks found in " + DocPages.compiledHere());
    List<Path> classpath = ReadmeJavaBlocks.testClasspath();
    return blocks.stream()
        .filter(block -> block.kind != Kind.FRAGMENT && !block.needsSpringBoot())
        .map(block -> DynamicTest.dynamicTest(block.toString(),
            () -> ReadmeJavaBlocks.compile(block, classpath, 11, output)));
  }

  @Test
  void everyPageWithJavaBlocksIsCompiledBySomeTest() {
    assertEquals(List.of(), DocPages.uncovered(DocPages.ROOT));
  }

  @Test
  void theReadmeAndEveryDocsPageAreCompiled() {
    List<String> pages = DocPages.compiledHere();
    assertEquals("README.md", pages.get(0));
    for (String page : List.of("docs/usage.md", "docs/reliability.md", "docs/spool.md", "docs/testing.md",
        "docs/spring-boot.md", "docs/micrometer.md", "docs/migration.md")) {
      assertTrue(pages.contains(page), page + " is not among the compiled pages " + pages);
    }
  }

  @Test
  void aPageOutsideDocsWithJavaBlocksIsReported(@TempDir Path repo) throws IOException {
    Files.createDirectories(repo.resolve("docs"));
    Files.writeString(repo.resolve("README.md"), "# r\n");
    Files.writeString(repo.resolve("docs/new-page.md"), "```java\nclass A {}\n```\n");
    Files.createDirectories(repo.resolve("analytics-foo/target"));
    Files.writeString(repo.resolve("analytics-foo/README.md"), "text\n\n```java\nclass B {}\n```\n");
    Files.writeString(repo.resolve("analytics-foo/NOTES.md"), "no code here\n```sh\nls\n```\n");
    Files.writeString(repo.resolve("analytics-foo/target/copied.md"), "```java\nclass C {}\n```\n");

    assertEquals(List.of("README.md", "docs/new-page.md"), DocPages.compiledHere(repo));
    assertEquals(List.of("analytics-foo/README.md has ```java blocks that no test compiles: move it under "
        + "docs/, or name the module whose tests compile it in DocPages.COMPILED_ELSEWHERE"), DocPages.uncovered(repo));
  }

  @Test
  void aPageLeftToAnotherModuleMustBeNamedByItsTests(@TempDir Path repo) throws IOException {
    Files.createDirectories(repo.resolve("docs"));
    Files.writeString(repo.resolve("docs/spark.md"), "```java\nclass A {}\n```\n");
    Path tests = Files.createDirectories(repo.resolve("analytics-spark/src/test/java"));

    assertEquals(List.of(), DocPages.compiledHere(repo));
    assertEquals(List.of("docs/spark.md is left to analytics-spark's tests, but no file under "
        + "analytics-spark/src/test names spark.md"), DocPages.uncovered(repo));

    Files.writeString(tests.resolve("SparkDocTest.java"), "// compiles ../docs/spark.md\n");
    assertEquals(List.of(), DocPages.uncovered(repo));
  }

  /**
   * The README is the page a newcomer reads first: short, with both quick-start commands and a first
   * event (builder, endpoint, enqueue, close) on its first screen.
   */
  @Test
  void theReadmeStartsWithCode() throws IOException {
    List<String> lines = Files.readAllLines(DocPages.ROOT.resolve("README.md"));
    assertTrue(lines.size() <= 250, "README.md has " + lines.size() + " lines; move detail to a page under docs/");
    int mainJob = lines.indexOf("mvn -B -q -DskipTests package exec:java -pl examples -am");
    int tests = lines.indexOf("mvn -B verify");
    assertTrue(mainJob >= 0 && tests > mainJob, "README.md lost its two quick-start commands");
    Block first = ReadmeJavaBlocks.parse(DocPages.ROOT.resolve("README.md"), "README.md").get(0);
    assertTrue(first.line <= 60, "the first Java block starts at line " + first.line + ", below the first screen");
    long lineCount = first.source.lines().count();
    assertTrue(lineCount <= 16, "the first event is " + lineCount + " lines long");
    for (String call : List.of("Analytics.builder(", ".endpoint(", ".enqueue(", ".close()")) {
      assertTrue(first.source.contains(call), "the first event does not show " + call);
    }
  }

  @Test
  void theUsageSnippetIsAWholeClass() {
    Block usage = DocPages.blocks().stream()
        .filter(block -> block.source.contains(".flushAt(250)"))
        .findFirst().orElseThrow(() -> new AssertionError("the Usage snippet (with .flushAt(250)) is gone"));
    assertEquals("docs/usage.md", usage.page);
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
    assertEquals("README.md line 1: unknown marker before a ```java block: <!-- compile: statement --> "
        + "(use <!-- compile: statements --> or <!-- fragment: why -->)", error.getMessage());
  }

  @Test
  void fragmentsAreMarkedWithTheirReason() {
    List<Block> blocks = ReadmeJavaBlocks.parse("<!-- fragment: analytics-java's API -->\n```java\nAnalytics.builder(key);\n```\n");

    assertEquals(Kind.FRAGMENT, blocks.get(0).kind);
  }
}
