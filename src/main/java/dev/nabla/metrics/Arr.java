package dev.nabla.metrics;

import dev.nabla.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A small host array (float32 values, row-major, any rank including 0) with the few NumPy
 * operations Keras's metric code applies to y_true, y_pred and sample_weight: squeeze or expand
 * of the last axis, broadcasting, and reductions over trailing axes. Values stay float32 as in
 * Keras (comparisons against thresholds must see the same floats); sums are taken in double.
 */
final class Arr {
  final float[] v;
  final int[] shape;

  Arr(float[] v, int... shape) {
    if (Tensor.sizeOf(shape) != v.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold "
          + v.length + " values");
    }
    this.v = v;
    this.shape = shape.clone();
  }

  /** The whole tensor, copied to the host (downloaded from a device tensor). */
  static Arr of(Tensor t) {
    return t == null ? null : new Arr(t.toFloatArray(), t.shape());
  }

  /** The first {@code rows} entries of t's first axis (a model's partial last batch). */
  static Arr of(Tensor t, int rows) {
    if (t == null) {
      return null;
    }
    int[] s = t.shape();
    if (s.length == 0 || rows == s[0]) {
      return of(t);
    }
    if (rows < 0 || rows > s[0]) {
      throw new IllegalArgumentException("rows must be in [0, " + s[0] + "], got " + rows);
    }
    int width = Math.toIntExact(t.size() / Math.max(1, s[0]));
    float[] out = new float[Math.multiplyExact(rows, width)];
    if (t.device().isHost()) {
      FloatBuffer b = t.buffer();
      b.get(0, out);
    } else {
      System.arraycopy(t.toFloatArray(), 0, out, 0, out.length);
    }
    s[0] = rows;
    return new Arr(out, s);
  }

  static Arr scalar(float x) {
    return new Arr(new float[] {x});
  }

  int rank() {
    return shape.length;
  }

  int size() {
    return v.length;
  }

  /** The last dimension (1 for a scalar, as NumPy's shape[-1] would fail; callers check rank). */
  int last() {
    return shape.length == 0 ? 1 : shape[shape.length - 1];
  }

  Arr reshape(int... s) {
    return new Arr(v, s);
  }

  Arr squeezeLast() {
    if (last() != 1 || shape.length == 0) {
      throw new IllegalArgumentException("cannot squeeze the last axis of shape "
          + Arrays.toString(shape) + ": it is not 1");
    }
    return new Arr(v, Arrays.copyOf(shape, shape.length - 1));
  }

  Arr expandLast() {
    int[] s = Arrays.copyOf(shape, shape.length + 1);
    s[shape.length] = 1;
    return new Arr(v, s);
  }

  /**
   * Keras's squeeze_or_expand_to_same_rank: when the ranks differ by exactly one and the longer
   * ends in 1, the longer is squeezed, or (a rank-1 shorter one, with expandRank1) the shorter is
   * expanded. Any other pair is returned unchanged.
   */
  static Arr[] squeezeOrExpand(Arr x1, Arr x2, boolean expandRank1) {
    int r1 = x1.rank(), r2 = x2.rank();
    if (r1 == r2 + 1 && x1.last() == 1) {
      if (r2 == 1 && expandRank1) {
        x2 = x2.expandLast();
      } else {
        x1 = x1.squeezeLast();
      }
    } else if (r2 == r1 + 1 && x2.last() == 1) {
      if (r1 == 1 && expandRank1) {
        x1 = x1.expandLast();
      } else {
        x2 = x2.squeezeLast();
      }
    }
    return new Arr[] {x1, x2};
  }

  /** NumPy's broadcast of two shapes; throws naming both when they are incompatible. */
  static int[] broadcastShape(int[] a, int[] b, String what) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i < n - a.length ? 1 : a[i - (n - a.length)];
      int db = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(what + ": shapes " + Arrays.toString(a) + " and "
            + Arrays.toString(b) + " cannot be broadcast together");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /**
   * NumPy's broadcast_to: this array seen with {@code target} shape (only the target may be
   * larger); throws naming both shapes when it cannot.
   */
  Arr broadcastTo(int[] target, String what) {
    if (Arrays.equals(shape, target)) {
      return this;
    }
    int n = target.length;
    if (shape.length > n) {
      throw cannotBroadcast(target, what);
    }
    long[] strides = new long[n]; // this array's stride for each target axis (0: broadcast)
    long stride = 1;
    for (int i = n - 1; i >= 0; i--) {
      int j = i - (n - shape.length);
      int d = j < 0 ? 1 : shape[j];
      if (d != target[i] && d != 1) {
        throw cannotBroadcast(target, what);
      }
      strides[i] = d == 1 ? 0 : stride;
      stride *= d;
    }
    float[] out = new float[Math.toIntExact(Tensor.sizeOf(target))];
    int[] idx = new int[n];
    for (int k = 0; k < out.length; k++) {
      long src = 0;
      for (int i = 0; i < n; i++) {
        src += idx[i] * strides[i];
      }
      out[k] = v[(int) src];
      for (int i = n - 1; i >= 0; i--) { // next index, row-major
        if (++idx[i] < target[i]) {
          break;
        }
        idx[i] = 0;
      }
    }
    return new Arr(out, target);
  }

  private IllegalArgumentException cannotBroadcast(int[] target, String what) {
    return new IllegalArgumentException(what + ": shape " + Arrays.toString(shape)
        + " cannot be broadcast to " + Arrays.toString(target));
  }

  /** A binary elementwise operation with NumPy broadcasting. */
  interface Op {
    float apply(float a, float b);
  }

  static Arr zip(Arr a, Arr b, String what, Op op) {
    int[] s = broadcastShape(a.shape, b.shape, what);
    Arr x = a.broadcastTo(s, what), y = b.broadcastTo(s, what);
    float[] out = new float[x.v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = op.apply(x.v[i], y.v[i]);
    }
    return new Arr(out, s);
  }

  /**
   * Reduces the axes from {@code keep} on (mean or sum), leaving shape[:keep]: Keras's
   * reduce_fn(values, axis=range(keep, rank)). Sums in double, stored as float32.
   */
  Arr reduceFrom(int keep, boolean mean) {
    if (keep >= shape.length) {
      return this;
    }
    int[] s = Arrays.copyOf(shape, keep);
    int outer = Math.toIntExact(Tensor.sizeOf(s));
    int inner = outer == 0 ? 0 : v.length / Math.max(1, outer);
    float[] out = new float[outer];
    for (int o = 0; o < outer; o++) {
      double acc = 0;
      for (int i = 0; i < inner; i++) {
        acc += v[o * inner + i];
      }
      out[o] = (float) (mean ? acc / inner : acc); // an empty mean is NaN, as in NumPy
    }
    return new Arr(out, s);
  }

  /** Reduces the last axis (mean over axis -1). */
  Arr meanLast() {
    if (shape.length == 0) {
      throw new IllegalArgumentException("cannot take the mean over the last axis of a scalar");
    }
    return reduceFrom(shape.length - 1, true);
  }

  double sum() {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  /** Index of the largest value in each row of the last axis (first on ties, as argmax). */
  Arr argmaxLast() {
    if (shape.length == 0) {
      throw new IllegalArgumentException("argmax over the last axis needs rank >= 1, got a scalar");
    }
    int w = last();
    int rows = w == 0 ? 0 : v.length / w;
    float[] out = new float[rows];
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int i = 1; i < w; i++) {
        if (v[r * w + i] > v[r * w + best]) {
          best = i;
        }
      }
      out[r] = best;
    }
    return new Arr(out, Arrays.copyOf(shape, shape.length - 1));
  }

  @Override
  public String toString() {
    return Arrays.toString(shape);
  }
}
