package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.data.Idx;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Classifies images with a saved model: an IDX image file (n, rows, cols), or a PNG read as
 * grayscale and resized to the model's input; a light-background PNG is inverted, since MNIST
 * digits are white on black.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Classify an IDX image file or a PNG with a saved model.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "a file written by train --save")
  Path model;

  @Option(names = "--input", required = true, description = "an IDX image file or a PNG")
  Path input;

  @Option(names = "--limit", defaultValue = "20", description = "print at most this many images "
      + "(default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(input)) {
      throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such input file");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Sequential m = Sequential.load(model)) {
      m.setBackend(Backends.defaultBackend()); // NABLA_DEVICE, else auto
      int[] shape = m.inputShape();
      if (shape.length != 2) {
        throw new ParameterException(spec.commandLine(), "the model takes inputs of shape "
            + Arrays.toString(shape) + ", not images");
      }
      float[] pixels;
      int n;
      if (input.toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
        pixels = PngInput.read(input, shape[0], shape[1], out);
        n = 1;
      } else {
        Idx.Array a = Idx.read(input);
        int[] s = a.shape();
        if (s.length != 3 || s[1] != shape[0] || s[2] != shape[1]) {
          throw new IOException(input + ": IDX images of shape " + Arrays.toString(s)
              + " do not match the model's input " + Arrays.toString(shape));
        }
        pixels = a.toFloats(1f / 255f);
        n = s[0];
      }
      try (Tensor x = Tensor.of(pixels, n, shape[0], shape[1]); Tensor p = m.predict(x)) {
        int classes = Math.toIntExact(p.size() / n);
        float[] probs = p.toFloatArray();
        for (int i = 0; i < Math.min(n, limit); i++) {
          int best = 0;
          for (int c = 1; c < classes; c++) {
            best = probs[i * classes + c] > probs[i * classes + best] ? c : best;
          }
          out.printf(Locale.ROOT, "image %d: class %d (p=%.4f)%n", i, best,
              probs[i * classes + best]);
        }
        if (n > limit) {
          out.printf("... %d more (--limit)%n", n - limit);
        }
      }
    }
    return 0;
  }
}
