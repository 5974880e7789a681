package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.messages.TrackMessage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code main} that returns without closing its client, in a JVM of its own. */
class AnalyticsShutdownHookTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @TempDir Path tempDir;

  /** Enqueues three messages and returns: no flush, no close, a one-hour flush interval. */
  public static final class ForgetfulMain {
    public static void main(String[] args) {
      Analytics analytics = Analytics.builder("key")
          .endpoint(args[0])
          .flushInterval(Duration.ofHours(1))
          .shutdownHook(Boolean.parseBoolean(args[1]))
          .build();
      for (int i = 0; i < 3; i++) {
        analytics.enqueue(TrackMessage.builder("Job Finished").userId("u1").messageId("m" + i));
      }
    }
  }

  @Test
  void shutdownHookSendsTheLastEventsOfAMainThatReturns() throws Exception {
    ((QueueDispatcher) server.getDispatcher()).setFailFast(new MockResponse.Builder().code(200).build());
    Process process = fork(true);

    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the JVM exited");
    assertEquals(0, process.exitValue(), Files.readString(tempDir.resolve("out.txt")));
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertTrue(request != null, "the hook sent the batch");
    String body = request.getBody().utf8();
    for (int i = 0; i < 3; i++) assertTrue(body.contains("\"messageId\":\"m" + i + "\""), body);
  }

  @Test
  void daemonThreadsLetTheJvmExitWithoutAHook() throws Exception {
    Process process = fork(false);

    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the JVM exited although the client was never closed");
    assertEquals(0, process.exitValue(), Files.readString(tempDir.resolve("out.txt")));
    assertEquals(0, server.getRequestCount(), "without the hook and before the interval nothing is sent");
  }

  private Process fork(boolean hook) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ForgetfulMain.class.getName());
    command.add(server.url("/").toString());
    command.add(Boolean.toString(hook));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(tempDir.resolve("out.txt").toFile())
        .start();
  }
}
