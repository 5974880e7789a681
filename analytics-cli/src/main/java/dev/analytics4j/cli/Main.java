package dev.analytics4j.cli;

import dev.analytics4j.Analytics;
import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

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
    // Without a terminal stderr is a file or a pipe: no progress line, the notices instead.
    boolean interactive = isTerminal(System.console(), Console.class);
    ImportCommand importCommand = new ImportCommand(System.getenv(), System.in, System.out, System.err,
        interactive, importer -> Signals.install(importer, System.err));
    int code = commandLine(importCommand).execute(args);
    System.exit(code);
  }

  /**
   * Whether {@code console} is a terminal. Up to Java 21, and again by default from 25,
   * {@link System#console()} is null unless it is; Java 22 to 24 return a console with the streams
   * redirected too, and only its {@code isTerminal()} (absent before 22, so called by name) tells:
   * without it, a CI log would fill with redrawn progress lines and never get the outage notices.
   * Looked up on {@code api} ({@link Console}), a public class: the console's own class may not be
   * accessible.
   */
  static boolean isTerminal(@Nullable Object console, Class<?> api) {
    if (console == null) return false;
    try {
      Method isTerminal = api.getMethod("isTerminal");
      return Boolean.TRUE.equals(isTerminal.invoke(console));
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false; // cannot tell: the plain output is right everywhere
    }
  }

  static CommandLine commandLine(ImportCommand importCommand) {
    // Settings reach only the subcommands added before them.
    return new CommandLine(new Main())
        .addSubcommand("import", importCommand)
        .setOut(new PrintWriter(importCommand.out, true))
        .setErr(new PrintWriter(importCommand.err, true))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler(Main::usageError);
  }

  /** One line saying what is wrong, and where to read more: never the whole help for a typo. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"analytics4j " + Analytics.VERSION};
    }
  }
}
