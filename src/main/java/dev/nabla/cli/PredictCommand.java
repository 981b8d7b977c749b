package dev.nabla.cli;

import dev.nabla.Tensor;
import dev.nabla.backend.Backends;
import dev.nabla.data.Dataset;
import dev.nabla.data.Idx;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Classifies images with a saved model: an IDX image file (n, rows, cols), or one image (PNG,
 * JPEG, GIF, BMP) prepared as MNIST's digits were (see {@link ImageInput}). The file's first
 * bytes decide which, not its name. Prints the three most likely classes of each image, with
 * class names when the model file records its data set.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Classify an IDX image file or an image (PNG, JPEG, GIF, BMP) with a saved model.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "FILE", required = true, description = "a file written by train --save, or a Keras "
      + ".keras or .h5 file")
  Path model;

  @Option(names = "--input", paramLabel = "FILE", required = true, description = "an IDX image file (as MNIST's "
      + "t10k-images-idx3-ubyte) or an image: PNG, JPEG, GIF or BMP")
  Path input;

  @Option(names = "--limit", defaultValue = "20", description = "print at most this many images "
      + "(default: ${DEFAULT-VALUE})")
  int limit;

  static final String ACCEPTS = "--input accepts an IDX image file (as MNIST's "
      + "t10k-images-idx3-ubyte: bytes 00 00 08 03) or an image (PNG, JPEG, GIF or BMP)";

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(input)) {
      throw new java.nio.file.NoSuchFileException(input.toString(), null, "no such input file");
    }
    Kind kind = sniff(input);
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
      if (kind == Kind.IMAGE) {
        ImageInput.Prepared img = ImageInput.read(input, shape[0], shape[1], out);
        if (img.blank()) {
          spec.commandLine().getErr().println("nabla: warning: " + input + " looks blank (no "
              + "pixel stands out from the background); the answer below means little");
        }
        pixels = img.pixels();
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
      List<String> names = classNames(m);
      try (Tensor x = Tensor.of(pixels, n, shape[0], shape[1]); Tensor p = m.predict(x)) {
        int classes = Math.toIntExact(p.size() / n);
        float[] probs = p.toFloatArray();
        for (int i = 0; i < Math.min(n, limit); i++) {
          Integer[] order = new Integer[classes];
          for (int c = 0; c < classes; c++) {
            order[c] = c;
          }
          int row = i * classes;
          Arrays.sort(order, (a, b) -> Float.compare(probs[row + b], probs[row + a]));
          StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "image %d: class %s",
              i, label(order[0], names, probs[row + order[0]])));
          for (int k = 1; k < Math.min(3, classes); k++) {
            line.append(k == 1 ? "; then " : ", ").append(label(order[k], names,
                probs[row + order[k]]));
          }
          out.println(line);
        }
        if (n > limit) {
          out.printf("... %d more (--limit)%n", n - limit);
        }
      }
    }
    return 0;
  }

  private static String label(int c, List<String> names, float p) {
    String name = names != null && c < names.size() && !names.get(c).equals(Integer.toString(c))
        ? " " + names.get(c) : "";
    return String.format(Locale.ROOT, "%d%s (p=%.4f)", c, name, p);
  }

  private static List<String> classNames(Sequential m) {
    try {
      return m.dataset() == null ? null : Dataset.classNames(m.dataset());
    } catch (IllegalArgumentException unknownDataset) {
      return null;
    }
  }

  enum Kind { IDX, IMAGE }

  /** IDX or an image, by the file's first bytes; else an error saying what the file looks like. */
  static Kind sniff(Path file) throws IOException {
    byte[] head = new byte[16];
    int got;
    try (java.io.InputStream in = Files.newInputStream(file)) {
      got = in.readNBytes(head, 0, head.length);
    }
    int b0 = got > 0 ? head[0] & 0xFF : -1, b1 = got > 1 ? head[1] & 0xFF : -1;
    int b2 = got > 2 ? head[2] & 0xFF : -1;
    if (got >= 4 && b0 == 0 && b1 == 0 && b2 == 0x08) {
      return Kind.IDX;
    }
    if (got >= 8 && b0 == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G'
        || got >= 3 && b0 == 0xFF && b1 == 0xD8 && b2 == 0xFF
        || got >= 6 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F' && head[3] == '8'
        || got >= 2 && head[0] == 'B' && head[1] == 'M') {
      return Kind.IMAGE;
    }
    throw new IOException(file + ": neither an IDX image file nor an image; " + ACCEPTS
        + ". This file " + describe(head, got) + ".");
  }

  /** "is empty", or its first bytes in hex and what they look like. */
  static String describe(byte[] head, int got) {
    if (got == 0) {
      return "is empty";
    }
    StringBuilder hex = new StringBuilder();
    boolean text = true;
    for (int i = 0; i < got; i++) {
      int b = head[i] & 0xFF;
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", b));
      text &= b == '\n' || b == '\r' || b == '\t' || b >= 0x20 && b < 0x7F;
    }
    String looks;
    if (got >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
      looks = "gzip data (unpack it first: gunzip)";
    } else if (got >= 4 && head[0] == 'P' && head[1] == 'K') {
      looks = "a zip archive";
    } else if (got > 8 && head[8] == '{') { // safetensors: 8-byte header length, then JSON
      looks = "a model file (safetensors); give it as --model";
    } else {
      looks = text ? "text" : "binary data of an unknown kind";
    }
    return "starts with " + hex + " (looks like " + looks + ")";
  }
}
