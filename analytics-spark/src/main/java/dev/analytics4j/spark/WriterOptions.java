package dev.analytics4j.spark;

import dev.analytics4j.Analytics;
import dev.analytics4j.internal.Wire;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The writer's options, checked once on the driver (where a mistake fails the job before any row is
 * sent) and shipped to the tasks. Option names are case-insensitive, as Spark passes them.
 */
final class WriterOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How DECIMAL values are sent. */
  enum Decimals {
    /** As a JSON number when a double holds the value exactly; otherwise the row is rejected. */
    EXACT,
    /** Always as a JSON string holding the exact value. */
    STRING,
    /** As the nearest double: lossy, chosen knowingly. */
    DOUBLE
  }

  /** How BINARY values are sent. */
  enum Binary {
    REJECT,
    BASE64
  }

  static final Set<String> NAMES = Collections.unmodifiableSet(new TreeSet<>(List.of(
      "writekey", "endpoint", "uploadurl", "region", "type", "keycolumns", "ratelimit", "concurrenttasks",
      "rejectspath", "decimals", "binary", "timestampntzzone", "flushat", "maxretries", "flushtimeout",
      "maxpending", "gzip", "path")));

  final String writeKey;
  final @Nullable String endpoint;
  final @Nullable String uploadUrl;
  final boolean eu;
  final @Nullable String defaultType;
  final List<String> keyColumns;
  /** Messages per second for the whole job, or 0 for no limit. */
  final double rateLimit;
  /** 0: derive from the cluster. */
  final int concurrentTasks;
  final @Nullable String rejectsPath;
  final Decimals decimals;
  final Binary binary;
  final @Nullable String timestampNtzZone;
  final int flushAt;
  final int maxRetries;
  final Duration flushTimeout;
  final int maxPending;
  final boolean gzip;

  private WriterOptions(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!NAMES.contains(key.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("unknown analytics4j option '" + key + "'; known options: "
            + String.join(", ", NAMES));
      }
    }
    String key = get(options, "writeKey");
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("option writeKey is required: the source's write key");
    }
    this.writeKey = key;
    this.endpoint = get(options, "endpoint");
    this.uploadUrl = get(options, "uploadUrl");
    String region = get(options, "region");
    if (region != null && !region.equalsIgnoreCase("us") && !region.equalsIgnoreCase("eu")) {
      throw new IllegalArgumentException("option region must be US or EU: " + region);
    }
    this.eu = region != null && region.equalsIgnoreCase("eu");
    String type = get(options, "type");
    if (type != null && MessageTypes.parse(type) == null) {
      throw new IllegalArgumentException("option type must be one of " + MessageTypes.NAMES + ": " + type);
    }
    this.defaultType = type;
    List<String> keys = new ArrayList<>();
    String keyColumns = get(options, "keyColumns");
    if (keyColumns != null) {
      for (String column : keyColumns.split(",")) {
        if (column.isBlank()) throw new IllegalArgumentException("option keyColumns has an empty name: " + keyColumns);
        keys.add(column.trim());
      }
    }
    this.keyColumns = Collections.unmodifiableList(keys);
    this.rateLimit = positiveDouble(options, "rateLimit");
    this.concurrentTasks = (int) wholeNumber(options, "concurrentTasks", 0, 1, Integer.MAX_VALUE);
    this.rejectsPath = get(options, "rejectsPath");
    this.decimals = choice(options, "decimals", Decimals.class, Decimals.EXACT);
    this.binary = choice(options, "binary", Binary.class, Binary.REJECT);
    String zone = get(options, "timestampNtzZone");
    if (zone != null) {
      try {
        ZoneId.of(zone);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("option timestampNtzZone is not a zone id: " + zone, e);
      }
    }
    this.timestampNtzZone = zone;
    this.flushAt = (int) wholeNumber(options, "flushAt", 250, 1, 2500);
    this.maxRetries = (int) wholeNumber(options, "maxRetries", 10, 0, 1000); // as the client's builder
    this.flushTimeout = Duration.ofSeconds(wholeNumber(options, "flushTimeout", 600, 1, Long.MAX_VALUE / 1_000_000_000L));
    this.maxPending = (int) wholeNumber(options, "maxPending", 10_000, 1, 1_000_000);
    String gzip = get(options, "gzip");
    if (gzip != null && !gzip.equalsIgnoreCase("true") && !gzip.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("option gzip must be true or false: " + gzip);
    }
    this.gzip = Boolean.parseBoolean(gzip);
    if (endpoint != null && uploadUrl != null) {
      throw new IllegalArgumentException("set option endpoint or uploadUrl, not both");
    }
    // The client's builder checks the URL here, on the driver, rather than in every task (which Spark
    // would retry before failing the job). Its refusal names the setting, and never quotes the key.
    try {
      Analytics.Builder check = Analytics.builder(key);
      if (endpoint != null) check.endpoint(endpoint);
      if (uploadUrl != null) check.uploadUrl(uploadUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option " + e.getMessage(), e.getCause());
    }
  }

  /** Checks {@code options} (names compared case-insensitively). */
  static WriterOptions parse(Map<String, String> options) {
    return new WriterOptions(options);
  }

  private static @Nullable String get(Map<String, String> options, String name) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
    }
    return null;
  }

  private static double positiveDouble(Map<String, String> options, String name) {
    String value = get(options, name);
    if (value == null) return 0;
    double d;
    try {
      d = Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + name + " must be a number: " + value, e);
    }
    if (!(d > 0) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("option " + name + " must be a positive number: " + value);
    }
    return d;
  }

  private static long wholeNumber(Map<String, String> options, String name, long fallback, long min, long max) {
    String value = get(options, name);
    if (value == null) return fallback;
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option " + name + " must be a whole number: " + value, e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("option " + name + " must be in " + min + ".." + max + ": " + value);
    }
    return n;
  }

  private static <E extends Enum<E>> E choice(Map<String, String> options, String name, Class<E> type, E fallback) {
    String value = get(options, name);
    if (value == null) return fallback;
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value.trim())) return e;
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) names.add(e.name().toLowerCase(Locale.ROOT));
    throw new IllegalArgumentException("option " + name + " must be one of " + names + ": " + value);
  }

  /** Never the write key. */
  @Override
  public String toString() {
    return "WriterOptions{" + (endpoint != null ? "endpoint=" + Wire.shownUrl(endpoint, writeKey) + ", " : "")
        + (uploadUrl != null ? "uploadUrl=" + Wire.shownUrl(uploadUrl, writeKey) + ", " : "") + "region=" + (eu ? "EU" : "US")
        + (defaultType != null ? ", type=" + defaultType : "") + ", keyColumns=" + keyColumns
        + ", rateLimit=" + (rateLimit == 0 ? "none" : rateLimit + "/s")
        + (concurrentTasks > 0 ? ", concurrentTasks=" + concurrentTasks : "")
        + (rejectsPath != null ? ", rejectsPath=" + rejectsPath : "") + ", decimals=" + decimals
        + ", binary=" + binary + (timestampNtzZone != null ? ", timestampNtzZone=" + timestampNtzZone : "")
        + ", flushAt=" + flushAt + ", maxRetries=" + maxRetries + ", flushTimeout=" + flushTimeout
        + ", maxPending=" + maxPending + ", gzip=" + gzip + "}";
  }
}
