package dev.analytics4j.examples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * The {@code ```java} blocks of a Markdown file, and a compiler for them, so that the code the README
 * and the pages under {@code docs/} show is code that compiles ({@link DocPages} says which files).
 *
 * <p>The rule, stated in the pages' own terms (an HTML comment on the line before a block, which
 * Markdown renders as nothing):
 * <ul>
 *   <li>A block without a marker is a whole compilation unit (a class with its imports, and its
 *       package if it has one) and must compile as it is.
 *   <li>{@code <!-- compile: statements -->}: the block is imports followed by statements, as a user
 *       pastes them into a method. It is compiled inside {@code static void run() throws Exception},
 *       its imports hoisted above the class; every name it uses must be declared in the block.
 *   <li>{@code <!-- fragment: why -->}: not compiled (for example another library's code).
 * </ul>
 * Any other comment right before a block is an error, so a misspelt marker never skips a block.
 */
final class ReadmeJavaBlocks {
  private static final Pattern FENCE = Pattern.compile("^```java\\s*$");
  private static final Pattern MARKER = Pattern.compile("^<!--(.*)-->\\s*$");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
      "(?m)^(?:public\\s+|final\\s+|abstract\\s+)*(?:class|interface|enum|record)\\s+(\\w+)");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.*]+\\s*;\\s*$");

  private ReadmeJavaBlocks() {}

  enum Kind {
    COMPILATION_UNIT, STATEMENTS, FRAGMENT
  }

  /** One {@code ```java} block: its page, where it starts in the page, its marker, and its text. */
  static final class Block {
    final String page;
    final int line;
    final Kind kind;
    final String source;

    Block(String page, int line, Kind kind, String source) {
      this.page = page;
      this.line = line;
      this.kind = kind;
      this.source = source;
    }

    /**
     * Whether the block uses Spring, Micrometer, the Servlet API or Kafka, which are on the classpath of
     * {@code examples-spring-boot}'s tests (Java 17), not of the plain examples (Java 11).
     */
    boolean needsSpringBoot() {
      return source.contains("import org.springframework.") || source.contains("import static org.springframework.")
          || source.contains("import io.micrometer.") || source.contains("import jakarta.servlet.")
          || source.contains("import org.apache.kafka.");
    }

    @Override
    public String toString() {
      return page + " line " + line + " (" + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
    }
  }

  /** The blocks of {@code markdown}, named in messages as {@code page} (its path from the repository root). */
  static List<Block> parse(Path markdown, String page) {
    try {
      return parse(page, new String(Files.readAllBytes(markdown), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Block> parse(String markdown) {
    return parse("README.md", markdown);
  }

  static List<Block> parse(String page, String markdown) {
    List<String> lines = Arrays.asList(markdown.split("\n", -1));
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!FENCE.matcher(lines.get(i)).matches()) continue;
      int open = i;
      StringBuilder source = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
        source.append(lines.get(i)).append('\n');
      }
      if (i == lines.size()) throw new IllegalArgumentException(page + " line " + (open + 1) + ": ```java block never closed");
      blocks.add(new Block(page, open + 2, kind(page, lines, open), source.toString()));
    }
    return Collections.unmodifiableList(blocks);
  }

  private static Kind kind(String page, List<String> lines, int fence) {
    int previous = fence - 1;
    while (previous >= 0 && lines.get(previous).trim().isEmpty()) previous--;
    if (previous < 0) return Kind.COMPILATION_UNIT;
    Matcher marker = MARKER.matcher(lines.get(previous).trim());
    if (!marker.matches()) return Kind.COMPILATION_UNIT;
    String text = marker.group(1).trim();
    if (text.equals("compile: statements")) return Kind.STATEMENTS;
    if (text.equals("fragment") || text.startsWith("fragment:")) return Kind.FRAGMENT;
    throw new IllegalArgumentException(page + " line " + (previous + 1) + ": unknown marker before a ```java block: "
        + lines.get(previous).trim() + " (use <!-- compile: statements --> or <!-- fragment: why -->)");
  }

  /** What {@link #compile} makes of a block: the source given to javac, and its file name. */
  static final class Unit {
    final String fileName;
    final String source;

    Unit(String fileName, String source) {
      this.fileName = fileName;
      this.source = source;
    }
  }

  /**
   * The compilation unit for a block. A statements block keeps each of its lines on the same line
   * number: the class and method open on the line of the first statement and close after the last,
   * so javac's line numbers are the block's.
   */
  static Unit unit(Block block) {
    switch (block.kind) {
      case COMPILATION_UNIT: {
        Matcher type = TOP_LEVEL_TYPE.matcher(block.source);
        if (!type.find()) {
          throw new AssertionError(block + " is not a whole class (no top-level type declaration); "
              + "mark it <!-- compile: statements --> or <!-- fragment: why -->");
        }
        Matcher pkg = PACKAGE.matcher(block.source);
        String dir = pkg.find() ? pkg.group(1).replace('.', '/') + "/" : "";
        return new Unit(dir + type.group(1) + ".java", block.source);
      }
      case STATEMENTS: {
        String[] lines = block.source.split("\n", -1);
        int first = 0;
        while (first < lines.length && (lines[first].trim().isEmpty() || IMPORT.matcher(lines[first].trim()).matches())) {
          first++;
        }
        int last = lines.length - 1;
        while (last > first && lines[last].trim().isEmpty()) last--;
        if (first > last) throw new AssertionError(block + " has no statements");
        String name = "ReadmeStatementsAtLine" + block.line;
        lines[first] = "final class " + name + " { static void run() throws Exception { " + lines[first];
        lines[last] = lines[last] + "\n} }"; // on a line of its own: the last line may end in a comment
        return new Unit(name + ".java", String.join("\n", lines));
      }
      default:
        throw new IllegalArgumentException(block + " is not compiled");
    }
  }

  /**
   * Compiles the block on {@code classpath} for Java {@code release}, with deprecation and unchecked
   * warnings as errors, into a fresh directory under {@code output}; fails with javac's messages,
   * each at its line in the page.
   */
  static void compile(Block block, List<Path> classpath, int release, Path output) throws IOException {
    JavaCompiler javac = Objects.requireNonNull(ToolProvider.getSystemJavaCompiler(), "no system Java compiler (a JRE?)");
    Unit unit = unit(block);
    Path classes = Files.createTempDirectory(output, "doc-line-" + block.line + "-");
    List<String> options = Arrays.asList(
        "--release", Integer.toString(release),
        "-classpath", classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
        "-d", classes.toString(),
        "-proc:none",
        "-implicit:none",
        "-Xlint:deprecation,unchecked,rawtypes",
        "-Werror");
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + unit.fileName), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return unit.source;
      }
    };
    boolean ok = javac.getTask(null, null, diagnostics, options, null, Collections.singletonList(file)).call();
    if (!ok) {
      StringBuilder message = new StringBuilder(block + " does not compile:");
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.NOTE) continue;
        String where = d.getLineNumber() > 0 ? block.page + ":" + (block.line + d.getLineNumber() - 1) : "javac";
        message.append("\n  ").append(where).append(": ").append(d.getKind().name().toLowerCase(Locale.ROOT))
            .append(": ").append(d.getMessage(Locale.ROOT));
      }
      throw new AssertionError(message.toString());
    }
  }

  /** The classpath this JVM's tests run with (Surefire hides it behind a manifest-only jar). */
  static List<Path> testClasspath() {
    String path = System.getProperty("surefire.test.class.path");
    if (path == null || path.isEmpty()) path = System.getProperty("java.class.path");
    List<Path> entries = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isEmpty()) entries.add(Path.of(entry));
    }
    return entries;
  }
}
