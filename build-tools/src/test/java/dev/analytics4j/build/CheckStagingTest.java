package dev.analytics4j.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckStagingTest {
  @TempDir Path staging;

  private static final String PROJECT = "<project><groupId>dev.a</groupId><artifactId>project</artifactId>"
      + "<version>1.0</version><packaging>pom</packaging><name>a project</name><description>What a is.</description>"
      + "<url>${home}</url>"
      + "<licenses><license><name>MIT License</name><url>https://opensource.org/licenses/MIT</url></license></licenses>"
      + "<developers><developer><name>${dev}</name></developer></developers>"
      + "<scm><connection>scm:git:${home}.git</connection><url>${home}</url></scm>"
      + "<properties><home>https://a.example/a</home><dev>Ada</dev></properties></project>";

  private static String module(String dependencyVersion) {
    return "<project><parent><groupId>dev.a</groupId><artifactId>project</artifactId><version>1.0</version></parent>"
        + "<artifactId>core</artifactId><name>a core</name><description>The core.</description>"
        + "<dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>" + dependencyVersion
        + "</version></dependency><dependency><groupId>dev.a</groupId><artifactId>z</artifactId>"
        + "<version>${project.version}</version></dependency></dependencies></project>";
  }

  @Test
  void aCompleteReleasePasses() throws IOException {
    stage("dev/a/project/1.0/project-1.0.pom", PROJECT);
    stage("dev/a/core/1.0/core-1.0.pom", module("2.0"));
    stage("dev/a/core/1.0/core-1.0.jar", "jar");
    stage("dev/a/core/1.0/core-1.0-sources.jar", "sources");
    stage("dev/a/core/1.0/core-1.0-javadoc.jar", "javadoc");

    Result result = run();

    assertEquals(0, result.status, String.join("\n", result.err));
    assertEquals(List.of("Staged in " + staging + ":",
        "  dev/a/core/1.0/core-1.0-javadoc.jar",
        "  dev/a/core/1.0/core-1.0-sources.jar",
        "  dev/a/core/1.0/core-1.0.jar",
        "  dev/a/core/1.0/core-1.0.pom",
        "  dev/a/project/1.0/project-1.0.pom",
        "staging check: 15 files meet Maven Central's rules"), result.out);
  }

  @Test
  void namesEachThingCentralWouldRefuse() throws IOException {
    stage("dev/a/project/1.0/project-1.0.pom", PROJECT.replace("https://a.example/a", "https://PLACEHOLDER.invalid/a")
        .replace("<developers><developer><name>${dev}</name></developer></developers>", ""));
    stage("dev/a/core/1.0/core-1.0.pom", module("2.0-SNAPSHOT").replace("<description>The core.</description>", ""));
    stage("dev/a/core/1.0/core-1.0.jar", "jar");
    stage("dev/a/core/1.0/core-1.0-sources.jar", "sources");
    Files.delete(staging.resolve("dev/a/core/1.0/core-1.0.jar.sha1"));

    Result result = run();

    assertEquals(1, result.status);
    assertEquals(List.of("staging check: 12 problem(s) Maven Central would refuse:",
        "  dev/a/core/1.0/core-1.0.jar: no .sha1 checksum",
        "  dev/a/core/1.0/core-1.0.pom: no description",
        "  dev/a/core/1.0/core-1.0.pom: url is a placeholder: https://PLACEHOLDER.invalid/a (analytics4j-project/pom.xml)",
        "  dev/a/core/1.0/core-1.0.pom: no developers/developer/name",
        "  dev/a/core/1.0/core-1.0.pom: scm/url is a placeholder: https://PLACEHOLDER.invalid/a (analytics4j-project/pom.xml)",
        "  dev/a/core/1.0/core-1.0.pom: scm/connection is a placeholder: scm:git:https://PLACEHOLDER.invalid/a.git (analytics4j-project/pom.xml)",
        "  dev/a/core/1.0/core-1.0.pom: depends on a SNAPSHOT: 2.0-SNAPSHOT",
        "  dev/a/core/1.0/core-1.0.pom: no core-1.0-javadoc.jar",
        "  dev/a/project/1.0/project-1.0.pom: url is a placeholder: https://PLACEHOLDER.invalid/a (analytics4j-project/pom.xml)",
        "  dev/a/project/1.0/project-1.0.pom: no developers/developer/name",
        "  dev/a/project/1.0/project-1.0.pom: scm/url is a placeholder: https://PLACEHOLDER.invalid/a (analytics4j-project/pom.xml)",
        "  dev/a/project/1.0/project-1.0.pom: scm/connection is a placeholder: scm:git:https://PLACEHOLDER.invalid/a.git (analytics4j-project/pom.xml)"),
        result.err);
  }

  @Test
  void aSnapshotVersionAndAMissingParentAreRefused() throws IOException {
    stage("dev/a/core/1.0-SNAPSHOT/core-1.0-SNAPSHOT.pom", module("2.0")
        .replace("<version>1.0</version></parent>", "<version>1.0-SNAPSHOT</version></parent>"));

    Result result = run();

    assertEquals(1, result.status);
    assertEquals("  dev/a/core/1.0-SNAPSHOT/core-1.0-SNAPSHOT.pom: parent dev.a:project:1.0-SNAPSHOT is not staged", result.err.get(1));
    assertEquals("  dev/a/core/1.0-SNAPSHOT/core-1.0-SNAPSHOT.pom: version 1.0-SNAPSHOT is a SNAPSHOT", result.err.get(2));
  }

  @Test
  void nothingStagedIsRefused() throws IOException {
    Result result = run(staging.resolve("none"));

    assertEquals(1, result.status);
    assertEquals(List.of("staging check: " + staging.resolve("none") + " does not exist: nothing was staged"), result.err);
  }

  private void stage(String path, String content) throws IOException {
    Path file = staging.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    Files.writeString(file.resolveSibling(file.getFileName() + ".md5"), "0");
    Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), "0");
  }

  private Result run() throws IOException {
    return run(staging);
  }

  private static Result run(Path dir) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = CheckStaging.run(dir, o, e);
    }
    return new Result(status, out.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList()),
        err.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList()));
  }

  private static final class Result {
    final int status;
    final List<String> out, err;

    Result(int status, List<String> out, List<String> err) {
      this.status = status;
      this.out = out;
      this.err = err;
    }
  }
}
