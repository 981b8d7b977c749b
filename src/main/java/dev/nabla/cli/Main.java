package dev.nabla.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar nabla.jar <command>}: train, optimizers, info. Wrong flags or values exit 2
 * with one line, the near matches of a mistyped flag or command, and where the usage is; failures at run time exit 1 with one line, never a stack trace
 * (set NABLA_DEBUG=1 to see it).
 */
@Command(name = "nabla", mixinStandardHelpOptions = true, version = "nabla 0.1.0",
    description = "Keras-style neural networks on Nabla's own CPU kernels.",
    subcommands = {TrainCommand.class, OptimizersCommand.class, InfoCommand.class,
        CompareCommand.class, EvaluateCommand.class, PredictCommand.class})
/**
 * Not thread-safe: a command-line program.
 */
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI and returns its exit code (tests call this directly). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, a) -> {
      CommandLine c = ex.getCommandLine();
      PrintWriter e = c.getErr();
      if (!(ex instanceof CommandLine.UnmatchedArgumentException)
          && !c.getUnmatchedArguments().isEmpty()) {
        // a mistyped --model reads better as "unknown --mdoel" than as "--model is missing"
        ex = new CommandLine.UnmatchedArgumentException(c, c.getUnmatchedArguments());
      }
      e.println("nabla: error: " + message(ex));
      for (String s : Suggestions.of(ex)) {
        e.println("  did you mean: " + s + "?");
      }
      // one line to act on, then where the usage is (52 lines of it would push the error away)
      e.println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for the usage.");
      return 2;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      c.getErr().println("nabla: error: " + oneLine(ex));
      if (System.getenv("NABLA_DEBUG") != null) {
        ex.printStackTrace(c.getErr());
      }
      if (ex instanceof IllegalArgumentException) { // a bad value found while running
        c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for the usage.");
        return 2;
      }
      return 1;
    });
    return cli.execute(args);
  }

  /**
   * picocli's message, in the user's terms for the commonest mistakes: "unknown option
   * '--epoch'" rather than "Unknown options: '--epoch', '1'" (the 1 is the option's value), and
   * "unknown command 'trian'" rather than "Unmatched argument at index 0".
   */
  static String message(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      boolean hasCommands = !ex.getCommandLine().getSubcommands().isEmpty();
      if (first.startsWith("-")) {
        return "unknown option '" + first.split("=", 2)[0] + "' for '"
            + ex.getCommandLine().getCommandSpec().qualifiedName() + "'";
      }
      if (hasCommands) {
        return "unknown command '" + first + "'; commands: "
            + String.join(", ", ex.getCommandLine().getSubcommands().keySet());
      }
      return "unexpected argument '" + first + "' (options start with --)";
    }
    return ex.getMessage();
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    return m.lines().findFirst().orElse(m);
  }
}
