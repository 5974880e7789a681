package dev.analytics4j.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiDumpTest {
  @TempDir Path dir;

  @Test
  void dumpsPublicAndProtectedMembersOfPublicTypesOnly() throws IOException {
    Path classes = compile(Map.of(
        "p/Api.java", "package p;\n"
            + "public class Api<T extends Comparable<T>> implements java.io.Serializable {\n"
            + "  public static final String NAME = \"a\\\"b\";\n"
            + "  public static final long BIG = 1L << 40;\n"
            + "  public static final String COMPUTED = String.valueOf(1);\n"
            + "  protected int count;\n"
            + "  int hidden;\n"
            + "  private int secret;\n"
            + "  public Api() {}\n"
            + "  Api(int x) {}\n"
            + "  public <R> java.util.List<R> map(java.util.function.Function<T, R> f) throws java.io.IOException { return null; }\n"
            + "  public void all(String... xs) {}\n"
            + "  protected void hook() {}\n"
            + "  @Deprecated public void old() {}\n"
            + "  void packagePrivate() {}\n"
            + "  private void priv() {}\n"
            + "  public Runnable anonymous() { return new Runnable() { public void run() {} }; }\n"
            + "  public static final class Nested { public void n() {} protected void p() {} }\n"
            + "  protected interface Hook { void call(); default void twice() { call(); call(); } static Hook none() { return () -> {}; } }\n"
            + "  private static class Hidden { public void h() {} }\n"
            + "}\n",
        "p/Hidden.java", "package p;\nclass Hidden { public static class Inner { public void i() {} } }\n",
        "p/internal/Engine.java", "package p.internal;\npublic final class Engine { public void run() {} }\n",
        "p/Base.java", "package p;\nabstract class Base { public void inherited() {} public static void staticToo() {} public static final int LIMIT = 3; protected void hook() {} Base() {} }\n",
        "p/Sub.java", "package p;\npublic final class Sub extends Base { public Sub() {} }\n",
        "p/Kind.java", "package p;\npublic enum Kind { A, B }\n"));

    assertEquals(""
        + "public class p/Api implements java/io/Serializable generic <T::Ljava/lang/Comparable<TT;>;>Ljava/lang/Object;Ljava/io/Serializable;\n"
        + "  public <init>()V\n"
        + "  public static final field BIG J = 1099511627776L\n"
        + "  public static final field COMPUTED Ljava/lang/String;\n"
        + "  public static final field NAME Ljava/lang/String; = \"a\\\"b\"\n"
        + "  public varargs all([Ljava/lang/String;)V\n"
        + "  public anonymous()Ljava/lang/Runnable;\n"
        + "  protected field count I\n"
        + "  protected hook()V\n"
        + "  public map(Ljava/util/function/Function;)Ljava/util/List; generic <R:Ljava/lang/Object;>(Ljava/util/function/Function<TT;TR;>;)Ljava/util/List<TR;>; throws java/io/IOException\n"
        + "  public old()V deprecated\n"
        + "\n"
        + "protected static interface p/Api$Hook\n"
        + "  public abstract call()V\n"
        + "  public static none()Lp/Api$Hook;\n"
        + "  public default twice()V\n"
        + "\n"
        + "public static final class p/Api$Nested\n"
        + "  public <init>()V\n"
        + "  public n()V\n"
        + "\n"
        + "public final enum p/Kind extends java/lang/Enum generic Ljava/lang/Enum<Lp/Kind;>;\n"
        + "  public static final field A Lp/Kind;\n"
        + "  public static final field B Lp/Kind;\n"
        + "  public static valueOf(Ljava/lang/String;)Lp/Kind;\n"
        + "  public static values()[Lp/Kind;\n"
        + "\n"
        + "public final class p/Sub extends p/Base\n"
        + "  public <init>()V\n"
        + "  public static final field LIMIT I = 3\n"
        + "  public inherited()V\n"
        + "  public static staticToo()V\n"
        + "\n", ApiDump.dump(ApiDump.readClasses(classes)));
  }

  @Test
  void aChangedPublicMethodFailsTheCheckNamingIt() throws IOException {
    Path dump = dir.resolve("api/m.api");
    Path before = compile(Map.of("p/A.java", "package p;\npublic final class A { public void send(String s) {} public void keep() {} }\n"));
    assertEquals(0, run(before, dump, true).status);

    Path after = compile(Map.of("p/A.java", "package p;\npublic final class A { public void send(CharSequence s) {} public void keep() {} }\n"));
    Result check = run(after, dump, false);

    assertEquals(1, check.status);
    assertEquals(List.of(
        "API check: the public API of " + after + " differs from " + dump + ":",
        "  - public final class p/A: public send(Ljava/lang/String;)V",
        "  + public final class p/A: public send(Ljava/lang/CharSequence;)V",
        "If the change is intended, update the dump (and say so in CHANGELOG.md): " + ApiDump.UPDATE_COMMAND),
        check.errLines());

    assertEquals(0, run(after, dump, true).status);
    assertEquals(0, run(after, dump, false).status);
  }

  @Test
  void aTypeMadePackagePrivateIsReportedRemoved() throws IOException {
    Path dump = dir.resolve("m.api");
    assertEquals(0, run(compile(Map.of("p/A.java", "package p;\npublic class A { public void a() {} }\n")), dump, true).status);

    Result check = run(compile(Map.of("p/A.java", "package p;\nclass A { public void a() {} }\n")), dump, false);

    assertEquals(1, check.status);
    assertEquals(List.of("  - public class p/A", "  - public class p/A: public <init>()V", "  - public class p/A: public a()V"),
        check.errLines().subList(1, 4));
  }

  @Test
  void movingPackagePrivateClassesIntoInternalDoesNotChangeTheDump() throws IOException {
    Path dump = dir.resolve("m.api");
    assertEquals(0, run(compile(Map.of(
        "p/A.java", "package p;\npublic final class A { public void a() {} }\n",
        "p/Engine.java", "package p;\nfinal class Engine { public void run() {} }\n")), dump, true).status);

    Result check = run(compile(Map.of(
        "p/A.java", "package p;\npublic final class A { public void a() {} }\n",
        "p/internal/Engine.java", "package p.internal;\npublic final class Engine { public void run() {} }\n")), dump, false);

    assertEquals(0, check.status, check.err);
  }

  @Test
  void readsAJarAndLeavesOutRelocatedClasses() throws IOException {
    Path classes = compile(Map.of(
        "dev/a/Api.java", "package dev.a;\npublic final class Api { public dev.a.shaded.okio.Buffer buffer() { return null; } }\n",
        "dev/a/shaded/okio/Buffer.java", "package dev.a.shaded.okio;\npublic final class Buffer { public void write() {} }\n"));
    Path jar = dir.resolve("bundle.jar");
    try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      zip.closeEntry();
      for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        zip.putNextEntry(new ZipEntry(classes.relativize(file).toString().replace('\\', '/')));
        zip.write(Files.readAllBytes(file));
        zip.closeEntry();
      }
    }

    assertEquals("public final class dev/a/Api\n"
        + "  public <init>()V\n"
        + "  public buffer()Ldev/a/shaded/okio/Buffer;\n\n", ApiDump.dump(ApiDump.readClasses(jar)));
  }

  @Test
  void aMissingDumpFailsWithTheCommandThatWritesIt() throws IOException {
    Path classes = compile(Map.of("p/A.java", "package p;\npublic class A {}\n"));
    Path dump = dir.resolve("api/none.api");

    Result check = run(classes, dump, false);

    assertEquals(1, check.status);
    assertEquals(List.of("API check: no dump " + dump + " for the public API of " + classes
        + "; write it with: " + ApiDump.UPDATE_COMMAND), check.errLines());
    assertFalse(Files.exists(dump));
  }

  @Test
  void aModuleWithoutClassesPassesOnlyWithoutADump() throws IOException {
    Path none = dir.resolve("target/classes");
    Path dump = dir.resolve("m.api");
    assertEquals(0, run(none, dump, false).status);

    Files.writeString(dump, "public class p/A\n");
    Result check = run(none, dump, false);

    assertEquals(1, check.status);
    assertTrue(check.err.contains(none + " does not exist, but " + dump + " describes an API"), check.err);
  }

  private Path compile(Map<String, String> sources) throws IOException {
    Path root = Files.createTempDirectory(dir, "src");
    List<String> args = new ArrayList<>(List.of("-d", root.resolve("classes").toString(), "--release", "11"));
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Path file = root.resolve(source.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, source.getValue());
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    assertEquals(0, javac.run(null, null, errors, args.toArray(new String[0])), errors.toString());
    return root.resolve("classes");
  }

  private static Result run(Path input, Path dump, boolean update) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = ApiDump.run(input, dump, update, o, e);
    }
    return new Result(status, err.toString(StandardCharsets.UTF_8));
  }

  private static final class Result {
    final int status;
    final String err;

    Result(int status, String err) {
      this.status = status;
      this.err = err;
    }

    List<String> errLines() {
      return err.lines().collect(Collectors.toList());
    }
  }
}
