package dev.analytics4j.build;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Checks a staged release (a Maven repository directory, target/staging) against Maven Central's
 * rules, on the files that would be uploaded: every POM has a name and a description of its own,
 * and (itself or through its staged parents) a url, a licence, a developer and an scm; no value
 * is a placeholder; no version or dependency is a SNAPSHOT; every jar comes with its sources and
 * Javadoc jars; every file has its .md5 and .sha1. Lists the staged files, then each problem.
 *
 * <pre>java CheckStaging.java STAGING_DIR</pre>
 */
public final class CheckStaging {
  private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

  private CheckStaging() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java CheckStaging.java STAGING_DIR");
      System.exit(2);
    }
    System.exit(run(Path.of(args[0]), System.out, System.err));
  }

  static int run(Path staging, PrintStream out, PrintStream err) throws IOException {
    if (!Files.isDirectory(staging)) {
      err.println("staging check: " + staging + " does not exist: nothing was staged");
      return 1;
    }
    List<String> files;
    try (Stream<Path> walk = Files.walk(staging)) {
      files = walk.filter(Files::isRegularFile).map(f -> staging.relativize(f).toString().replace('\\', '/'))
          .sorted().collect(Collectors.toList());
    }
    out.println("Staged in " + staging + ":");
    files.stream().filter(f -> !isChecksum(f)).forEach(f -> out.println("  " + f));
    List<String> problems = problems(staging, files);
    if (problems.isEmpty()) {
      out.println("staging check: " + files.size() + " files meet Maven Central's rules");
      return 0;
    }
    err.println("staging check: " + problems.size() + " problem(s) Maven Central would refuse:");
    problems.forEach(p -> err.println("  " + p));
    return 1;
  }

  static List<String> problems(Path staging, List<String> files) throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, Path> poms = new TreeMap<>();
    for (String file : files) {
      if (file.endsWith(".pom")) poms.put(file, staging.resolve(file));
      if (!isChecksum(file) && !file.contains("maven-metadata")) {
        for (String sum : List.of(".md5", ".sha1")) {
          if (!files.contains(file + sum)) problems.add(file + ": no " + sum + " checksum");
        }
      }
    }
    if (poms.isEmpty()) problems.add("no POM staged");
    Map<String, Pom> byCoordinates = new HashMap<>();
    for (Path file : poms.values()) {
      Pom pom = Pom.read(file);
      byCoordinates.put(pom.groupId() + ":" + pom.artifactId + ":" + pom.version(), pom);
    }
    for (Map.Entry<String, Path> entry : poms.entrySet()) {
      Pom pom = Pom.read(entry.getValue());
      String name = entry.getKey();
      List<Pom> lineage = new ArrayList<>();
      for (Pom at = pom; at != null; ) {
        lineage.add(at);
        if (at.parent == null) break;
        Pom parent = byCoordinates.get(at.parent);
        if (parent == null) {
          problems.add(name + ": parent " + at.parent + " is not staged");
        }
        at = parent;
      }
      Map<String, String> properties = new HashMap<>();
      for (int i = lineage.size() - 1; i >= 0; i--) properties.putAll(lineage.get(i).properties);
      properties.put("project.version", pom.version());
      properties.put("project.groupId", pom.groupId());
      properties.put("project.artifactId", pom.artifactId);

      String version = pom.version();
      if (version.endsWith("-SNAPSHOT")) problems.add(name + ": version " + version + " is a SNAPSHOT");
      require(problems, name, "name", pom.text("name"), properties);
      require(problems, name, "description", pom.text("description"), properties);
      require(problems, name, "url", inherited(lineage, "url"), properties);
      require(problems, name, "licenses/license/name", inherited(lineage, "licenses/license/name"), properties);
      require(problems, name, "licenses/license/url", inherited(lineage, "licenses/license/url"), properties);
      require(problems, name, "developers/developer/name", inherited(lineage, "developers/developer/name"), properties);
      require(problems, name, "scm/url", inherited(lineage, "scm/url"), properties);
      require(problems, name, "scm/connection", inherited(lineage, "scm/connection"), properties);
      for (String dependency : pom.dependencyVersions()) {
        String resolved = interpolate(dependency, properties);
        if (resolved.endsWith("-SNAPSHOT")) problems.add(name + ": depends on a SNAPSHOT: " + resolved);
      }
      if (pom.packaging().equals("jar")) {
        String base = name.substring(0, name.length() - ".pom".length());
        for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
          if (!files.contains(base + suffix)) problems.add(name + ": no " + base.substring(base.lastIndexOf('/') + 1) + suffix);
        }
      }
    }
    return problems;
  }

  private static void require(List<String> problems, String pom, String what, String value, Map<String, String> properties) {
    String resolved = value == null ? "" : interpolate(value, properties).strip();
    if (resolved.isEmpty()) {
      problems.add(pom + ": no " + what);
    } else if (resolved.contains("${")) {
      problems.add(pom + ": " + what + " has an unresolved property: " + resolved);
    } else if (resolved.contains("PLACEHOLDER")) {
      problems.add(pom + ": " + what + " is a placeholder: " + resolved + " (analytics4j-project/pom.xml)");
    }
  }

  private static String inherited(List<Pom> lineage, String path) {
    for (Pom pom : lineage) {
      String value = pom.text(path);
      if (value != null) return value;
    }
    return null;
  }

  static String interpolate(String value, Map<String, String> properties) {
    String result = value;
    for (int round = 0; round < 10 && result.contains("${"); round++) {
      Matcher m = PROPERTY.matcher(result);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        String replacement = properties.get(m.group(1));
        m.appendReplacement(b, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
      }
      m.appendTail(b);
      if (b.toString().equals(result)) break;
      result = b.toString();
    }
    return result;
  }

  private static boolean isChecksum(String file) {
    return file.endsWith(".md5") || file.endsWith(".sha1") || file.endsWith(".sha256") || file.endsWith(".sha512");
  }

  /** The few parts of a POM the rules are about. */
  static final class Pom {
    final Element root;
    final String artifactId;
    final String parent;
    final Map<String, String> properties = new HashMap<>();

    private Pom(Element root) {
      this.root = root;
      this.artifactId = text("artifactId");
      this.parent = text("parent/groupId") == null ? null
          : text("parent/groupId") + ":" + text("parent/artifactId") + ":" + text("parent/version");
      Element props = child(root, "properties");
      if (props != null) {
        for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element) properties.put(n.getNodeName(), n.getTextContent().strip());
        }
      }
    }

    static Pom read(Path file) throws IOException {
      try {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(file.toFile());
        return new Pom(document.getDocumentElement());
      } catch (ParserConfigurationException | SAXException e) {
        throw new IOException(file + ": not a POM: " + e.getMessage(), e);
      }
    }

    String groupId() {
      String own = text("groupId");
      return own != null ? own : text("parent/groupId");
    }

    String version() {
      String own = text("version");
      return own != null ? own : text("parent/version");
    }

    String packaging() {
      String own = text("packaging");
      return own != null ? own : "jar";
    }

    List<String> dependencyVersions() {
      List<String> versions = new ArrayList<>();
      for (String section : List.of("dependencies", "dependencyManagement/dependencies")) {
        Element deps = find(section);
        if (deps == null) continue;
        for (Node n = deps.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element) {
            Element version = child((Element) n, "version");
            if (version != null) versions.add(version.getTextContent().strip());
          }
        }
      }
      return versions;
    }

    /** The text at a path of child elements (the first of each name), or null. */
    String text(String path) {
      Element e = find(path);
      return e == null ? null : e.getTextContent().strip();
    }

    private Element find(String path) {
      Element at = root;
      for (String step : path.split("/")) {
        at = child(at, step);
        if (at == null) return null;
      }
      return at;
    }

    private static Element child(Element parent, String name) {
      for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element && n.getNodeName().equals(name)) return (Element) n;
      }
      return null;
    }
  }
}
