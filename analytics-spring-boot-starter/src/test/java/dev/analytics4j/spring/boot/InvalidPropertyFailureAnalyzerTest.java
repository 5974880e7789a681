package dev.analytics4j.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.Analytics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A refused analytics4j.* value fails startup with Boot's failure report, naming the property. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPropertyFailureAnalyzerTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(AnalyticsAutoConfiguration.class))
      .withPropertyValues("analytics4j.write-key=test-key");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "flush-at=0                  | analytics4j.flush-at               | 0          | a whole number from 1 to 2500",
      "flush-at=2501               | analytics4j.flush-at               | 2501       | a whole number from 1 to 2500",
      "max-in-flight-requests=65   | analytics4j.max-in-flight-requests | 65         | a whole number from 1 to 64",
      "max-retries=-1              | analytics4j.max-retries            | -1         | a whole number from 0 to 1000",
      "max-queue-size=0            | analytics4j.max-queue-size         | 0          | a whole number of at least 1",
      "max-queue-bytes=1KB         | analytics4j.max-queue-bytes        | 1024B      | a size of at least 32000B",
      "flush-interval=0s           | analytics4j.flush-interval         | PT0S       | a positive duration",
      "initial-backoff=2m          | analytics4j.initial-backoff        | PT2M       | at most analytics4j.max-backoff (PT1M)",
      "read-timeout=-1s            | analytics4j.read-timeout           | PT-1S      | a duration of 0 or more",
      "max-backoff=0s              | analytics4j.max-backoff            | PT0S       | a positive duration",
      "max-backoff=-1s             | analytics4j.max-backoff            | PT-1S      | a positive duration",
      "max-retry-after=-1s         | analytics4j.max-retry-after        | PT-1S      | a duration of 0 or more",
      "max-retry-after-total=-1s   | analytics4j.max-retry-after-total  | PT-1S      | a duration of 0 or more",
      "max-retry-duration=0s       | analytics4j.max-retry-duration     | PT0S       | a positive duration",
      "close-timeout=-1s           | analytics4j.close-timeout          | PT-1S      | a duration of 0 or more",
      "connect-timeout=-1s         | analytics4j.connect-timeout        | PT-1S      | a duration of 0 or more",
      "endpoint=https://c.example/v1 | analytics4j.endpoint             | https://c.example/v1 | for a full URL use analytics4j.upload-url",
      "upload-url=ftp://c.example/b | analytics4j.upload-url            | ftp://c.example/b | an http or https URL",
      "user-agent=caf\u00e9       | analytics4j.user-agent             | caf\u00e9   | printable ASCII",
      "spool-sync=sometimes        | analytics4j.spool-sync             | sometimes  | none, every-write, or an interval",
      "spool-sync=0s               | analytics4j.spool-sync             | 0s         | none, every-write, or an interval",
      "spool-sync=-2s              | analytics4j.spool-sync             | -2s        | none, every-write, or an interval",
      "spool-sync=1 s              | analytics4j.spool-sync             | 1 s        | none, every-write, or an interval",
      "spool-sync=PT               | analytics4j.spool-sync             | PT         | none, every-write, or an interval"})
  void eachRefusedValueNamesItsPropertyValueAndWhatIsAllowed(String setting, String property, String value,
      String allowed) {
    runner.withPropertyValues("analytics4j." + setting).run(context -> {
      assertThat(context).hasFailed();
      InvalidPropertyException e = find(context.getStartupFailure());
      assertNotNull(e, "no InvalidPropertyException in " + context.getStartupFailure());
      assertEquals(property, e.property());
      assertEquals(value, e.value());
      FailureAnalysis analysis = new InvalidPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertTrue(analysis.getDescription().startsWith("Invalid value '" + value + "' for configuration property '"
          + property + "'"), analysis.getDescription());
      assertTrue(analysis.getAction().startsWith("Set " + property + " to "), analysis.getAction());
      assertTrue(analysis.getAction().contains(allowed), analysis.getAction());
    });
  }

  @Test
  void aUrlsPasswordIsNotRepeated() {
    runner.withPropertyValues("analytics4j.upload-url=https://proxy-user:s3cr3t@c.example/b#frag").run(context -> {
      InvalidPropertyException e = find(context.getStartupFailure());
      assertNotNull(e, String.valueOf(context.getStartupFailure()));
      assertEquals("https://***@c.example/b#[hidden]", e.value());
      FailureAnalysis analysis = new InvalidPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertTrue(!(analysis.getDescription() + analysis.getAction() + e.getMessage()).contains("s3cr3t"),
          analysis.getDescription());
    });
  }

  @Test
  void aUrlsQueryIsNotRepeated() {
    runner.withPropertyValues("analytics4j.upload-url=https://c.example:0/b?token=s3cr3t").run(context -> {
      InvalidPropertyException e = find(context.getStartupFailure());
      assertNotNull(e, String.valueOf(context.getStartupFailure()));
      assertEquals("https://c.example:0/b?[hidden]", e.value());
      assertEquals("uploadUrl port must be in 1..65535: https://c.example:0/b?[hidden]", e.reason());
      FailureAnalysis analysis = new InvalidPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertFalse((analysis.getDescription() + analysis.getAction() + e.getMessage()).contains("s3cr3t"),
          analysis.getDescription());
    });
  }

  /** The spool is opened when the client is built: a path that cannot be one fails startup naming the property. */
  @Test
  void aSpoolThatCannotBeOpenedNamesItsProperty(@TempDir Path temp) throws Exception {
    Path file = Files.writeString(temp.resolve("not-a-directory"), "x");
    runner.withPropertyValues("analytics4j.spool=" + file).run(context -> {
      assertThat(context).hasFailed();
      InvalidPropertyException e = find(context.getStartupFailure());
      assertNotNull(e, String.valueOf(context.getStartupFailure()));
      assertEquals("analytics4j.spool", e.property());
      assertEquals(file.toString(), e.value());
      assertEquals("cannot create the spool directory " + file + ": java.nio.file.FileAlreadyExistsException: " + file,
          e.reason());
      FailureAnalysis analysis = new InvalidPropertyFailureAnalyzer().analyze(context.getStartupFailure());
      assertTrue(analysis.getDescription().startsWith("Invalid value '" + file + "' for configuration property "
          + "'analytics4j.spool'"), analysis.getDescription());
    });
  }

  @Test
  void aSpoolMaxBytesTooSmallIsRefusedWithTheSpool(@TempDir Path temp) {
    runner.withPropertyValues("analytics4j.spool=" + temp.resolve("spool"), "analytics4j.spool-max-bytes=1KB")
        .run(context -> {
          InvalidPropertyException e = find(context.getStartupFailure());
          assertNotNull(e, String.valueOf(context.getStartupFailure()));
          assertEquals("analytics4j.spool-max-bytes", e.property());
          assertEquals("spoolMaxBytes must be at least 131072: 1024", e.reason());
        });
    runner.withPropertyValues("analytics4j.spool=" + temp.resolve("spool"), "analytics4j.spool-max-age=0s")
        .run(context -> {
          InvalidPropertyException e = find(context.getStartupFailure());
          assertNotNull(e, String.valueOf(context.getStartupFailure()));
          assertEquals("analytics4j.spool-max-age", e.property());
          assertEquals("a positive duration, such as 12h or 7d", e.allowed());
        });
  }

  @Test
  void spoolSettingsWithoutASpoolAreWarnedAbout(CapturedOutput output) {
    runner.withPropertyValues("analytics4j.spool-sync=every-write", "analytics4j.spool-max-bytes=1GB",
            "analytics4j.spool-max-age=1d")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Analytics.class));
    assertTrue(output.getAll().contains("analytics4j.spool-sync is set without analytics4j.spool: it has no effect"),
        output.getAll());
    assertTrue(output.getAll().contains("analytics4j.spool-max-bytes is set without analytics4j.spool: it has no effect"),
        output.getAll());
    assertTrue(output.getAll().contains("analytics4j.spool-max-age is set without analytics4j.spool: it has no effect"),
        output.getAll());
  }

  @Test
  void theDefaultsWarnAboutNothing(CapturedOutput output) {
    runner.run(context -> assertThat(context).hasNotFailed());
    assertTrue(!output.getAll().contains("has no effect"), output.getAll());
  }

  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {}

  @Test
  void aRealStartupPrintsBootsFailureReportWithThePropertyItsOriginAndWhatIsAllowed(CapturedOutput output) {
    SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE);
    assertThrows(RuntimeException.class, () -> app.run("--analytics4j.write-key=test-key", "--analytics4j.flush-at=0"));

    String all = output.getAll();
    assertTrue(all.contains("APPLICATION FAILED TO START"), all);
    assertTrue(all.contains("Invalid value '0' for configuration property 'analytics4j.flush-at' (from \"analytics4j.flush-at\" "
        + "from property source \"commandLineArgs\").\n\nReason: flushAt must be in 1..2500: 0"), all);
    assertTrue(all.contains("Set analytics4j.flush-at to a whole number from 1 to 2500 (the API's limit per request), "
        + "or remove it to use the default."), all);
  }

  @Test
  void aRegionThatIsNotOneIsReportedByBootWithTheValidValues(CapturedOutput output) {
    SpringApplicationBuilder app = new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE);
    assertThrows(RuntimeException.class, () -> app.run("--analytics4j.write-key=test-key", "--analytics4j.region=MARS"));

    String all = output.getAll();
    assertTrue(all.contains("APPLICATION FAILED TO START"), all);
    assertTrue(all.contains("analytics4j.region"), all);
    assertTrue(all.contains("MARS"), all);
    assertTrue(all.contains("EU") && all.contains("US"), all);
  }

  @Test
  void theAnalyzerIsRegisteredAndTheEnumeratedValuesHaveHints() throws IOException {
    java.util.Properties factories = new java.util.Properties();
    factories.load(new java.io.StringReader(resource("/META-INF/spring.factories")));
    assertEquals(InvalidPropertyFailureAnalyzer.class.getName(),
        factories.getProperty("org.springframework.boot.diagnostics.FailureAnalyzer"));
    String metadata = resource("/META-INF/spring-configuration-metadata.json");
    for (String hint : new String[] {"\"name\": \"analytics4j.region\"", "\"value\": \"every-write\"", "\"value\": \"EU\""}) {
      assertTrue(metadata.contains(hint), hint + " in " + metadata);
    }
  }

  private String resource(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(name)) {
      assertNotNull(in, name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static InvalidPropertyException find(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof InvalidPropertyException) return (InvalidPropertyException) t;
    }
    return null;
  }
}
