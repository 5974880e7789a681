package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import dev.analytics4j.DropReason;
import dev.analytics4j.Failure;
import dev.analytics4j.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
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

  /** The modules whose log lines the page documents: the library an application embeds, and the importer. */
  static final Set<String> SCANNED = Set.of("analytics-core", "analytics-okhttp", "analytics-spring-boot-starter",
      "analytics-micrometer", "analytics-testing", "analytics-cli");

  /**
   * Modules with main sources that the page leaves out, and why; a new module must be put in one
   * set or the other.
   */
  static final Map<String, String> NOT_SCANNED = Map.of(
      "examples", "recipes, not the library",
      "examples-spring-boot", "a recipe, not the library",
      "benchmarks", "not shipped",
      "analytics-consumer-tests", "builds users' apps, not shipped",
      "build-tools", "the build's API and release checks, not shipped",
      "analytics-spark", "a Spark job's own lines (rows, tasks), described in docs/spark.md");

  /** One or more string literals joined with +. */
  private static final String LITERALS = "((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*\\+?\\s*)+)";
  /**
   * A WARN or ERROR call whose message is a string literal (or literals joined with +): SLF4J's
   * {@code logger.warn("...", args)}, and the JDK's {@code logger.log(Level.WARNING, "...")}.
   */
  private static final Pattern LOG_CALL = Pattern.compile(
      "\\b(?:logger|log|Log|LOGGER|LOG)\\s*\\.\\s*(?:(warn|error)\\s*\\(|log\\s*\\(\\s*(?:System\\.Logger\\.)?Level\\.(WARNING|ERROR)\\s*,)"
          + "\\s*" + LITERALS);
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  /** A WARN or ERROR call whose message is a variable: inside a wrapper such as logRateLimited(format, ...). */
  private static final Pattern INDIRECT_CALL =
      Pattern.compile("\\b(?:logger|log|Log|LOGGER|LOG)\\s*\\.\\s*(warn|error)\\s*\\(\\s*(?!\")");
  private static final Pattern PARAMETER = Pattern.compile("([A-Za-z_]\\w*)\\s*[,)]");
  /** The row of a log line on the page: | LEVEL | `template` | ... */
  private static final Pattern ROW = Pattern.compile("(?m)^\\| (WARN|ERROR) \\| `([^`]*)` \\|");

  /** One log call: where it is, its level and its message template. */
  static final class LogLine {
    final String where;
    final String level;
    final String template; // null when the source does not say

    LogLine(String where, String level, String template) {
      this.where = where;
      this.level = level;
      this.template = template;
    }

    @Override
    public String toString() {
      return level + " " + (template != null ? template : "?") + " (" + where + ")";
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
  void noRowListsALineTheSourcesNoLongerLog() {
    Set<String> logged = logLines(DocPages.ROOT).stream().map(line -> normalized(line.template)).collect(Collectors.toSet());
    Matcher row = ROW.matcher(section(read(PAGE), "## WARN and ERROR lines"));
    List<String> stale = new ArrayList<>();
    int rows = 0;
    while (row.find()) {
      rows++;
      if (!logged.contains(normalized(row.group(2)))) stale.add(row.group(1) + " " + row.group(2));
    }
    assertTrue(rows >= 30, "found only " + rows + " log line rows on the page");
    assertEquals(List.of(), stale, "docs/operations.md lists lines no main source logs any more (reworded or removed)");
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

  /**
   * A method the page names in code ({@code metrics().queuedMessages()}, {@code failure.reason()})
   * must exist in the public API, so a rename cannot leave the page pointing at nothing.
   */
  @Test
  void everyMethodThePageNamesExists() {
    Set<String> api = new TreeSet<>();
    for (Class<?> type : publicApi()) {
      for (Method method : type.getMethods()) api.add(method.getName());
    }
    Set<String> named = new TreeSet<>();
    Matcher span = Pattern.compile("`([^`\\n]+)`").matcher(read(PAGE));
    while (span.find()) {
      Matcher call = Pattern.compile("(?:^|\\W)([a-z]\\w*)\\(").matcher(span.group(1));
      while (call.find()) named.add(call.group(1));
    }
    assertTrue(named.containsAll(List.of("queuedMessages", "reason", "mayHaveBeenDelivered")), "found " + named);
    named.removeAll(api);
    assertEquals(Set.of(), named, "docs/operations.md names methods the API does not have");
  }

  /** The public classes of analytics-core (nested ones included), read from where Analytics was loaded. */
  private static List<Class<?>> publicApi() {
    List<String> names = new ArrayList<>();
    try {
      Path location = Path.of(Analytics.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isDirectory(location)) {
        for (Path file : javaFiles(location, ".class")) names.add(location.relativize(file).toString().replace('\\', '/'));
      } else {
        try (JarFile jar = new JarFile(location.toFile())) {
          jar.stream().map(JarEntry::getName).filter(name -> name.endsWith(".class")).forEach(names::add);
        }
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot list analytics-core's classes", e);
    }
    List<Class<?>> types = new ArrayList<>();
    for (String name : names) {
      if (!name.startsWith("dev/analytics4j/") || name.startsWith("dev/analytics4j/internal/")
          || name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
        continue;
      }
      try {
        Class<?> type = Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false,
            Analytics.class.getClassLoader());
        if (Modifier.isPublic(type.getModifiers())) types.add(type);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + name, e);
      }
    }
    assertTrue(types.contains(Metrics.class) && types.contains(Failure.class), "found " + types);
    return types;
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
        + "    spool.logRateLimited(\"Could not write: {}\", e);\n"
        + "  }\n"
        + "  void logRateLimited(String format, Object... arguments) {\n"
        + "    if (due()) logger.warn(format, arguments);\n"
        + "  }\n"
        + "  void odd(Object o) {\n"
        + "    logger.error(message(o));\n"
        + "  }\n"
        + "}\n";

    List<String> found = logLinesIn(Map.of("A.java", source)).stream().map(LogLine::toString).collect(Collectors.toList());

    assertEquals(List.of(
        "WARN Queue full: dropped {} messages; the endpoint is slow (A.java:3)",
        "ERROR It broke: \"{}\" (A.java:5)",
        "WARN JDK {} line (A.java:6)",
        "WARN Could not write: {} (A.java:9)",
        "ERROR ? (A.java:15: the message is neither a literal nor a wrapper's String parameter)"), found);
  }

  static List<LogLine> logLines(Path root) {
    Map<String, String> sources = new TreeMap<>();
    for (Path file : mainSources(root)) sources.put(root.relativize(file).toString().replace('\\', '/'), read(file));
    List<LogLine> lines = logLinesIn(sources);
    List<LogLine> unchecked = lines.stream().filter(line -> line.template == null).collect(Collectors.toList());
    assertEquals(List.of(), unchecked, "WARN/ERROR calls whose message cannot be read from the source: give "
        + "them a literal template, or log through a wrapper that takes it as its String parameter");
    return lines;
  }

  /**
   * The WARN and ERROR lines of {@code sources} (file name to text): direct calls with a literal
   * message, and calls with a literal of the wrappers that pass their String parameter on as the
   * message. A call with any other message is returned with a null template.
   */
  static List<LogLine> logLinesIn(Map<String, String> sources) {
    Map<String, String> wrappers = new TreeMap<>();
    List<LogLine> lines = new ArrayList<>();
    for (Map.Entry<String, String> file : sources.entrySet()) {
      String source = file.getValue();
      Matcher call = INDIRECT_CALL.matcher(source);
      while (call.find()) {
        String level = level(call.group(1));
        Matcher parameter = PARAMETER.matcher(source).region(call.end(), source.length());
        String wrapper = null;
        if (parameter.lookingAt()) {
          Matcher declaration = Pattern.compile("(\\w+)\\s*\\(\\s*(?:final\\s+)?String\\s+" + parameter.group(1) + "\\b")
              .matcher(source.substring(0, call.start()));
          while (declaration.find()) wrapper = declaration.group(1);
        }
        if (wrapper != null) {
          wrappers.put(wrapper, level);
        } else {
          lines.add(new LogLine(file.getKey() + ":" + lineOf(source, call.start())
              + ": the message is neither a literal nor a wrapper's String parameter", level, null));
        }
      }
    }
    for (Map.Entry<String, String> file : sources.entrySet()) {
      String source = file.getValue();
      List<Object[]> found = new ArrayList<>();
      Matcher call = LOG_CALL.matcher(source);
      while (call.find()) {
        String level = level(call.group(1) != null ? call.group(1) : call.group(2));
        found.add(new Object[] {call.start(), new LogLine(file.getKey() + ":" + lineOf(source, call.start()), level,
            joinLiterals(call.group(3)))});
      }
      for (Map.Entry<String, String> wrapper : wrappers.entrySet()) {
        Matcher wrapped = Pattern.compile("\\b" + wrapper.getKey() + "\\s*\\(\\s*" + LITERALS).matcher(source);
        while (wrapped.find()) {
          found.add(new Object[] {wrapped.start(), new LogLine(file.getKey() + ":" + lineOf(source, wrapped.start()),
              wrapper.getValue(), joinLiterals(wrapped.group(1)))});
        }
      }
      found.sort((a, b) -> Integer.compare((Integer) a[0], (Integer) b[0]));
      for (Object[] line : found) lines.add((LogLine) line[1]);
    }
    // The unreadable calls last, so a listing shows the readable ones in source order.
    lines.sort((a, b) -> Boolean.compare(a.template == null, b.template == null));
    return lines;
  }

  private static String level(String name) {
    return name.equalsIgnoreCase("error") ? "ERROR" : "WARN";
  }

  private static int lineOf(String source, int offset) {
    return 1 + (int) source.substring(0, offset).chars().filter(c -> c == '\n').count();
  }

  /**
   * The string literals inside each {@code new Failure(...)} of the sources under {@code dir}: the
   * fixed parts of every failure reason, trimmed, those with at least three letters.
   */
  /** Where a Failure is made: its constructor, or the engine's helper over the Internal bridge. */
  private static final Pattern FAILURE_MADE = Pattern.compile("(?:new Failure|(?<![\\w.])failure)\\(");

  static List<String> failureReasonFragments(Path dir) {
    List<String> fragments = new ArrayList<>();
    for (Path file : javaFiles(dir)) {
      String source = read(file);
      // The engine makes a Failure through a failure(...) helper over the Internal bridge.
      Matcher made = FAILURE_MADE.matcher(source);
      while (made.find()) {
        Matcher literal = LITERAL.matcher(arguments(source, made.end() - 1));
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

  @Test
  void everyModuleWithMainSourcesIsScannedOrSaysWhyNot() {
    List<String> unclassified = modulesWithMainSources(DocPages.ROOT).stream()
        .filter(module -> !SCANNED.contains(module) && !NOT_SCANNED.containsKey(module))
        .collect(Collectors.toList());
    assertEquals(List.of(), unclassified, "modules with main sources that OperationsPageTest neither scans (SCANNED) "
        + "nor leaves out with a reason (NOT_SCANNED)");
    assertTrue(modulesWithMainSources(DocPages.ROOT).containsAll(SCANNED), "a scanned module is gone: " + SCANNED);
  }

  private static List<String> modulesWithMainSources(Path root) {
    try (Stream<Path> modules = Files.list(root)) {
      return modules.filter(module -> Files.isDirectory(module.resolve("src/main/java")))
          .map(module -> module.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The main Java sources of the {@link #SCANNED} modules. */
  private static List<Path> mainSources(Path root) {
    List<Path> files = new ArrayList<>();
    for (String module : new TreeSet<>(SCANNED)) {
      Path sources = root.resolve(module).resolve("src/main/java");
      if (Files.isDirectory(sources)) files.addAll(javaFiles(sources));
    }
    return files;
  }

  private static List<Path> javaFiles(Path dir) {
    return javaFiles(dir, ".java");
  }

  private static List<Path> javaFiles(Path dir, String suffix) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(file -> file.toString().endsWith(suffix)).sorted().collect(Collectors.toList());
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
