package dev.analytics4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.analytics4j.micrometer.AnalyticsMeterBinder;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md tells which meter shows each outcome. Every {@code analytics4j.*} name it gives
 * in code must be a meter the binder registers or a property of the starter, so renaming a meter
 * cannot leave the page pointing at nothing. (Here because Micrometer and the starter's metadata are
 * on this module's test classpath.)
 */
class OperationsPageMetersTest {
  private static final Path PAGE = DocPages.ROOT.resolve("docs/operations.md");
  private static final Pattern NAME = Pattern.compile("`(analytics4j\\.[a-z][a-z0-9.-]*)");

  @Test
  void everyMeterThePageNamesIsRegistered() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnalyticsMeterBinder binder = new AnalyticsMeterBinder();
    binder.bindTo(registry);
    binder.requestEnd(1, 1, 200, 1_000_000); // request timers appear with the first request
    Set<String> meters = new TreeSet<>();
    for (Meter meter : registry.getMeters()) meters.add(meter.getId().getName());
    Set<String> properties = properties();

    Set<String> named = new TreeSet<>();
    Matcher name = NAME.matcher(new String(Files.readAllBytes(PAGE), StandardCharsets.UTF_8));
    while (name.find()) named.add(name.group(1));
    assertTrue(named.contains("analytics4j.messages"), "found " + named);
    named.removeAll(meters);
    named.removeAll(properties);
    assertEquals(Set.of(), named, "docs/operations.md names meters the binder does not register (nor "
        + "starter properties); meters are " + meters);
  }

  /** The starter's properties, from the metadata its configuration processor writes. */
  private static Set<String> properties() throws IOException {
    Set<String> names = new TreeSet<>();
    for (URL url : Collections.list(OperationsPageMetersTest.class.getClassLoader()
        .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        Matcher name = Pattern.compile("\"name\"\\s*:\\s*\"(analytics4j\\.[^\"]+)\"")
            .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        while (name.find()) names.add(name.group(1));
      }
    }
    assertTrue(names.contains("analytics4j.write-key"), "the starter's properties: " + names);
    return names;
  }
}
