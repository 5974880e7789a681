package dev.analytics4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Which Markdown pages have their {@code ```java} blocks compiled by this build's doc tests
 * ({@code ReadmeJavaBlocksTest} here on Java 11, {@code ReadmeSpringBlocksTest} in {@code
 * examples-spring-boot} on Java 17): the README and every page under {@code docs/}, found on disk,
 * so a new page is compiled without anyone listing it. A page compiled by another module's tests is
 * named in {@link #COMPILED_ELSEWHERE}; any other Markdown file with Java blocks fails {@link
 * #uncovered}, so no page's code can go unchecked.
 */
final class DocPages {
  /** The repository root, seen from a module directory (where Surefire runs the tests). */
  static final Path ROOT = Path.of("..");

  /**
   * Pages whose blocks need a classpath these modules do not have, and the module whose tests
   * compile them. docs/spark.md is compiled by analytics-spark's tests (Spark and Java 17 are on
   * that module's classpath only).
   */
  static final Map<String, String> COMPILED_ELSEWHERE = Map.of("docs/spark.md", "analytics-spark");

  private DocPages() {}

  /** The pages this build compiles, as paths from the repository root with '/' separators. */
  static List<String> compiledHere(Path root) {
    List<String> pages = new ArrayList<>();
    if (Files.isRegularFile(root.resolve("README.md"))) pages.add("README.md");
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      for (String page : markdownUnder(root, docs)) {
        if (!COMPILED_ELSEWHERE.containsKey(page)) pages.add(page);
      }
    }
    return pages;
  }

  static List<String> compiledHere() {
    return compiledHere(ROOT);
  }

  /** Every page's blocks, in page order. */
  static List<ReadmeJavaBlocks.Block> blocks() {
    List<ReadmeJavaBlocks.Block> blocks = new ArrayList<>();
    for (String page : compiledHere()) blocks.addAll(ReadmeJavaBlocks.parse(ROOT.resolve(page), page));
    return blocks;
  }

  /**
   * Markdown files under {@code root} with a {@code ```java} block that neither this build compiles
   * nor {@link #COMPILED_ELSEWHERE} names, each with why.
   */
  static List<String> uncovered(Path root) {
    List<String> compiled = compiledHere(root);
    List<String> problems = new ArrayList<>();
    for (String page : markdownUnder(root, root)) {
      if (compiled.contains(page) || COMPILED_ELSEWHERE.containsKey(page)) continue;
      if (!ReadmeJavaBlocks.parse(root.resolve(page), page).isEmpty()) {
        problems.add(page + " has ```java blocks that no test compiles: move it under docs/, or name the "
            + "module whose tests compile it in DocPages.COMPILED_ELSEWHERE");
      }
    }
    for (Map.Entry<String, String> elsewhere : new TreeMap<>(COMPILED_ELSEWHERE).entrySet()) {
      String page = elsewhere.getKey();
      if (!Files.isRegularFile(root.resolve(page))) continue;
      Path tests = root.resolve(elsewhere.getValue()).resolve("src/test");
      String name = page.substring(page.lastIndexOf('/') + 1);
      if (!mentions(tests, name)) {
        problems.add(page + " is left to " + elsewhere.getValue() + "'s tests, but no file under "
            + root.relativize(tests).toString().replace('\\', '/') + " names " + name);
      }
    }
    return problems;
  }

  private static List<String> markdownUnder(Path root, Path dir) {
    List<String> pages = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<Path>() {
        @Override
        public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
          // Build output (a consumer build's local repository holds thousands of files), version
          // control and tool directories hold no pages of ours.
          String name = directory.getFileName() == null ? "" : directory.getFileName().toString();
          boolean skip = !directory.equals(dir)
              && (name.equals("target") || name.equals("node_modules") || name.startsWith("."));
          return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".md")) {
            pages.add(root.relativize(file).toString().replace('\\', '/'));
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(pages);
    return pages;
  }

  private static boolean mentions(Path dir, String text) {
    if (!Files.isDirectory(dir)) return false;
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).anyMatch(file -> {
        try {
          return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
