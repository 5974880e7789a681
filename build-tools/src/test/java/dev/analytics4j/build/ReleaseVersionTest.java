package dev.analytics4j.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The version is set in one place by one command (release/set-version): every POM of the build and
 * every dependency snippet in README.md and docs/ must name the same version, so a cut release
 * never ships a page telling users to add a version that does not exist.
 */
class ReleaseVersionTest {
  /** The repository root, seen from this module's directory (where Surefire runs the tests). */
  private static final Path ROOT = Path.of("..");

  private static final Pattern OWN_VERSION = Pattern.compile("^  <version>([^<]+)</version>$", Pattern.MULTILINE);
  /** Our artifact with a literal version: a POM's parent or dependency, a Maven snippet in the docs. */
  private static final Pattern MAVEN_REFERENCE = Pattern.compile(
      "<groupId>dev\\.analytics4j</groupId>\\s*<artifactId>([^<]+)</artifactId>(?:\\s*<!--.*?-->)?\\s*<version>([^<$]+)</version>");
  private static final Pattern GRADLE_REFERENCE = Pattern.compile("dev\\.analytics4j:([a-z0-9-]+):([0-9][0-9A-Za-z.-]*)");
  private static final Pattern PROSE_REFERENCE = Pattern.compile("groupId `dev\\.analytics4j`, version `([^`]+)`");

  static String projectVersion() throws IOException {
    Matcher m = OWN_VERSION.matcher(Files.readString(ROOT.resolve("analytics4j-project/pom.xml")));
    assertTrue(m.find(), "analytics4j-project/pom.xml has no version");
    return m.group(1);
  }

  @Test
  void everyPomOfTheBuildHasTheProjectVersion() throws IOException {
    String version = projectVersion();
    List<String> wrong = new ArrayList<>();
    List<Path> poms = files("pom.xml");
    for (Path pom : poms) {
      String text = Files.readString(pom);
      Matcher own = OWN_VERSION.matcher(text);
      if (own.find() && !own.group(1).equals(version)) wrong.add(ROOT.relativize(pom) + ": version " + own.group(1));
      Matcher ours = MAVEN_REFERENCE.matcher(text);
      while (ours.find()) {
        if (!ours.group(2).equals(version)) wrong.add(ROOT.relativize(pom) + ": " + ours.group(1) + " " + ours.group(2));
      }
    }
    assertTrue(poms.size() >= 15, "found only " + poms);
    assertEquals(List.of(), wrong, "POMs not at " + version + " (release/set-version sets them all)");
  }

  @Test
  void everyDependencySnippetInTheDocsNamesTheProjectVersion() throws IOException {
    String version = projectVersion();
    List<Path> pages = files(".md");
    List<String> wrong = new ArrayList<>();
    int references = 0;
    for (Path page : pages) {
      String text = Files.readString(page);
      for (Pattern pattern : List.of(MAVEN_REFERENCE, GRADLE_REFERENCE, PROSE_REFERENCE)) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
          references++;
          String found = m.group(m.groupCount());
          if (!found.equals(version)) {
            int line = text.substring(0, m.start()).split("\n", -1).length;
            wrong.add(ROOT.relativize(page) + ":" + line + ": " + m.group().replaceAll("\\s+", " ") + " (not " + version + ")");
          }
        }
      }
    }
    assertTrue(references >= 8, "found only " + references + " version references in " + pages);
    assertEquals(List.of(), wrong, "release/set-version updates these");
  }

  /** The build's own files: not under target/, .git/ or the consumer builds' projects, not the changelog. */
  private static List<Path> files(String suffix) throws IOException {
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
        boolean skip = !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target") || name.equals("it"));
        return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        String name = file.getFileName().toString();
        if (name.endsWith(suffix) && !name.equals("CHANGELOG.md")) found.add(file);
        return FileVisitResult.CONTINUE;
      }
    });
    Collections.sort(found);
    return found;
  }
}
