package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.DropReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md maps every WARN and ERROR line, every drop reason and every failure reason to
 * what it means and what to do. These tests read the library's main sources, so a log line, a
 * {@link DropReason} or a failure reason added without its entry on the page fails the build
 * instead of leaving the page silently incomplete.
 */
class OperationsPageTest {
  private static final Path PAGE = DocPages.ROOT.resolve("docs/operations.md");

  /** Modules with main sources that are not the library: what they log is not ours to document. */
  private static final Set<String> NOT_PUBLISHED =
      Set.of("examples", "examples-spring-boot", "benchmarks", "analytics-consumer-tests");

  /**
   * A WARN or ERROR call whose message is a string literal (or literals joined with +): SLF4J's
   * {@code logger.warn("...", args)}, and the JDK's {@code logger.log(Level.WARNING, "...")}.
   */
  private static final Pattern LOG_CALL = Pattern.compile(
      "\\b(?:logger|log|Log|LOGGER|LOG)\\s*\\.\\s*(?:(warn|error)\\s*\\(|log\\s*\\(\\s*(?:System\\.Logger\\.)?Level\\.(WARNING|ERROR)\\s*,)"
          + "\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*\\+?\\s*)+)");
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One log call: where it is, its level and its message template. */
  static final class LogLine {
    final String where;
    final String level;
    final String template;

    LogLine(String where, String level, String template) {
      this.where = where;
      this.level = level;
      this.template = template;
    }

    @Override
    public String toString() {
      return level + " " + template + " (" + where + ")";
    }
  }

  @Test
  void everyWarnAndErrorLineIsOnThePage() {
    List<LogLine> lines = logLines(DocPages.ROOT);
    // The scanner must keep recognising the library's logging calls: 35 WARN and ERROR lines when
    // this page was written. Far fewer means the calls changed shape, not that the logs went quiet.
    assertTrue(lines.size() >= 30, "found only " + lines.size() + " WARN/ERROR lines in the main sources: "
        + "has the logging API changed? Teach OperationsPageTest.LOG_CALL the new calls. " + lines);
    String page = normalized(read(PAGE));
    List<String> missing = lines.stream()
        .filter(line -> !page.contains("`" + normalized(line.template) + "`"))
        .map(LogLine::toString)
        .collect(Collectors.toList());
    assertEquals(List.of(), missing, "docs/operations.md does not list these log lines (as `template`, "
        + "with what they mean and what to do)");
  }

  @Test
  void everyDropReasonHasItsRow() {
    String drops = section(read(PAGE), "## Drop reasons");
    for (DropReason reason : DropReason.values()) {
      assertTrue(drops.contains("| `" + reason.name() + "` |"),
          "docs/operations.md's Drop reasons table has no row for " + reason);
    }
  }

  @Test
  void everyFailureReasonIsOnThePage() {
    String failures = normalized(section(read(PAGE), "## Failures"));
    List<String> fragments = failureReasonFragments(DocPages.ROOT.resolve("analytics-core/src/main/java"));
    assertTrue(fragments.size() >= 10, "found only " + fragments + " in the arguments of new Failure(...)");
    List<String> missing = fragments.stream().filter(fragment -> !failures.contains(normalized(fragment)))
        .collect(Collectors.toList());
    assertEquals(List.of(), missing, "docs/operations.md's Failures section does not show these parts of "
        + "failure reasons");
  }

  /** The scanner itself: what it takes for a log line, and what it leaves alone. */
  @Test
  void theScannerFindsLogCallsAndNothingElse() {
    String source = "class A {\n"
        + "  void f() {\n"
        + "    logger.warn(\"Queue full: dropped {} messages; \"\n"
        + "        + \"the endpoint is slow\", n);\n"
        + "    LOG.error(\"It broke: \\\"{}\\\"\", e);\n"
        + "    logger.log(System.Logger.Level.WARNING, \"JDK {} line\", x);\n"
        + "    logger.info(\"not a warning\");\n"
        + "    throw json.error(\"a parse error, not a log line\");\n"
        + "  }\n"
        + "}\n";

    List<String> found = logLines("A.java", source).stream().map(LogLine::toString).collect(Collectors.toList());

    assertEquals(List.of(
        "WARN Queue full: dropped {} messages; the endpoint is slow (A.java:3)",
        "ERROR It broke: \"{}\" (A.java:5)",
        "WARN JDK {} line (A.java:6)"), found);
  }

  static List<LogLine> logLines(Path root) {
    List<LogLine> lines = new ArrayList<>();
    for (Path file : mainSources(root)) {
      lines.addAll(logLines(root.relativize(file).toString().replace('\\', '/'), read(file)));
    }
    return lines;
  }

  static List<LogLine> logLines(String where, String source) {
    List<LogLine> lines = new ArrayList<>();
    Matcher call = LOG_CALL.matcher(source);
    while (call.find()) {
      String level = call.group(1) != null ? call.group(1) : call.group(2);
      level = level.equalsIgnoreCase("error") ? "ERROR" : "WARN";
      int line = 1 + (int) source.substring(0, call.start()).chars().filter(c -> c == '\n').count();
      lines.add(new LogLine(where + ":" + line, level, joinLiterals(call.group(3))));
    }
    return lines;
  }

  /**
   * The string literals inside each {@code new Failure(...)} of the sources under {@code dir}: the
   * fixed parts of every failure reason, trimmed, those with at least three letters.
   */
  static List<String> failureReasonFragments(Path dir) {
    List<String> fragments = new ArrayList<>();
    for (Path file : javaFiles(dir)) {
      String source = read(file);
      for (int at = source.indexOf("new Failure("); at >= 0; at = source.indexOf("new Failure(", at + 1)) {
        Matcher literal = LITERAL.matcher(arguments(source, at + "new Failure".length()));
        while (literal.find()) {
          String text = unescape(literal.group(1)).trim();
          if (text.chars().filter(Character::isLetter).count() >= 3 && !fragments.contains(text)) fragments.add(text);
        }
      }
    }
    return fragments;
  }

  /** The text between the parenthesis at {@code open} and its match, skipping string literals. */
  private static String arguments(String source, int open) {
    int depth = 0;
    for (int i = open; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '"') {
        for (i++; source.charAt(i) != '"'; i++) if (source.charAt(i) == '\\') i++;
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return source.substring(open + 1, i);
      }
    }
    throw new IllegalArgumentException("unbalanced parentheses after offset " + open);
  }

  private static String joinLiterals(String literals) {
    StringBuilder text = new StringBuilder();
    Matcher literal = LITERAL.matcher(literals);
    while (literal.find()) text.append(unescape(literal.group(1)));
    return text.toString();
  }

  private static String unescape(String literal) {
    return literal.replace("\\\"", "\"").replace("\\\\", "\\");
  }

  /** Whitespace collapsed, so a template may wrap anywhere on the page. */
  private static String normalized(String text) {
    return text.replaceAll("\\s+", " ");
  }

  /** From {@code heading} to the next heading of the same level. */
  private static String section(String page, String heading) {
    int start = page.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "docs/operations.md has no section " + heading);
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int end = page.indexOf("\n" + level, start + heading.length() + 1);
    return page.substring(start, end < 0 ? page.length() : end);
  }

  /** The main Java sources of every published module: each top-level directory with src/main/java. */
  private static List<Path> mainSources(Path root) {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.sorted().collect(Collectors.toList())) {
        Path sources = module.resolve("src/main/java");
        if (Files.isDirectory(sources) && !NOT_PUBLISHED.contains(module.getFileName().toString())) {
          files.addAll(javaFiles(sources));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  private static List<Path> javaFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(file -> file.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
