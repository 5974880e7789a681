package dev.analytics4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Java block of docs/spark.md compiles against the writer and the Spark it is tested on. */
class DocsCompileTest {
  private static final Path PAGE = Path.of("..", "docs", "spark.md");
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern CLASS = Pattern.compile("(?:class|interface|record|enum)\\s+(\\w+)");

  @Test
  void javaBlocksOfTheSparkPageCompile(@TempDir Path out) throws Exception {
    String page = Files.readString(PAGE);
    List<JavaFileObject> sources = new ArrayList<>();
    Matcher block = BLOCK.matcher(page);
    while (block.find()) {
      String code = block.group(1);
      Matcher name = CLASS.matcher(code);
      assertTrue(name.find(), "a Java block without a class in " + PAGE + ":\n" + code);
      sources.add(new SimpleJavaFileObject(URI.create("string:///" + name.group(1) + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return code;
        }
      });
    }
    assertEquals(1, sources.size(), "Java blocks in " + PAGE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok = javac.getTask(errors, null, null,
        List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-Xlint:all", "-Werror"),
        null, sources).call();
    assertTrue(ok, "docs/spark.md does not compile:\n" + errors);
  }
}
