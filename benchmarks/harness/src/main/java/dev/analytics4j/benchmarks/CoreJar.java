package dev.analytics4j.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts another build's analytics-core jar in the place of the one in analytics4j's classpath: the
 * one rule by which {@code benchmarks/compare.sh} runs two builds of the library, both for the
 * loopback runner the driver starts ({@code -Drunner.core}) and for JMH, which compare.sh starts
 * itself with the classpath this prints.
 *
 * <p>Arguments: a file holding a classpath (a module's {@code target/runtime-classpath.txt}) and
 * the jar to put in; prints the new classpath.
 */
public final class CoreJar {
  private CoreJar() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) throw new IllegalArgumentException("usage: CoreJar CLASSPATH_FILE JAR");
    String classpath = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8).trim();
    System.out.println(swap(classpath, args[1]));
  }

  /** {@code classpath} with its analytics-core jar replaced by {@code jar}. */
  static String swap(String classpath, String jar) {
    if (!Files.isRegularFile(Paths.get(jar))) throw new IllegalArgumentException("runner.core: no such file: " + jar);
    List<String> entries = new ArrayList<>(List.of(classpath.split(File.pathSeparator)));
    for (int i = 0; i < entries.size(); i++) {
      String name = Paths.get(entries.get(i)).getFileName().toString();
      if (name.startsWith("analytics-core-") && name.endsWith(".jar") && !name.endsWith("-tests.jar")) {
        entries.set(i, jar);
        return String.join(File.pathSeparator, entries);
      }
    }
    throw new IllegalStateException("runner.core: analytics4j's classpath has no analytics-core jar: " + classpath);
  }
}
