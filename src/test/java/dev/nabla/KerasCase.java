package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.function.Executable;

/**
 * What the tests replaying Keras's own test files share: tensors from literals, freed after each
 * test, and the check that a bad argument is refused with a message naming it.
 */
public abstract class KerasCase {
  private final List<AutoCloseable> owned = new ArrayList<>();

  @AfterEach
  void freeOwned() throws Exception {
    for (AutoCloseable c : owned) {
      c.close();
    }
    owned.clear();
  }

  /** Frees {@code t} after the test. */
  protected <T extends AutoCloseable> T keep(T t) {
    owned.add(t);
    return t;
  }

  /** A (rows, cols) tensor from literal rows. */
  protected Tensor m(double[]... rows) {
    int cols = rows[0].length;
    float[] v = new float[rows.length * cols];
    for (int r = 0; r < rows.length; r++) {
      assertEquals(cols, rows[r].length, "ragged literal");
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] = (float) rows[r][c];
      }
    }
    return keep(Tensor.of(v, rows.length, cols));
  }

  /** A rank-1 tensor: labels given as (batch), or one weight per sample. */
  protected Tensor v(double... values) {
    return keep(Tensor.of(floats(values), values.length));
  }

  protected static float[] floats(double... values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  protected static double[] row(double... values) {
    return values;
  }

  /** Asserts an IllegalArgumentException whose message contains every fragment. */
  protected static IllegalArgumentException rejects(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    String msg = String.valueOf(e.getMessage());
    for (String f : fragments) {
      assertTrue(msg.contains(f), "message should mention '" + f + "': " + msg);
    }
    return e;
  }
}
