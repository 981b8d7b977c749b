package dev.nabla.cli;

import dev.nabla.optimizers.Optimizers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Lists the optimizers, as dir(tf.keras.optimizers) does. */
@Command(name = "optimizers", mixinStandardHelpOptions = true,
    description = "List the optimizers (--optimizer NAME accepts each).")
final class OptimizersCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    for (String name : Optimizers.NAMES) {
      spec.commandLine().getOut().println(name);
    }
    spec.commandLine().getOut().println("(--optimizer gd: full-batch gradient descent, SGD with "
        + "the whole training set as one batch)");
    return 0;
  }
}
