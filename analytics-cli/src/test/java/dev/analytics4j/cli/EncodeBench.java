package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.Transport;
import dev.analytics4j.internal.NameUuids;
import dev.analytics4j.internal.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU time per line of each step of the importer's encoding, on one thread, for a file of lines (not
 * part of {@code mvn verify}; the importer's figures come from throughput.sh):
 * <pre>
 * java -cp analytics-cli/target/analytics-cli-*-all.jar:analytics-cli/target/test-classes \
 *     dev.analytics4j.cli.EncodeBench /tmp/imp/events.ndjson
 * </pre>
 * Prints, per round, microseconds of this thread's CPU per line for reading (LineReader), the
 * id's hash, the parser's path (LineParser, builder, Wire.encode) and the streaming path
 * (Wire.encodeLine), and how many lines the streaming path left to the parser.
 */
public final class EncodeBench {
  private EncodeBench() {}

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Analytics client = Wire.keepMessageLibrary(Analytics.builder("k").shutdownHook(false)
        .flushInterval(Duration.ofHours(1)).transport(request -> new Transport.Response(200, null, "{}"))).build();
    try {
      for (int round = 1; round <= rounds; round++) {
        long start = cpu.getCurrentThreadCpuTime();
        List<LineReader.Line> lines = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
          LineReader reader = new LineReader(in, StandardCharsets.UTF_8, LineReader.DEFAULT_MAX_LINE_BYTES,
              LineReader.DEFAULT_MAX_SKIP_BYTES);
          for (LineReader.Line line; (line = reader.next()) != null; ) lines.add(line);
        }
        long read = cpu.getCurrentThreadCpuTime();
        long sink = 0;
        for (LineReader.Line line : lines) sink += MessageIds.textDigest(line.utf8)[0];
        long hashed = cpu.getCurrentThreadCpuTime();
        LineParser parser = new LineParser();
        for (LineReader.Line line : lines) {
          try {
            LineParser.Parsed parsed = parser.parse(line.text);
            if (parsed.messageId == null) parsed.builder.messageId(NameUuids.fromSha1(new byte[20]));
            sink += Wire.encode(client, parsed.builder.build()).size();
          } catch (LineRejectedException | IllegalArgumentException e) {
            sink++;
          }
        }
        long parsedPath = cpu.getCurrentThreadCpuTime();
        String id = NameUuids.fromSha1(new byte[20]);
        int leftToParser = 0;
        for (LineReader.Line line : lines) {
          Wire.EncodedLine encoded = Wire.encodeLine(client, line.utf8, () -> id);
          if (encoded == null) {
            leftToParser++;
          } else {
            sink += encoded.message().size();
          }
        }
        long streamed = cpu.getCurrentThreadCpuTime();
        double n = lines.size() * 1000.0;
        System.out.printf(Locale.ROOT, "round %d, %,d lines: read %.2f us, hash %.2f us, parser's path %.2f us, "
                + "streaming %.2f us (%,d left to the parser) [%d]%n", round, lines.size(), (read - start) / n,
            (hashed - read) / n, (parsedPath - hashed) / n, (streamed - parsedPath) / n, leftToParser, sink & 1);
      }
    } finally {
      client.close();
    }
  }
}
