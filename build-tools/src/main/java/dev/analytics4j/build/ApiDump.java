package dev.analytics4j.build;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Writes or checks the public API dump of one module: every public or protected type outside an
 * {@code internal} package and outside the bundle's relocated {@code shaded} packages, with its
 * public and protected fields and methods as their JVM descriptors, generic signatures, thrown
 * exceptions and constant values.
 *
 * <p>It reads class files, never loads them: the dump does not depend on the module's class path
 * or on which JDK runs it, and a jar (the shaded bundle) reads like a directory. Launched from each
 * published module's {@code verify} as a single source file ({@code java ApiDump.java ...}), so no
 * build order and no installed artifact is needed.
 *
 * <pre>java ApiDump.java CLASSES_DIR_OR_JAR DUMP_FILE [--update]</pre>
 */
public final class ApiDump {
  /** How to refresh every dump; printed with each difference. */
  static final String UPDATE_COMMAND = "mvn -B -q verify -DskipTests -Dinvoker.skip=true -Dapi.update=true";

  private static final int PUBLIC = 0x0001, PRIVATE = 0x0002, PROTECTED = 0x0004, STATIC = 0x0008,
      FINAL = 0x0010, BRIDGE = 0x0040, VARARGS = 0x0080, INTERFACE = 0x0200, ABSTRACT = 0x0400,
      SYNTHETIC = 0x1000, ANNOTATION = 0x2000, ENUM = 0x4000;

  private ApiDump() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].startsWith("--update"))) {
      System.err.println("usage: java ApiDump.java CLASSES_DIR_OR_JAR DUMP_FILE [--update[=true|false]]");
      System.exit(2);
    }
    boolean update = args.length == 3 && !args[2].equals("--update=false");
    int status = run(Path.of(args[0]), Path.of(args[1]), update, System.out, System.err);
    System.exit(status);
  }

  /** Checks (or with {@code update}, rewrites) the dump; 0 when they agree, 1 with the difference. */
  static int run(Path input, Path dumpFile, boolean update, java.io.PrintStream out, java.io.PrintStream err)
      throws IOException {
    if (!Files.exists(input)) {
      if (Files.exists(dumpFile)) {
        err.println("API check: " + input + " does not exist, but " + dumpFile + " describes an API");
        return 1;
      }
      return 0; // a module without classes (a POM) and without a dump: nothing to check
    }
    String actual = dump(readClasses(input));
    if (update) {
      Files.createDirectories(dumpFile.toAbsolutePath().getParent());
      Files.writeString(dumpFile, actual, StandardCharsets.UTF_8);
      out.println("API dump written: " + dumpFile);
      return 0;
    }
    if (!Files.exists(dumpFile)) {
      err.println("API check: no dump " + dumpFile + " for the public API of " + input
          + "; write it with: " + UPDATE_COMMAND);
      return 1;
    }
    String expected = Files.readString(dumpFile, StandardCharsets.UTF_8);
    List<String> difference = difference(expected, actual);
    if (difference.isEmpty()) {
      return 0;
    }
    err.println("API check: the public API of " + input + " differs from " + dumpFile + ":");
    difference.forEach(line -> err.println("  " + line));
    err.println("If the change is intended, update the dump (and say so in CHANGELOG.md): " + UPDATE_COMMAND);
    return 1;
  }

  /**
   * The lines only one side has, each named by its type: "- " for the dump's (removed or changed),
   * "+ " for the classes' (added or changed).
   */
  static List<String> difference(String expected, String actual) {
    TreeSet<String> before = keyed(expected), after = keyed(actual);
    List<String> result = new ArrayList<>();
    for (String line : before) {
      if (!after.contains(line)) result.add("- " + line);
    }
    for (String line : after) {
      if (!before.contains(line)) result.add("+ " + line);
    }
    return result;
  }

  private static TreeSet<String> keyed(String dump) {
    TreeSet<String> lines = new TreeSet<>();
    String type = "";
    for (String line : dump.split("\n", -1)) {
      if (line.isBlank() || line.startsWith("#")) continue;
      if (line.startsWith("  ")) {
        lines.add(type + ": " + line.strip());
      } else {
        type = line.strip();
        lines.add(type);
      }
    }
    return lines;
  }

  /** Class files by internal name, from a directory tree or a jar. */
  static Map<String, byte[]> readClasses(Path input) throws IOException {
    Map<String, byte[]> classes = new TreeMap<>();
    if (Files.isDirectory(input)) {
      try (Stream<Path> files = Files.walk(input)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
          classes.put(input.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
        }
      }
    } else {
      try (InputStream in = Files.newInputStream(input); ZipInputStream zip = new ZipInputStream(in)) {
        for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
          if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
            classes.put(entry.getName(), zip.readAllBytes());
          }
        }
      }
    }
    classes.keySet().removeIf(name -> name.endsWith("module-info.class") || name.endsWith("package-info.class"));
    return classes;
  }

  /** The dump text of the given class files. */
  static String dump(Map<String, byte[]> files) throws IOException {
    Map<String, ClassFile> all = new HashMap<>();
    for (byte[] bytes : files.values()) {
      ClassFile c = ClassFile.parse(bytes);
      all.put(c.name, c);
    }
    StringBuilder out = new StringBuilder();
    for (ClassFile c : new TreeMap<>(all).values()) {
      if (!isApi(c, all)) continue;
      out.append(header(c)).append('\n');
      // By name, then the line: a member moved in the source does not churn the dump.
      TreeMap<String, String> members = new TreeMap<>();
      boolean subclassable = (access(c) & FINAL) == 0;
      for (ClassFile owner = c; owner != null; owner = superInJar(owner, all)) {
        // Public members of a package-private superclass, static ones too, are reached through the
        // public subclass (Sub.inherited(), Sub.CONSTANT), so they are its API.
        boolean inherited = owner != c;
        if (inherited && isApi(owner, all)) break;
        for (Member f : owner.fields) {
          if (visible(f.access, subclassable)) members.put(f.name + ' ' + field(f), field(f));
        }
        for (Member m : owner.methods) {
          if (!visible(m.access, subclassable) || (m.access & (BRIDGE | SYNTHETIC)) != 0) continue;
          if (m.name.equals("<clinit>") || (inherited && m.name.equals("<init>"))) continue;
          members.put(m.name + ' ' + method(m, c), method(m, c));
        }
      }
      members.values().forEach(line -> out.append("  ").append(line).append('\n'));
      out.append('\n');
    }
    return out.toString();
  }

  private static ClassFile superInJar(ClassFile c, Map<String, ClassFile> all) {
    return c.superName == null ? null : all.get(c.superName);
  }

  private static boolean visible(int access, boolean subclassable) {
    return (access & PUBLIC) != 0 || ((access & PROTECTED) != 0 && subclassable);
  }

  /** Public or protected, not synthetic, outside internal and shaded packages, every enclosing type too. */
  static boolean isApi(ClassFile c, Map<String, ClassFile> all) {
    String pkg = c.name.contains("/") ? c.name.substring(0, c.name.lastIndexOf('/')) : "";
    for (String part : pkg.split("/")) {
      if (part.equals("internal") || part.equals("shaded")) return false;
    }
    for (ClassFile at = c; at != null; ) {
      Inner inner = at.inners.get(at.name);
      int access = inner != null ? inner.access : at.access;
      if ((access & (PUBLIC | PROTECTED)) == 0 || (access & SYNTHETIC) != 0) return false;
      if (inner == null) return true;
      if (inner.outer == null) return false; // local or anonymous
      ClassFile outer = all.get(inner.outer);
      if (outer == null) return true;
      at = outer;
    }
    return true;
  }

  private static int access(ClassFile c) {
    Inner inner = c.inners.get(c.name);
    return inner != null ? inner.access : c.access;
  }

  private static String header(ClassFile c) {
    int access = access(c);
    StringBuilder b = new StringBuilder(modifiers(access & ~(INTERFACE | ABSTRACT | ANNOTATION | ENUM)));
    if ((access & ANNOTATION) != 0) {
      b.append("@interface ");
    } else if ((access & INTERFACE) != 0) {
      b.append("interface ");
    } else if ((access & ENUM) != 0) {
      b.append("enum ");
    } else {
      b.append((access & ABSTRACT) != 0 ? "abstract class " : "class ");
    }
    b.append(c.name);
    if (c.superName != null && !c.superName.equals("java/lang/Object")) b.append(" extends ").append(c.superName);
    if (!c.interfaces.isEmpty()) b.append(" implements ").append(String.join(", ", c.interfaces));
    if (c.signature != null) b.append(" generic ").append(c.signature);
    if (c.deprecated) b.append(" deprecated");
    return b.toString();
  }

  private static String field(Member f) {
    StringBuilder b = new StringBuilder(modifiers(f.access)).append("field ").append(f.name).append(' ').append(f.descriptor);
    if (f.signature != null) b.append(" generic ").append(f.signature);
    // A constant's value is compiled into its callers: changing it is an API change.
    if (f.constant != null) b.append(" = ").append(f.constant);
    if (f.deprecated) b.append(" deprecated");
    return b.toString();
  }

  private static String method(Member m, ClassFile c) {
    int access = m.access;
    if ((access(c) & INTERFACE) != 0 && (access & (ABSTRACT | STATIC)) == 0) {
      access |= 0x10000; // default method
    }
    StringBuilder b = new StringBuilder(modifiers(access & ~VARARGS));
    if ((m.access & VARARGS) != 0) b.append("varargs ");
    b.append(m.name).append(m.descriptor);
    if (m.signature != null) b.append(" generic ").append(m.signature);
    if (!m.exceptions.isEmpty()) b.append(" throws ").append(String.join(", ", m.exceptions));
    if (m.deprecated) b.append(" deprecated");
    return b.toString();
  }

  private static String modifiers(int access) {
    StringBuilder b = new StringBuilder();
    if ((access & PUBLIC) != 0) b.append("public ");
    if ((access & PROTECTED) != 0) b.append("protected ");
    if ((access & 0x10000) != 0) b.append("default ");
    if ((access & STATIC) != 0) b.append("static ");
    if ((access & ABSTRACT) != 0) b.append("abstract ");
    if ((access & FINAL) != 0) b.append("final ");
    return b.toString();
  }

  /** An entry of a class's InnerClasses attribute: the nested class's real access and its outer class. */
  static final class Inner {
    final String outer;
    final int access;

    Inner(String outer, int access) {
      this.outer = outer;
      this.access = access;
    }
  }

  static final class Member {
    int access;
    String name, descriptor, signature, constant;
    boolean deprecated;
    final List<String> exceptions = new ArrayList<>();
  }

  /** The parts of a class file the API consists of (JVMS 4). */
  static final class ClassFile {
    int access;
    String name, superName, signature;
    boolean deprecated;
    List<String> interfaces = List.of();
    final List<Member> fields = new ArrayList<>(), methods = new ArrayList<>();
    final Map<String, Inner> inners = new LinkedHashMap<>();

    private Object[] pool;

    static ClassFile parse(byte[] bytes) throws IOException {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
      in.readUnsignedShort();
      in.readUnsignedShort();
      ClassFile c = new ClassFile();
      c.readPool(in);
      c.access = in.readUnsignedShort();
      c.name = c.className(in.readUnsignedShort());
      int superIndex = in.readUnsignedShort();
      c.superName = superIndex == 0 ? null : c.className(superIndex);
      List<String> interfaces = new ArrayList<>();
      for (int i = in.readUnsignedShort(); i > 0; i--) interfaces.add(c.className(in.readUnsignedShort()));
      c.interfaces = Collections.unmodifiableList(interfaces);
      c.readMembers(in, c.fields);
      c.readMembers(in, c.methods);
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        String attribute = c.utf8(in.readUnsignedShort());
        int length = in.readInt();
        switch (attribute) {
          case "Signature":
            c.signature = c.utf8(in.readUnsignedShort());
            break;
          case "Deprecated":
            c.deprecated = true;
            break;
          case "InnerClasses":
            for (int n = in.readUnsignedShort(); n > 0; n--) {
              String inner = c.className(in.readUnsignedShort());
              int outer = in.readUnsignedShort();
              in.readUnsignedShort();
              int flags = in.readUnsignedShort();
              c.inners.put(inner, new Inner(outer == 0 ? null : c.className(outer), flags));
            }
            break;
          default:
            in.skipNBytes(length);
        }
      }
      c.pool = null;
      return c;
    }

    private void readMembers(DataInputStream in, List<Member> into) throws IOException {
      for (int i = in.readUnsignedShort(); i > 0; i--) {
        Member m = new Member();
        m.access = in.readUnsignedShort();
        m.name = utf8(in.readUnsignedShort());
        m.descriptor = utf8(in.readUnsignedShort());
        for (int a = in.readUnsignedShort(); a > 0; a--) {
          String attribute = utf8(in.readUnsignedShort());
          int length = in.readInt();
          switch (attribute) {
            case "Signature":
              m.signature = utf8(in.readUnsignedShort());
              break;
            case "ConstantValue":
              m.constant = constant(in.readUnsignedShort());
              break;
            case "Deprecated":
              m.deprecated = true;
              break;
            case "Exceptions":
              for (int n = in.readUnsignedShort(); n > 0; n--) m.exceptions.add(className(in.readUnsignedShort()));
              Collections.sort(m.exceptions);
              break;
            default:
              in.skipNBytes(length);
          }
        }
        into.add(m);
      }
    }

    private void readPool(DataInputStream in) throws IOException {
      int count = in.readUnsignedShort();
      pool = new Object[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1: pool[i] = in.readUTF(); break;
          case 3: pool[i] = in.readInt(); break;
          case 4: pool[i] = in.readFloat(); break;
          case 5: pool[i] = in.readLong(); i++; break;
          case 6: pool[i] = in.readDouble(); i++; break;
          case 7: case 8: case 16: case 19: case 20: pool[i] = new int[] {in.readUnsignedShort()}; break;
          case 9: case 10: case 11: case 12: case 17: case 18: in.readInt(); break;
          case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
          default: throw new IOException("unknown constant pool tag " + tag + " at " + i);
        }
      }
    }

    private String utf8(int index) {
      return (String) pool[index];
    }

    private String className(int index) {
      return utf8(((int[]) pool[index])[0]);
    }

    private String constant(int index) {
      Object value = pool[index];
      if (value instanceof int[]) return quote(utf8(((int[]) value)[0]));
      if (value instanceof Long) return value + "L";
      if (value instanceof Float) return value + "F";
      return Objects.toString(value);
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') {
        b.append('\\').append(ch);
      } else if (ch < 0x20 || ch > 0x7e) {
        b.append(String.format("\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
