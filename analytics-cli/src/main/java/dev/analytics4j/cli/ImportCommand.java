package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import dev.analytics4j.Region;
import dev.analytics4j.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
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
            + "keeping their timestamps and their context.library.",
        "Lines without a messageId get one derived from their exact text (the k-th exact repeat of a "
            + "line gets its own), so importing the same input again is deduplicated by the API.",
        "The write key is read from the environment variable named by --write-key-env "
            + "(default ANALYTICS_WRITE_KEY) or from --write-key-file, never from the command line."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every line was delivered (dry run: every line is valid)",
        "2:bad options, no write key, or an input or --rejects path refused; nothing was sent",
        "3:some lines were rejected as invalid; every valid line was delivered",
        "4:some valid lines were not delivered; see the rejects file",
        "5:the endpoint refused the write key (HTTP 401/403); the import stopped",
        "6:the endpoint accepted nothing (down, or answering 429) for longer than --max-downtime, or is the wrong "
            + "one (404, a redirect, an unknown host, ten requests in a row refused); the import stopped",
        "7:an input could not be read to its end (the summary says where), or the rejects file could not be written",
        "70:the counts did not add up (a bug; the summary shows them)",
        "130:interrupted by Ctrl-C (SIGINT)",
        "143:stopped by SIGTERM"})
final class ImportCommand implements Callable<Integer> {
  static final String DEFAULT_WRITE_KEY_ENV = "ANALYTICS_WRITE_KEY";
  private static final BigDecimal MAX_RATE = BigDecimal.valueOf(1_000_000);

  @Spec
  @Nullable CommandSpec spec;

  @Parameters(paramLabel = "FILE", arity = "0..*",
      description = "Input files; none, or -, reads standard input. Gzip (by content, not name) is decompressed.")
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
      description = "Send to this host instead of the region's (the importer adds /v1/batch).")
  @Nullable String endpoint;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "250",
      description = "Messages per request, 1..2500 (default: ${DEFAULT-VALUE}).")
  int batchSize = 250;

  @Option(names = "--rate", paramLabel = "MSGS_PER_S", defaultValue = "0",
      description = "At most this many events (lines) per second for the whole run, 1..1000000; 0 for no limit "
          + "(default). Halved when the endpoint answers 429 (and paused for its Retry-After or X-RateLimit-Reset), "
          + "back up to this rate after seconds of good answers.")
  String rate = "0";

  @Option(names = "--gzip", description = "Compress request bodies.")
  boolean gzip;

  @Option(names = "--dry-run", description = "Validate every line and report errors; send nothing.")
  boolean dryRun;

  @Option(names = "--charset", paramLabel = "NAME", defaultValue = "UTF-8",
      description = "Encoding of the input, e.g. ISO-8859-1 or windows-1252 for Latin-1 exports "
          + "(default: ${DEFAULT-VALUE}). Lines with bytes invalid in it are rejected, never altered.")
  String charsetName = "UTF-8";

  @Option(names = "--rejects", paramLabel = "PATH", defaultValue = "analytics4j-rejects.txt",
      description = "Where rejected and undelivered lines are listed as FILE:LINE: reason "
          + "(default: ${DEFAULT-VALUE}). Must not exist yet unless --overwrite-rejects; removed at "
          + "the end if nothing was written to it.")
  Path rejects = Path.of("analytics4j-rejects.txt");

  @Option(names = "--overwrite-rejects", description = "Replace the --rejects file if it exists.")
  boolean overwriteRejects;

  @Option(names = "--resume",
      description = "Continue the import that left the --checkpoint: every input is read again, and only the "
          + "lines not yet delivered or rejected are sent, with the same messageIds. Its rejects go to a file of "
          + "their own (the earlier runs' are kept). Input files only, unchanged since.")
  boolean resume;

  @Option(names = "--checkpoint", paramLabel = "PATH", defaultValue = "analytics4j-checkpoint.txt",
      description = "Where an import of files keeps the lines it has settled, for --resume "
          + "(default: ${DEFAULT-VALUE}). Removed when every line is settled; a run without --resume refuses "
          + "to start while it exists.")
  Path checkpointPath = Path.of("analytics4j-checkpoint.txt");

  @Option(names = "--max-downtime", paramLabel = "SECONDS", defaultValue = "120",
      description = "Stop when the endpoint has accepted nothing for this long: every attempt failed "
          + "(network error, HTTP 5xx) or was rate-limited (HTTP 429), 1..86400 (default: ${DEFAULT-VALUE}).")
  int maxDowntimeSeconds = 120;

  @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "After Ctrl-C or SIGTERM, how long to keep sending what was read, 0..3600 "
          + "(default: ${DEFAULT-VALUE}).")
  int shutdownTimeoutSeconds = 10;

  private final Map<String, String> env;
  private final InputStream stdin;
  final PrintStream out;
  final PrintStream err;
  private final boolean interactive;
  private final Consumer<Importer> onStart;

  /**
   * @param interactive whether {@code err} is a terminal: the progress line is drawn only then.
   * @param onStart sees the importer before it runs (Main installs its signal handlers there; tests
   *     cancel through it).
   */
  ImportCommand(Map<String, String> env, InputStream stdin, PrintStream out, PrintStream err,
      boolean interactive, Consumer<Importer> onStart) {
    this.env = env;
    this.stdin = stdin;
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.onStart = onStart;
  }

  @Override
  public Integer call() throws Exception {
    // Every option is checked before anything is created, read or sent.
    if (batchSize < 1 || batchSize > 2500) throw usage("--batch-size must be in 1..2500: " + batchSize);
    double ratePerSecond = parseRate(rate);
    if (shutdownTimeoutSeconds < 0 || shutdownTimeoutSeconds > 3600) {
      throw usage("--shutdown-timeout must be in 0..3600 seconds: " + shutdownTimeoutSeconds);
    }
    if (maxDowntimeSeconds < 1 || maxDowntimeSeconds > 86_400) {
      throw usage("--max-downtime must be in 1..86400 seconds: " + maxDowntimeSeconds);
    }
    Charset charset = charset(charsetName);
    checkEndpointOption();
    String writeKey = dryRun ? "dry-run" : writeKey();

    List<Importer.Source> sources = new ArrayList<>();
    List<Path> inputPaths = new ArrayList<>();
    if (files.isEmpty()) files.add("-");
    if (resume && files.contains("-")) {
      throw usage("--resume cannot continue standard input: it cannot be read again from where it stopped; "
          + "save it to a file and import the file, which can be resumed");
    }
    if (resume && dryRun) throw usage("--resume continues an import that sends; a dry run sends nothing to resume");
    boolean stdinUsed = false;
    for (String file : files) {
      if (file.equals("-")) {
        if (stdinUsed) throw usage("standard input (-) is given twice");
        stdinUsed = true;
        sources.add(Importer.Source.stream("<stdin>", stdin));
      } else {
        Path path = Path.of(file);
        checkReadable(path, "input file", "give the files in it");
        for (Path earlier : inputPaths) {
          // Every line would be sent twice, each copy counted as an exact repeat with its own id.
          if (Files.isSameFile(earlier, path)) throw usage("input file " + path + " is given twice");
        }
        if (Files.isRegularFile(path)) {
          byte[] head = readHead(path, 2);
          if (LineReader.isUtf16ByteOrderMark(head, 0, head.length)) {
            throw usage("input file " + path + ": " + LineReader.UTF16_MESSAGE);
          }
        }
        inputPaths.add(path);
        sources.add(Importer.Source.file(path));
      }
    }

    Analytics.Builder client = Analytics.builder(writeKey)
        .region(region)
        // Long enough that batches fill from a fast file, short enough for a slow pipe.
        .flushInterval(Duration.ofSeconds(1))
        // Retries come often enough to notice a recovered endpoint within seconds.
        .retryBackoff(Duration.ofMillis(500), Duration.ofSeconds(10));
    if (endpoint != null) client.endpoint(endpoint);
    Importer.Builder importer = Importer.builder(client)
        .gzip(gzip)
        .dryRun(dryRun)
        .charset(charset)
        .rate(dryRun ? 0 : ratePerSecond) // a dry run sends nothing: no reason to pace it
        .batchSize(batchSize)
        .maxInFlightLines(Math.max(1_000, batchSize * 6))
        .maxDowntime(Duration.ofSeconds(maxDowntimeSeconds))
        .shutdownTimeout(Duration.ofSeconds(shutdownTimeoutSeconds));
    if (dryRun) {
      // The real client with a transport that accepts everything: every check the library makes
      // on a message (JSON values, the 32,000-byte limit) runs, and nothing leaves the machine.
      importer.transport(request -> new Transport.Response(200, null, "{\"success\":true}"));
    } else {
      importer.checkEndpoint();
    }
    for (Importer.Source source : sources) importer.source(source);

    Resumes.Plan plan = null;
    if (!dryRun && !stdinUsed) {
      if (rejects.toAbsolutePath().normalize().equals(checkpointPath.toAbsolutePath().normalize())) {
        throw usage("--rejects and --checkpoint name the same file, " + rejects + "; give them different paths");
      }
      boolean rejectsGiven = spec != null && spec.commandLine().getParseResult() != null
          && spec.commandLine().getParseResult().hasMatchedOption("--rejects");
      try {
        plan = Resumes.plan(checkpointPath, resume, inputPaths, charset, rejectsGiven ? rejects : null);
      } catch (Checkpoint.RefusedException e) {
        throw usage(e.getMessage());
      }
      if (plan.rejects != null) rejects = plan.rejects;
    }
    // The repeat counter's file goes beside the rejects file: the disk the user chose for the run.
    Path rejectsDirectory = rejects.toAbsolutePath().getParent();
    Path workDirectory = rejectsDirectory != null ? rejectsDirectory : Path.of(System.getProperty("java.io.tmpdir"));

    // Last, because it creates the file: a refused option above leaves nothing behind.
    RejectsFile rejectsFile;
    try {
      List<Path> protectedPaths = new ArrayList<>(inputPaths);
      if (writeKeyFile != null) protectedPaths.add(writeKeyFile);
      protectedPaths.add(checkpointPath);
      rejectsFile = RejectsFile.open(rejects, overwriteRejects, protectedPaths);
    } catch (RejectsFile.RefusedException e) {
      throw usage(e.getMessage());
    }
    Checkpoint checkpoint = null;
    if (plan != null) {
      try {
        checkpoint = plan.start(rejects);
      } catch (IOException | Checkpoint.RefusedException e) {
        rejectsFile.close(); // created empty just now: removed
        throw usage(e instanceof Checkpoint.RefusedException ? e.getMessage()
            : "--checkpoint " + checkpointPath + " cannot be written: " + e.getMessage());
      }
    }
    return run(importer.state(checkpoint, resume, workDirectory).rejects(rejectsFile).build());
  }

  private int run(Importer importer) throws InterruptedException {
    onStart.accept(importer);
    ImportResult result;
    if (interactive) {
      PrintStream systemErr = System.err;
      try (Progress progress = Progress.start(err, importer::progress)) {
        // Log lines (slf4j-simple writes to System.err) clear the progress line before they print.
        System.setErr(new PrintStream(progress.interleaved(), true));
        result = importer.run();
      } finally {
        System.setErr(systemErr);
      }
    } else {
      ScheduledExecutorService notices = Progress.notices(err, importer::progress);
      try {
        result = importer.run();
      } finally {
        notices.shutdownNow();
      }
    }
    out.print(result.format());
    out.flush();
    return result.exitCode();
  }

  private double parseRate(String text) {
    BigDecimal value;
    try {
      value = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      value = null;
    }
    if (value == null || value.signum() < 0 || (value.signum() > 0 && (value.compareTo(BigDecimal.ONE) < 0
        || value.compareTo(MAX_RATE) > 0))) {
      throw usage("--rate must be 0 (no limit) or from 1 to 1000000 messages per second: " + text);
    }
    return value.doubleValue();
  }

  private Charset charset(String name) {
    Charset charset;
    try {
      charset = Charset.forName(name);
    } catch (IllegalArgumentException e) {
      throw usage("--charset " + name + " is not an encoding this Java knows; try UTF-8, ISO-8859-1 or windows-1252");
    }
    // Lines are split at the byte '\n' and JSON's syntax is ASCII: UTF-16 and EBCDIC cannot work.
    String probe = "\n\r{}[]\":,.-+0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ \\/";
    if (!charset.canEncode() || !Arrays.equals(probe.getBytes(charset), probe.getBytes(StandardCharsets.US_ASCII))) {
      throw usage("--charset " + name + " does not keep ASCII as it is; convert the input to UTF-8 first");
    }
    return charset;
  }

  /** Checks --endpoint the way the client will use it, in the CLI's own words. */
  private void checkEndpointOption() {
    if (endpoint == null) return;
    String host = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    for (String suffix : new String[] {"/v1/batch", "/v1"}) {
      if (host.endsWith(suffix)) {
        throw usage("--endpoint takes the host only; the importer adds /v1/batch: try --endpoint "
            + host.substring(0, host.length() - suffix.length()));
      }
    }
    try {
      Analytics.builder("check").endpoint(endpoint);
    } catch (IllegalArgumentException e) {
      throw usage("--" + e.getMessage());
    }
  }

  private void checkReadable(Path path, String what, String directoryHint) {
    if (!Files.exists(path)) throw usage(what + " not found: " + path);
    if (Files.isDirectory(path)) throw usage(what + " " + path + " is a directory; " + directoryHint);
    if (!Files.isReadable(path)) throw usage(what + " " + path + " cannot be read: permission denied");
  }

  private String writeKey() throws IOException {
    String key;
    String from;
    if (writeKeyFile != null) {
      checkReadable(writeKeyFile, "--write-key-file", "give the path of the file that holds the key");
      // A key is a short first line; never read a device to its end.
      byte[] head = readHead(writeKeyFile, 4096);
      // Notepad and PowerShell start text files with a byte order mark; it is not part of the key.
      // PowerShell 5's "echo key > file" writes UTF-16.
      String text;
      if (head.length >= 2 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xFE) {
        text = new String(head, 2, head.length - 2, StandardCharsets.UTF_16LE);
      } else if (head.length >= 2 && (head[0] & 0xff) == 0xFE && (head[1] & 0xff) == 0xFF) {
        text = new String(head, 2, head.length - 2, StandardCharsets.UTF_16BE);
      } else {
        text = new String(head, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
      }
      int end = text.indexOf('\n');
      key = (end < 0 ? text : text.substring(0, end)).trim();
      from = "--write-key-file " + writeKeyFile + " is empty";
    } else {
      if (writeKeyEnv.isBlank()) throw usage("--write-key-env needs the name of an environment variable");
      key = env.getOrDefault(writeKeyEnv, "").trim();
      from = "environment variable " + writeKeyEnv + " is empty or unset";
    }
    if (key.isEmpty()) {
      throw usage("no write key: set " + writeKeyEnv + " or pass --write-key-file (" + from + ")");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\uFFFD') {
        // Never shown: it would print (part of) the key.
        throw usage("the write key from " + (writeKeyFile != null ? "--write-key-file " + writeKeyFile
            : "environment variable " + writeKeyEnv) + " holds a control character or invalid text; is it a text file?");
      }
    }
    return key;
  }

  private static byte[] readHead(Path path, int bytes) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(bytes);
    }
  }

  private ParameterException usage(String message) {
    if (spec == null) throw new IllegalStateException(message);
    return new ParameterException(spec.commandLine(), message);
  }
}
