package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar analytics4j-cli.jar import [options] [FILE...]}.
 *
 * <p>picocli earns its place here: typed, validated options with generated {@code --help} and
 * exit code 2 on usage errors, in one jar without reflection configuration, which hand-rolled
 * argument parsing would get wrong in small ways.
 */
@Command(name = "analytics4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Command-line tools for the analytics4j client.",
    subcommands = CommandLine.HelpCommand.class)
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Without a console stderr is a file or a pipe: no progress bar, just the summary.
    boolean interactive = System.console() != null;
    ImportCommand importCommand = new ImportCommand(System.getenv(), System.in, System.out, System.err,
        interactive, true, importer -> {});
    int code = commandLine(importCommand).execute(args);
    System.exit(code);
  }

  static CommandLine commandLine(ImportCommand importCommand) {
    // Settings reach only the subcommands added before them.
    return new CommandLine(new Main())
        .addSubcommand("import", importCommand)
        .setOut(new PrintWriter(importCommand.out, true))
        .setErr(new PrintWriter(importCommand.err, true))
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"analytics4j " + Analytics.VERSION};
    }
  }
}
