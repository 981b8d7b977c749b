package dev.nabla.losses;

import dev.nabla.Tensor;

/**
 * Keras's sample_weight broadcasting (keras/src/losses/loss.py, reduce_weighted_values): when
 * the ranks of the loss values and the weights differ by one and the longer one ends in an axis
 * of 1, that axis is squeezed (or, when the other is rank 1, one is added to it); then numpy
 * broadcasting. So a scalar weighs every value, (batch) or (batch, 1) weigh each sample, and
 * weights shaped like the values weigh each one.
 */
final class SampleWeights {
  private SampleWeights() {}

  /**
   * @param values one weight per loss value (row-major, the values' shape)
   * @param repeat how many values each given weight was broadcast to (values / weights given)
   * @param valuesShape the values' shape after Keras's rank adjustment (what reduction none
   *     returns)
   */
  record Broadcast(float[] values, double repeat, int[] valuesShape) {}

  static Broadcast broadcast(String owner, Tensor sampleWeight, int[] valuesShape) {
    int[] v = valuesShape.clone();
    int[] w = sampleWeight.shape();
    // squeeze_or_expand_to_same_rank(values, sample_weight)
    if (v.length == w.length + 1 && v[v.length - 1] == 1) {
      if (w.length == 1) {
        w = append1(w);
      } else {
        v = java.util.Arrays.copyOf(v, v.length - 1);
      }
    } else if (w.length == v.length + 1 && w[w.length - 1] == 1) {
      if (v.length == 1) {
        v = append1(v);
      } else {
        w = java.util.Arrays.copyOf(w, w.length - 1);
      }
    }
    if (w.length > v.length) {
      throw mismatch(owner, sampleWeight.shape(), valuesShape);
    }
    // numpy broadcasting of w into v: aligned at the right, each axis 1 or equal
    int off = v.length - w.length;
    long[] stride = new long[v.length]; // w's stride for each axis of v (0: broadcast)
    long s = 1;
    for (int i = v.length - 1; i >= 0; i--) {
      int wd = i >= off ? w[i - off] : 1;
      if (wd != 1 && wd != v[i]) {
        throw mismatch(owner, sampleWeight.shape(), valuesShape);
      }
      stride[i] = wd == 1 ? 0 : s;
      s *= wd;
    }
    float[] given = sampleWeight.toFloatArray();
    int n = Math.toIntExact(Tensor.sizeOf(v));
    float[] out = new float[n];
    int[] index = new int[v.length];
    for (int k = 0; k < n; k++) {
      long at = 0;
      for (int i = 0; i < v.length; i++) {
        at += index[i] * stride[i];
      }
      out[k] = given[(int) at];
      for (int i = v.length - 1; i >= 0; i--) { // next index, row-major
        if (++index[i] < v[i]) {
          break;
        }
        index[i] = 0;
      }
    }
    return new Broadcast(out, given.length == 0 ? 1 : (double) n / given.length, v);
  }

  private static int[] append1(int[] s) {
    int[] out = java.util.Arrays.copyOf(s, s.length + 1);
    out[s.length] = 1;
    return out;
  }

  private static IllegalArgumentException mismatch(String owner, int[] w, int[] v) {
    return new IllegalArgumentException(owner + ": sample_weight of shape " + Loss.shape(w)
        + " does not broadcast to the loss values of shape " + Loss.shape(v) + " (one per "
        + "sample); give a scalar, one weight per sample, or one per value");
  }
}
