package dev.analytics4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.analytics4j.AnalyticsContext;
import dev.analytics4j.BeforeSend;
import dev.analytics4j.EncodedMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The enqueue path (the message queue, the reporter's counters, the spool and its files) never
 * blocks while holding a monitor: on Java 21 a virtual thread that blocks inside {@code synchronized}
 * pins its carrier, and JDK 24+ no longer does, so a run on a new JDK cannot catch it. Checked on the
 * sources, where it cannot be missed.
 */
class EnqueuePathTest {
  private static final Path MAIN = Paths.get("src/main/java/dev/analytics4j");
  private static final Pattern MONITOR = Pattern.compile("\\bsynchronized\\b|\\.wait\\(|\\.notify(All)?\\(");

  @Test
  void holdsNoMonitorWhileItWrites() throws IOException {
    List<Path> files = new ArrayList<>();
    for (String name : new String[] {"internal/MessageQueue.java", "internal/Reporter.java",
        "internal/FlushEpoch.java", "internal/Spool.java", "internal/SpoolReader.java", "internal/SpoolForcer.java",
        "internal/MessageEncoder.java", "EncodedMessage.java", "internal/PendingBatches.java",
        // The encoder's walk and where a thread gets its working state (a pool, for virtual threads).
        "internal/MessageWriter.java", "internal/Utf8Sink.java", "internal/Scratch.java", "internal/NameCache.java",
        "internal/FrozenMap.java", "internal/Decimals.java", "internal/FieldName.java",
        // What runs on the caller's thread before encoding: the scope, the hooks and the rebuild.
        "internal/MessagePreparer.java", "internal/ContextScopes.java", "AnalyticsContext.java", "BeforeSend.java",
        "internal/Values.java", "internal/Overlay.java", "internal/SmallMap.java", "messages/Bridge.java", "messages/Message.java",
        "internal/MessagesBridge.java", "internal/Internal.java", "ApiBridge.java"}) {
      files.add(MAIN.resolve(name));
    }
    try (Stream<Path> spool = Files.list(MAIN.resolve("internal/spool"))) {
      spool.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
    }
    List<String> found = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String code = lines.get(i).replaceAll("//.*", "");
        if (code.trim().startsWith("*")) continue;
        Matcher matcher = MONITOR.matcher(code);
        if (matcher.find()) found.add(file.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
      }
    }
    assertEquals(List.of(), found, "use java.util.concurrent locks on the enqueue path");
  }
}
