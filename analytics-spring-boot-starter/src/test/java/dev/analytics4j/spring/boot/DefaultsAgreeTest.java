package dev.analytics4j.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import dev.analytics4j.Analytics;
import dev.analytics4j.Region;
import dev.analytics4j.SpoolSync;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * Every default is written in one place per audience, and they all agree: the core builder's
 * (read from a fresh {@code Analytics.Builder}), the starter's {@link AnalyticsProperties} field
 * initialisers, the generated {@code spring-configuration-metadata.json} that IDEs and Boot read,
 * docs/spring-boot.md's property table and docs/usage.md's builder table. A failure names each
 * setting that disagrees and what each place says.
 */
class DefaultsAgreeTest {
  /** Properties whose starter default differs from the builder's on purpose, and why. */
  private static final Map<String, String> STARTER_OWN = Map.of("shutdown-hook",
      "the starter closes the client in the context's graceful-shutdown phase (AnalyticsLifecycle)");
  /** Starter properties with no builder setting behind them. */
  private static final List<String> STARTER_ONLY = List.of("write-key", "request-context",
      "request-context-query-strings", "health-affects-status");
  /** Builder settings named otherwise in the core's settings, or holding two properties' values. */
  private static final Map<String, String> CORE_FIELD = Map.of("spool", "spoolDirectory");
  /** Rows of docs/usage.md naming one builder method for two settings, in its parameters' order. */
  private static final Map<String, List<String>> USAGE_ROWS = Map.of(
      "retryBackoff(initial, max)", List.of("initial-backoff", "max-backoff"),
      "maxRetryAfter(perWait, total)", List.of("max-retry-after", "max-retry-after-total"));
  private static final String UNSET = "unset";
  private static final Path DOCS = Path.of("..", "docs");

  @Test
  void theBuilderThePropertiesTheMetadataAndTheDocsSayTheSame() throws Exception {
    Map<String, String> metadata = metadataDefaults();
    Map<String, String> bootDocs = tableDefaults(DOCS.resolve("spring-boot.md"), "analytics4j.");
    Map<String, String> usageDocs = usageDefaults();
    BeanWrapperImpl properties = new BeanWrapperImpl(new AnalyticsProperties());
    Object core = coreSettings();

    List<String> disagreements = new ArrayList<>();
    for (String property : metadata.keySet()) {
      String camel = camel(property);
      Map<String, String> says = new LinkedHashMap<>();
      String starter = normalise(property, properties.getPropertyValue(camel));
      says.put("AnalyticsProperties", starter);
      says.put("metadata", metadata.get(property));
      says.put("docs/spring-boot.md", bootDocs.getOrDefault(property, "(no row)"));
      if (!STARTER_ONLY.contains(property)) {
        Object coreValue = coreValue(core, CORE_FIELD.getOrDefault(property, camel));
        // Unset, the client sends its library's name and version.
        if (property.equals("user-agent") && coreValue == null) coreValue = "analytics4j/VERSION";
        String builder = normalise(property, coreValue);
        says.put("builder", builder);
        says.put("docs/usage.md", usageDocs.getOrDefault(property, "(no row)"));
        if (STARTER_OWN.containsKey(property)) {
          // The starter's own default: the builder's must differ, or the exception is stale.
          if (builder.equals(starter)) disagreements.add(property + ": listed as the starter's own default, but the builder's is the same");
          says.remove("builder");
          says.remove("docs/usage.md");
        } else if (starter.equals(UNSET)) {
          // Unset: the builder's own default applies, which the docs give.
          says.put("AnalyticsProperties", builder);
          if (!metadata.get(property).equals(UNSET)) disagreements.add(property + ": unset in AnalyticsProperties, "
              + "but the metadata gives it a default, " + metadata.get(property));
          says.put("metadata", builder);
        }
      }
      if (says.values().stream().distinct().count() > 1) disagreements.add("analytics4j." + property + ": " + says);
    }
    for (String property : usageDocs.keySet()) {
      if (!metadata.containsKey(property)) disagreements.add("docs/usage.md has a default for " + property + ", no property");
    }
    assertEquals(List.of(), disagreements, String.join("\n", disagreements));
  }

  @Test
  void aDisagreementIsNamed() {
    // The comparison above rests on normalise: different spellings of one value are one value,
    // and different values are not.
    assertEquals(normalise("flush-interval", Duration.ofSeconds(10)), normalise("flush-interval", "10 s"));
    assertEquals(normalise("flush-interval", "PT10S"), normalise("flush-interval", "10000"));
    assertTrue(!normalise("flush-interval", "10 s").equals(normalise("flush-interval", "10ms")));
    assertEquals(normalise("max-queue-bytes", 32L * 1024 * 1024), normalise("max-queue-bytes", "32 MiB"));
    assertEquals(normalise("max-queue-bytes", DataSize.ofMegabytes(32)), normalise("max-queue-bytes", "32MB"));
    assertEquals(normalise("spool-sync", "1s"), normalise("spool-sync", SpoolSync.interval(Duration.ofSeconds(1))));
    assertEquals(normalise("spool-sync", "1s"), normalise("spool-sync", "SpoolSync.interval(1 s)"));
    assertEquals(normalise("region", "us"), normalise("region", Region.US));
    assertEquals(normalise("max-queue-size", "10,000"), normalise("max-queue-size", 10_000));
    assertEquals(normalise("spool-max-age", "7 days"), normalise("spool-max-age", "7d"));
  }

  /** A value in one form for every place: durations and sizes parsed, enums by name. */
  static String normalise(String property, @Nullable Object value) {
    if (value == null) return UNSET;
    if (value instanceof Duration) return value.toString();
    if (value instanceof DataSize) return Long.toString(((DataSize) value).toBytes());
    if (value instanceof SpoolSync || value instanceof Region || value instanceof Boolean
        || value instanceof Integer || value instanceof Long) {
      if (value instanceof Long && property.endsWith("-bytes")) return value.toString();
      return value.toString().toUpperCase(Locale.ROOT);
    }
    String text = value.toString().trim();
    if (text.equals(UNSET)) return UNSET;
    if (property.equals("spool-sync")) {
      Matcher javaForm = Pattern.compile("SpoolSync\\.interval\\((.+)\\)").matcher(text);
      return AnalyticsAutoConfiguration.spoolSync(javaForm.matches() ? bootDuration(javaForm.group(1)) : text)
          .toString().toUpperCase(Locale.ROOT);
    }
    if (property.endsWith("-bytes")) return Long.toString(bytes(text));
    if (isDuration(property)) return DurationStyle.detectAndParse(bootDuration(text)).toString();
    if (property.equals("user-agent")) return text.replace("VERSION", Analytics.VERSION);
    return text.replace(",", "").toUpperCase(Locale.ROOT);
  }

  private static boolean isDuration(String property) {
    return property.endsWith("-interval") || property.endsWith("-timeout") || property.endsWith("-backoff")
        || property.endsWith("-duration") || property.startsWith("max-retry-after") || property.endsWith("-age");
  }

  /** "10 s", "5 min", "7 days" as the docs write them for people, in Boot's form. */
  private static String bootDuration(String text) {
    return text.replace(" ", "").replaceAll("min$", "m").replaceAll("days?$", "d");
  }

  private static long bytes(String text) {
    Matcher size = Pattern.compile("(\\d+) ?(B|KiB|MiB|GiB)").matcher(text);
    if (!size.matches()) return DataSize.parse(text).toBytes();
    long unit = size.group(2).equals("B") ? 1 : size.group(2).equals("KiB") ? 1024 : size.group(2).equals("MiB")
        ? 1024 * 1024 : 1024 * 1024 * 1024;
    return Long.parseLong(size.group(1)) * unit;
  }

  private static String camel(String kebab) {
    StringBuilder camel = new StringBuilder();
    for (String part : kebab.split("-")) {
      camel.append(camel.length() == 0 ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
    }
    return camel.toString();
  }

  /** The settings a fresh builder holds: the core's defaults, as build() would read them. */
  private static Object coreSettings() throws ReflectiveOperationException {
    Field settings = Analytics.Builder.class.getDeclaredField("settings");
    settings.setAccessible(true);
    return settings.get(Analytics.builder("defaults-test-key"));
  }

  private static @Nullable Object coreValue(Object settings, String name) {
    try {
      Field field = settings.getClass().getDeclaredField(name);
      field.setAccessible(true);
      return field.get(settings);
    } catch (NoSuchFieldException e) {
      throw new AssertionError("the builder holds no setting '" + name + "' (its settings: "
          + Arrays.toString(settings.getClass().getDeclaredFields()) + ")", e);
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, String> metadataDefaults() throws IOException {
    String json;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertTrue(in != null, "configuration metadata was not generated");
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonAdapter<Map<String, Object>> adapter = new Moshi.Builder().build()
        .adapter(Types.newParameterizedType(Map.class, String.class, Object.class));
    Map<String, String> defaults = new TreeMap<>();
    for (Map<String, Object> property : (List<Map<String, Object>>) adapter.fromJson(json).get("properties")) {
      String name = (String) property.get("name");
      if (!name.startsWith("analytics4j.")) continue;
      String key = name.substring("analytics4j.".length());
      Object value = property.get("defaultValue");
      // Moshi reads JSON numbers as doubles.
      if (value instanceof Double && ((Double) value) == Math.rint((Double) value)) value = ((Double) value).longValue();
      defaults.put(key, value instanceof Long && !key.endsWith("-bytes") ? normalise(key, value.toString())
          : normalise(key, value));
    }
    return defaults;
  }

  /** The default column of a markdown table whose first column is a property or setting in backticks. */
  private static Map<String, String> tableDefaults(Path file, String prefix) throws IOException {
    Map<String, String> defaults = new TreeMap<>();
    Pattern row = Pattern.compile("^\\| `" + Pattern.quote(prefix) + "([^`]+)` \\|([^|]*)\\|");
    for (String line : Files.readAllLines(file)) {
      Matcher matcher = row.matcher(line);
      if (matcher.find()) defaults.put(matcher.group(1), normalise(matcher.group(1), firstValue(matcher.group(2))));
    }
    assertTrue(!defaults.isEmpty(), "no property table in " + file);
    return defaults;
  }

  /** docs/usage.md's table, by the starter's property names. */
  private static Map<String, String> usageDefaults() throws IOException {
    Map<String, String> defaults = new TreeMap<>();
    Pattern row = Pattern.compile("^\\| `([^`]+)` \\|([^|]*)\\|");
    boolean inTable = false;
    for (String line : Files.readAllLines(DOCS.resolve("usage.md"))) {
      if (line.equals("## Settings and their defaults")) inTable = true;
      if (!inTable) continue;
      if (line.startsWith("## ") && !line.equals("## Settings and their defaults")) break;
      Matcher matcher = row.matcher(line);
      if (!matcher.find()) continue;
      List<String> properties = USAGE_ROWS.getOrDefault(matcher.group(1), List.of(kebab(matcher.group(1))));
      List<String> values = values(matcher.group(2));
      for (int i = 0; i < properties.size(); i++) {
        defaults.put(properties.get(i), normalise(properties.get(i), i < values.size() ? values.get(i) : UNSET));
      }
    }
    assertTrue(!defaults.isEmpty(), "no '## Settings and their defaults' table in docs/usage.md");
    return defaults;
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
  }

  /** The first value in backticks, or unset for an empty cell or one saying "unset". */
  private static String firstValue(String cell) {
    List<String> values = values(cell);
    return values.isEmpty() ? UNSET : values.get(0);
  }

  private static List<String> values(String cell) {
    List<String> values = new ArrayList<>();
    Matcher code = Pattern.compile("`([^`]+)`").matcher(cell);
    // "unset (off)", "unset (the region's host)": no value; "`250`, or `maxQueueSize` if smaller": 250.
    if (!cell.trim().startsWith("`")) return values;
    while (code.find()) values.add(code.group(1));
    return values;
  }
}
