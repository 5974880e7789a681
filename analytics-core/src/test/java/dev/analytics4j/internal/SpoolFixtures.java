package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.RecordingCallback;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.spool.SpoolFileSystem;
import dev.analytics4j.messages.TrackMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Helpers shared by the spool tests: a collecting transport, a dead one, and segment inspection. */
public final class SpoolFixtures {
  private static final Pattern MESSAGE_ID = Pattern.compile("\"messageId\":\"([^\"]+)\"");

  private SpoolFixtures() {}

  /** Answers 200 and counts each messageId it receives. */
  public static final class Collector implements Transport {
    final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    /** Requests to refuse with a connection error before accepting any. */
    final AtomicInteger failFirst = new AtomicInteger();

    @Override
    public Response send(Request request) throws IOException {
      if (failFirst.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new ConnectException("down for now");
      for (String id : messageIds(request.body())) {
        received.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      }
      return new Response(200, null, "{\"success\":true}");
    }

    long duplicates() {
      return received.values().stream().filter(n -> n.get() > 1).count();
    }
  }

  /** Sends to {@code collector} once {@code open} is counted down, holding every request until then. */
  public static Transport gated(Collector collector, java.util.concurrent.CountDownLatch open) {
    return request -> {
      try {
        open.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return collector.send(request);
    };
  }

  /** Never reaches the collector. */
  public static Transport down() {
    return request -> {
      throw new ConnectException("collector down");
    };
  }

  public static List<String> messageIds(byte[] body) {
    Matcher matcher = MESSAGE_ID.matcher(new String(body, StandardCharsets.UTF_8));
    List<String> ids = new ArrayList<>();
    while (matcher.find()) ids.add(matcher.group(1));
    return ids;
  }

  public static Analytics.Builder client(Path directory, Transport transport) {
    return Analytics.builder("spool-key").transport(transport).spool(directory).shutdownHook(false)
        .flushInterval(Duration.ofHours(1)).retryBackoff(Duration.ofMillis(20), Duration.ofMillis(50))
        .maxRetries(1000);
  }

  public static TrackMessage.Builder message(String id) {
    return TrackMessage.builder("Spooled").userId("u1").messageId(id);
  }

  public static List<Path> segments(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted()
          .collect(Collectors.toList());
    }
  }

  public static List<String> names(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** The offsets at which the records of a segment start, read by their length fields. */
  public static List<Integer> recordOffsets(Path segment) throws IOException {
    ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Integer> offsets = new ArrayList<>();
    int pos = 0;
    while (pos + dev.analytics4j.internal.spool.RecordCodec.HEADER_BYTES <= data.limit()) {
      offsets.add(pos);
      pos += dev.analytics4j.internal.spool.RecordCodec.HEADER_BYTES + data.getInt(pos);
    }
    return offsets;
  }

  /** Closes {@code first} at once with the collector down, leaving {@code ids} in the spool. */
  public static void leaveInSpool(Path directory, List<String> ids) {
    RecordingCallback callback = new RecordingCallback();
    Analytics first = client(directory, down()).callback(callback).build();
    for (String id : ids) first.enqueue(message(id));
    first.close(Duration.ZERO);
    if (callback.count("dropped:SPOOLED") != ids.size()) {
      throw new AssertionError("expected all left in the spool: " + callback.outcomes);
    }
  }

  public static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        if (file.getFileName().toString().equals("lock")) continue;
        Files.copy(file, to.resolve(file.getFileName()));
      }
    }
  }

  /** {@code builder} with the spool starting a new segment file at {@code bytes}. */
  public static Analytics.Builder segmentBytes(Analytics.Builder builder, int bytes) {
    Internal.get().settings(builder).spoolSegmentBytes(bytes);
    return builder;
  }

  /** {@code builder} with the spool's files made by {@code fileSystems}, to inject faults and power losses. */
  public static Analytics.Builder fileSystem(Analytics.Builder builder, SpoolFileSystem.Factory fileSystems) {
    Internal.get().settings(builder).spoolFileSystem(fileSystems);
    return builder;
  }
}
