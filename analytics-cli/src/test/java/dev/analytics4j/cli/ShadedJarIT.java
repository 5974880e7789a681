package dev.analytics4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published runnable jar (classifier "all"), as a user runs it: {@code java -jar}, nothing else
 * on the classpath. Run by Failsafe after {@code package}, on the jar the build just made.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of(System.getProperty("analytics4j.cli.jar", "target/analytics-cli-all.jar"));
  private static final String NOTICES = "META-INF/analytics4j-cli/";
  /** A dependency line of DEPENDENCIES.txt (maven-dependency-plugin's list): group:artifact:jar:version:scope. */
  private static final Pattern DEPENDENCY =
      Pattern.compile("(?m)^\\s+([\\w.-]+):([\\w.-]+):jar:([\\w.-]+):(?:compile|runtime)\\b");

  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  @Test
  void theJarNamesItsMainClassAndTheLicenceOfEverythingItEmbeds() throws IOException {
    assertTrue(Files.isRegularFile(JAR), "no runnable jar at " + JAR.toAbsolutePath());
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("dev.analytics4j.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      for (String notice : List.of("LICENSE.txt", "THIRD-PARTY.txt", "DEPENDENCIES.txt", "LICENSE-Apache-2.0.txt",
          "LICENSE-SLF4J.txt")) {
        assertNotNull(jar.getEntry(NOTICES + notice), NOTICES + notice + " is missing");
      }
      assertTrue(text(jar, NOTICES + "LICENSE.txt").startsWith("MIT License"), "our own licence");
      assertTrue(text(jar, NOTICES + "LICENSE-Apache-2.0.txt").contains("Apache License"), "the Apache licence text");
      assertTrue(text(jar, NOTICES + "LICENSE-SLF4J.txt").contains("QOS.ch"), "SLF4J's licence text");

      String thirdParty = text(jar, NOTICES + "THIRD-PARTY.txt");
      Matcher dependency = DEPENDENCY.matcher(text(jar, NOTICES + "DEPENDENCIES.txt"));
      List<String> embedded = new ArrayList<>();
      while (dependency.find()) {
        String coordinates = dependency.group(1) + ":" + dependency.group(2);
        embedded.add(coordinates);
        if (!dependency.group(1).equals("dev.analytics4j")) {
          assertTrue(thirdParty.contains(coordinates), "THIRD-PARTY.txt does not name " + coordinates
              + ", which the jar embeds; say under which licence");
        }
      }
      assertTrue(embedded.contains("info.picocli:picocli") && embedded.contains("com.squareup.okhttp3:okhttp-jvm"),
          "DEPENDENCIES.txt lists " + embedded);
      // One licence file per embedded jar would overwrite the others under the same name.
      List<String> stray = jar.stream().map(JarEntry::getName)
          .filter(name -> name.matches("(?i)META-INF/(LICENSE|NOTICE)[^/]*")).collect(Collectors.toList());
      assertEquals(List.of(), stray, "licence files that speak for one embedded jar only");
      assertNotNull(jar.getEntry("picocli/CommandLine.class"), "picocli is embedded");
      assertNotNull(jar.getEntry("org/slf4j/simple/SimpleLogger.class"), "a logging provider is embedded");
    }
  }

  @Test
  void helpRunsWithJavaJar() throws Exception {
    Run run = javaJar(Map.of(), "import", "--help");

    assertEquals(0, run.exitCode, run.output);
    assertTrue(run.output.contains("--dry-run") && run.output.contains("--write-key-env"), run.output);
  }

  @Test
  void aTinyImportArrives() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(TestServer.ok());
    Path events = dir.resolve("events.ndjson");
    Files.writeString(events,
        "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\",\"timestamp\":\"2023-03-14T09:26:58.004Z\",\"messageId\":\"m-1\"}\n"
        + "{\"type\":\"identify\",\"userId\":\"u1\",\"timestamp\":\"2023-03-14T09:27:00.000Z\",\"traits\":{\"plan\":\"team\"}}\n");

    Run run = javaJar(Map.of("ANALYTICS_WRITE_KEY", "test-key"), "import", "--endpoint", server.url("/").toString(),
        "--rejects", dir.resolve("rejects.txt").toString(), events.toString());

    assertEquals(0, run.exitCode, run.output);
    assertTrue(run.output.contains("analytics4j import complete: every line was delivered"), run.output);
    List<RecordedRequest> batches = TestServer.requests(server);
    List<Map<String, Object>> messages = TestServer.messages(batches);
    assertEquals(List.of("track", "identify"), messages.stream().map(m -> m.get("type")).collect(Collectors.toList()));
    assertEquals("m-1", messages.get(0).get("messageId"));
    assertEquals("2023-03-14T09:26:58.004Z", messages.get(0).get("timestamp"));
  }

  private static String text(JarFile jar, String name) throws IOException {
    try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static final class Run {
    final int exitCode;
    final String output;

    Run(int exitCode, String output) {
      this.exitCode = exitCode;
      this.output = output;
    }
  }

  /** {@code java -jar} the jar with {@code args}; the environment without a write key unless given. */
  private Run javaJar(Map<String, String> env, String... args) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java, "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "output", ".txt");
    // In the test's directory: an import of files keeps its checkpoint in the current one.
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null")));
    builder.environment().remove("ANALYTICS_WRITE_KEY");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "java -jar " + String.join(" ", args) + " did not end within 60 s");
    } finally {
      process.destroyForcibly();
    }
    return new Run(process.exitValue(), Files.readString(output));
  }
}
