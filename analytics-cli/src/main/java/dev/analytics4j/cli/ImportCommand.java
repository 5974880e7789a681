package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.Region;
import dev.analytics4j.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code analytics4j import}: the options, the write key, and the run with its summary. */
@Command(name = "import", sortOptions = false, usageHelpAutoWidth = true,
    mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = {
        "Sends newline-delimited JSON messages (one wire-shaped message per line: type, userId or "
            + "anonymousId, timestamp, event/name/traits/properties/context...) through analytics4j, "
            + "keeping their timestamps.",
        "Lines without a messageId get one derived from their content, so importing a file twice "
            + "is deduplicated by the API.",
        "The write key is read from the environment variable named by --write-key-env "
            + "(default ANALYTICS_WRITE_KEY) or from --write-key-file, never from the command line."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every line was delivered (dry run: every line is valid)",
        "1:some lines were rejected or not delivered; see the rejects file",
        "2:bad options, no write key, or an unreadable input",
        "130:interrupted (Ctrl-C); the summary says how many lines were delivered"})
final class ImportCommand implements Callable<Integer> {
  static final String DEFAULT_WRITE_KEY_ENV = "ANALYTICS_WRITE_KEY";

  @Spec
  @Nullable CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Input files; none, or -, reads standard input.")
  List<String> files = new ArrayList<>();

  @Option(names = "--write-key-file", paramLabel = "PATH",
      description = "Read the write key from this file (its first line) instead of the environment.")
  @Nullable Path writeKeyFile;

  @Option(names = "--write-key-env", paramLabel = "NAME", defaultValue = DEFAULT_WRITE_KEY_ENV,
      description = "Environment variable holding the write key (default: ${DEFAULT-VALUE}).")
  String writeKeyEnv = DEFAULT_WRITE_KEY_ENV;

  @Option(names = "--region", paramLabel = "US|EU", defaultValue = "US",
      description = "Region of the workspace (default: ${DEFAULT-VALUE}).")
  Region region = Region.US;

  @Option(names = "--endpoint", paramLabel = "URL",
      description = "Send to this host instead of the region's (the client adds /v1/batch).")
  @Nullable String endpoint;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "250",
      description = "Messages per request, 1..2500 (default: ${DEFAULT-VALUE}).")
  int batchSize = 250;

  @Option(names = "--rate", paramLabel = "MSGS_PER_S", defaultValue = "0",
      description = "At most this many messages per second; 0 for no limit (default).")
  double rate;

  @Option(names = "--gzip", description = "Compress request bodies.")
  boolean gzip;

  @Option(names = "--dry-run", description = "Validate every line and report errors; send nothing.")
  boolean dryRun;

  @Option(names = "--rejects", paramLabel = "PATH", defaultValue = "analytics4j-rejects.txt",
      description = "Where rejected and undelivered lines are listed as FILE:LINE: reason; "
          + "created only when needed (default: ${DEFAULT-VALUE}).")
  Path rejects = Path.of("analytics4j-rejects.txt");

  @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "After Ctrl-C, how long to keep sending what was read (default: ${DEFAULT-VALUE}).")
  int shutdownTimeoutSeconds = 10;

  private final Map<String, String> env;
  private final InputStream stdin;
  final PrintStream out;
  final PrintStream err;
  private final boolean interactive;
  private final boolean installShutdownHook;
  private final Consumer<Importer> onStart;

  /**
   * @param interactive whether {@code err} is a terminal: the progress bar is drawn only then.
   * @param installShutdownHook whether Ctrl-C cancels the import (off in tests, which cancel
   *     through {@code onStart}).
   * @param onStart sees the importer before it runs.
   */
  ImportCommand(Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err,
      boolean interactive, boolean installShutdownHook, Consumer<Importer> onStart) {
    this.env = env;
    this.stdin = stdin;
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.installShutdownHook = installShutdownHook;
    this.onStart = onStart;
  }

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1 || batchSize > 2500) throw usage("--batch-size must be in 1..2500: " + batchSize);
    if (!(rate >= 0) || Double.isInfinite(rate)) throw usage("--rate must be a number >= 0: " + rate);
    if (shutdownTimeoutSeconds < 0) throw usage("--shutdown-timeout must not be negative: " + shutdownTimeoutSeconds);

    Analytics.Builder client = Analytics.builder(dryRun ? "dry-run" : writeKey())
        .region(region)
        .gzip(gzip)
        // Long enough that batches fill from a fast file, short enough for a slow pipe.
        .flushInterval(Duration.ofSeconds(1));
    if (endpoint != null) {
      try {
        client.endpoint(endpoint);
      } catch (IllegalArgumentException e) {
        throw usage("--endpoint: " + e.getMessage());
      }
    }
    if (dryRun) {
      // The real client with a transport that accepts everything: every check the library makes
      // on a message (JSON values, the 32,000-byte limit) runs, and nothing leaves the machine.
      client.transport(request -> new Transport.Response(200, null, "{\"success\":true}"));
    }

    Importer.Builder importer = Importer.builder(client)
        .rejectsFile(rejects)
        .rate(rate)
        .batchSize(batchSize)
        .maxInFlightLines(Math.max(1_000, batchSize * 6))
        .shutdownTimeout(Duration.ofSeconds(shutdownTimeoutSeconds));
    if (files.isEmpty()) files.add("-");
    for (String file : files) {
      if (file.equals("-")) {
        importer.source(Importer.Source.stream("<stdin>", stdin));
      } else {
        Path path = Path.of(file);
        if (!Files.isReadable(path) || Files.isDirectory(path)) throw usage("cannot read input file: " + file);
        importer.source(Importer.Source.file(path));
      }
    }
    Files.deleteIfExists(rejects);
    return run(importer.build());
  }

  private int run(Importer importer) throws InterruptedException {
    CountDownLatch reported = new CountDownLatch(1);
    Thread hook = null;
    if (installShutdownHook) {
      long waitMillis = TimeUnit.SECONDS.toMillis(shutdownTimeoutSeconds) + 5_000;
      hook = new Thread(() -> {
        importer.cancel();
        // The JVM exits when hooks return: hold it until the summary is printed.
        try {
          reported.await(waitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "analytics4j-import-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      onStart.accept(importer);
      ImportResult result;
      try (Progress progress = interactive ? Progress.start(err, importer::progress) : null) {
        result = importer.run();
      }
      out.print(result.format(dryRun));
      out.flush();
      return result.exitCode();
    } finally {
      reported.countDown();
      if (hook != null && !importer.isCancelled()) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running; it returns once it sees the latch.
        }
      }
    }
  }

  private String writeKey() throws IOException {
    String key;
    String from;
    if (writeKeyFile != null) {
      if (!Files.isReadable(writeKeyFile)) throw usage("cannot read --write-key-file " + writeKeyFile);
      List<String> lines = Files.readAllLines(writeKeyFile, StandardCharsets.UTF_8);
      key = lines.isEmpty() ? "" : lines.get(0).trim();
      from = "--write-key-file " + writeKeyFile;
    } else {
      key = env.getOrDefault(writeKeyEnv, "").trim();
      from = "environment variable " + writeKeyEnv;
    }
    if (key.isEmpty()) {
      throw usage("no write key: set " + writeKeyEnv + " or pass --write-key-file (" + from + " is empty or unset)");
    }
    return key;
  }

  private ParameterException usage(String message) {
    if (spec == null) throw new IllegalStateException(message);
    return new ParameterException(spec.commandLine(), message);
  }
}
