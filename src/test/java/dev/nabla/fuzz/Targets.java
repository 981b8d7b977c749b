package dev.nabla.fuzz;

import dev.nabla.data.Idx;
import dev.nabla.io.SafeTensors;
import dev.nabla.nn.Sequential;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * The readers a user's bad file reaches, each wrapped with the fuzzing oracle: the documented
 * failure ({@link IOException}, including {@link Idx.IdxFormatException} and
 * {@link SafeTensors.ModelFileException}) is swallowed; anything else (a RuntimeException, an
 * Error such as OutOfMemoryError or StackOverflowError, a failed post-condition) propagates and
 * is a finding. Each returns true when the file was accepted, false when it was rejected the
 * documented way.
 */
final class Targets {
  private Targets() {}

  /** {@link Idx#read(Path)}; an accepted array must be self-consistent. */
  static boolean idx(Path file) {
    Idx.Array a;
    try {
      a = Idx.read(file);
    } catch (IOException documented) {
      return false;
    }
    int[] shape = a.shape();
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] v = a.toFloats();
    if (shape.length == 0 || v.length != n || a.size() != n || a.count() != shape[0]) {
      throw new AssertionError("Idx.read accepted an inconsistent array: " + a + ", shape "
          + Arrays.toString(shape) + ", " + v.length + " floats, size() " + a.size());
    }
    return true;
  }

  /** {@link SafeTensors#read(Path)}; accepted tensors must match their shapes. */
  static boolean safeTensors(Path file) {
    SafeTensors.Contents c;
    try {
      c = SafeTensors.read(file);
    } catch (IOException documented) {
      return false;
    }
    for (Map.Entry<String, SafeTensors.Entry> e : c.tensors().entrySet()) {
      long n = 1;
      for (int d : e.getValue().shape()) {
        n *= d;
      }
      if (n != e.getValue().values().length) {
        throw new AssertionError("SafeTensors.read accepted tensor '" + e.getKey() + "' of shape "
            + Arrays.toString(e.getValue().shape()) + " with " + e.getValue().values().length
            + " values");
      }
    }
    return true;
  }

  /** {@link Sequential#load(Path)}; an accepted model must know its shapes, and is closed. */
  static boolean sequential(Path file) {
    Sequential m;
    try {
      m = Sequential.load(file);
    } catch (IOException documented) {
      return false;
    }
    try (m) {
      if (!m.built() || m.outputShape().length == 0) {
        throw new AssertionError("Sequential.load returned a model without a usable shape");
      }
    }
    return true;
  }
}
