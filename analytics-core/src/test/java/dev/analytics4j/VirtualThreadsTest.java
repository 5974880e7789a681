package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * 10,000 virtual threads, each in a scope of its own, enqueue 100 messages each: no message carries
 * another thread's context. Core compiles for Java 11, so the run happens in a JVM of a Java 21+ JDK
 * found on this machine (this one's, a sibling of it, or one under /usr/lib/jvm); where there is
 * none, the test says so and is skipped.
 */
class VirtualThreadsTest {
  private static final int THREADS = 10_000;
  private static final int MESSAGES = 100;
  private static final Pattern RESULT = Pattern.compile("messages=(\\d+) delivered=(\\d+) dropped=(\\d+) foreign=(\\d+)");

  @Test
  void tenThousandVirtualThreadsEachSeeOnlyTheirOwnScope() throws Exception {
    Matcher result = runProbe(Probe.class, "1g", RESULT, "the virtual-thread test");
    assertEquals(THREADS * MESSAGES, Long.parseLong(result.group(1)));
    assertEquals(THREADS * MESSAGES, Long.parseLong(result.group(2)) + Long.parseLong(result.group(3)));
    assertEquals(0, Long.parseLong(result.group(4)), "messages with another thread's context");
  }

  /**
   * Starts {@code task} on a new virtual thread: {@code Thread.startVirtualThread}, reached by
   * reflection because the tests compile for Java 11; only a probe's Java 21+ JVM calls it.
   */
  static Thread startVirtualThread(Runnable task) throws ReflectiveOperationException {
    return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
  }

  /**
   * Runs {@code probe}'s main in a JVM of a Java 21+ JDK on this machine, on this test's classpath,
   * and returns the match of {@code result} in what it printed; without such a JDK, says that
   * {@code what} did not run and skips the calling test.
   */
  static Matcher runProbe(Class<?> probe, String heap, Pattern result, String what) throws Exception {
    Path java = java21OrLater();
    if (java == null) {
      String why = "no Java 21+ JDK found (java.home " + System.getProperty("java.home")
          + ", its siblings, /usr/lib/jvm): " + what + " did not run";
      System.out.println(why);
      Assumptions.abort(why);
    }
    Path output = Files.createTempFile("probe", ".txt");
    try {
      Process process = new ProcessBuilder(java.toString(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
          probe.getName()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      assertTrue(process.waitFor(5, TimeUnit.MINUTES), probe.getSimpleName() + " did not finish");
      String printed = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
      assertEquals(0, process.exitValue(), printed);
      Matcher matcher = result.matcher(printed);
      assertTrue(matcher.find(), printed);
      System.out.println(what + " on " + java + ": " + matcher.group());
      return matcher;
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The {@code java} of a JDK of version 21 or later on this machine, or null. */
  static @Nullable Path java21OrLater() throws IOException {
    Path home = Paths.get(System.getProperty("java.home"));
    Set<Path> candidates = new LinkedHashSet<>();
    candidates.add(home);
    for (Path parent : new Path[] {home.getParent(), Paths.get("/usr/lib/jvm")}) {
      if (parent == null || !Files.isDirectory(parent)) continue;
      try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent)) {
        for (Path sibling : siblings) candidates.add(sibling);
      }
    }
    for (Path candidate : candidates) {
      Path java = candidate.resolve("bin").resolve(File.separatorChar == '\\' ? "java.exe" : "java");
      if (Files.isExecutable(java) && feature(candidate) >= 21) return java;
    }
    return null;
  }

  /** The feature version a JDK's {@code release} file gives, or 0. */
  private static int feature(Path jdk) throws IOException {
    Path release = jdk.resolve("release");
    if (!Files.isRegularFile(release)) return 0;
    for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
      Matcher version = Pattern.compile("^JAVA_VERSION=\"(\\d+)").matcher(line);
      if (version.find()) return Integer.parseInt(version.group(1));
    }
    return 0;
  }

  /** Run in the Java 21+ JVM: starts the virtual threads through reflection and prints a tally. */
  public static final class Probe {
    private static final Pattern USER = Pattern.compile("\"userId\":\"vt-(\\d+)\"");
    private static final Pattern SCOPE = Pattern.compile("\"vt\":(\\d+)[,}]");
    /** Set by the thread itself, not by its scope: what the scope's values must match. */
    private static final Pattern OWN = Pattern.compile("\"own\":(\\d+)[,}]");

    public static void main(String[] args) throws Exception {
      AtomicLong delivered = new AtomicLong();
      AtomicLong dropped = new AtomicLong();
      AtomicLong foreign = new AtomicLong();
      Callback check = new Callback() {
        @Override
        public void onSuccess(EncodedMessage message) {
          delivered.incrementAndGet();
          if (!ownContext(message.json())) foreign.incrementAndGet();
        }

        @Override
        public void onDropped(EncodedMessage message, DropReason reason) {
          dropped.incrementAndGet();
          if (!ownContext(message.json())) foreign.incrementAndGet();
        }
      };
      Analytics analytics = Analytics.builder("key").transport(request -> new Transport.Response(200, null, ""))
          .callback(check).shutdownHook(false).maxQueueSize(THREADS * MESSAGES)
          .maxQueueBytes(768L * 1024 * 1024).flushAt(2_500).build();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        threads.add(startVirtualThread(() -> {
          try (AnalyticsContext.Scope scope = analytics.context().userId("vt-" + id).property("vt", id).open()) {
            for (int m = 0; m < MESSAGES; m++) {
              if (m % 10 == 0) Thread.yield();
              analytics.enqueue(TrackMessage.builder("Virtual").properties(Map.of("n", m, "own", id)));
            }
          }
        }));
      }
      for (Thread thread : threads) thread.join();
      FlushResult result = analytics.flush(Duration.ofMinutes(2));
      analytics.close();
      System.out.println("messages=" + result.total() + " delivered=" + delivered + " dropped=" + dropped
          + " foreign=" + foreign);
      System.exit(result.isComplete() ? 0 : 1);
    }

    private static boolean ownContext(String json) {
      Matcher user = USER.matcher(json);
      Matcher scope = SCOPE.matcher(json);
      Matcher own = OWN.matcher(json);
      return user.find() && scope.find() && own.find() && user.group(1).equals(own.group(1))
          && scope.group(1).equals(own.group(1));
    }
  }
}
