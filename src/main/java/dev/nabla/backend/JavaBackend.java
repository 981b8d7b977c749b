package dev.nabla.backend;

import dev.nabla.Tensor;
import java.nio.FloatBuffer;

/**
 * The pure-Java backend: the test oracle every native kernel is checked against, and the
 * last-resort fallback. Plain loops over NIO views of the same off-heap memory the native
 * backends use; sums that matter (gemm, row reductions, losses) accumulate in double.
 */
public class JavaBackend implements Backend {
  private static final float EPS = 1e-7f;

  @Override
  public String name() {
    return "java";
  }

  @Override
  public String describe() {
    return "java: pure-Java reference kernels (no native code)";
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      Tensor b, float beta, Tensor c) {
    FloatBuffer A = a.buffer(), B = b.buffer(), C = c.buffer();
    double[] row = new double[n];
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(row, 0.0);
      for (int p = 0; p < k; p++) {
        double aip = transA ? A.get(p * m + i) : A.get(i * k + p);
        if (aip == 0.0) {
          continue;
        }
        if (transB) {
          for (int j = 0; j < n; j++) {
            row[j] += aip * B.get(j * k + p);
          }
        } else {
          int off = p * n;
          for (int j = 0; j < n; j++) {
            row[j] += aip * B.get(off + j);
          }
        }
      }
      for (int j = 0; j < n; j++) {
        float prev = beta == 0f ? 0f : beta * C.get(i * n + j);
        C.put(i * n + j, (float) (alpha * row[j]) + prev);
      }
    }
  }

  @Override
  public void biasActForward(Tensor x, Tensor bias, Tensor z, Tensor y, int rows, int cols,
      Activation act, float alpha) {
    FloatBuffer X = x.buffer(), Z = z.buffer(), Y = y.buffer();
    FloatBuffer bb = bias == null ? null : bias.buffer();
    for (int r = 0; r < rows; r++) {
      int o = r * cols;
      for (int c = 0; c < cols; c++) {
        Z.put(o + c, X.get(o + c) + (bb == null ? 0f : bb.get(c)));
      }
      if (act == Activation.SOFTMAX) {
        float mx = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
          mx = Math.max(mx, Z.get(o + c));
        }
        double sum = 0;
        for (int c = 0; c < cols; c++) {
          sum += Math.exp(Z.get(o + c) - mx);
        }
        for (int c = 0; c < cols; c++) {
          Y.put(o + c, (float) (Math.exp(Z.get(o + c) - mx) / sum));
        }
      } else {
        for (int c = 0; c < cols; c++) {
          Y.put(o + c, (float) activate(Z.get(o + c), act, alpha));
        }
      }
    }
  }

  /** act(z) in double. */
  public static double activate(double z, Activation act, float alpha) {
    switch (act) {
      case RELU: return z > 0 ? z : 0;
      case SIGMOID: return 1.0 / (1.0 + Math.exp(-z));
      case TANH: return Math.tanh(z);
      case GELU: return 0.5 * z * (1.0 + Erf.erf(z / Math.sqrt(2.0)));
      case LEAKY_RELU: return z > 0 ? z : alpha * z;
      case LINEAR: return z;
      default: throw new IllegalArgumentException(act + " is not elementwise");
    }
  }

  /** act'(z) in double. */
  public static double derivative(double z, Activation act, float alpha) {
    switch (act) {
      case RELU: return z > 0 ? 1 : 0;
      case SIGMOID: { double s = 1.0 / (1.0 + Math.exp(-z)); return s * (1 - s); }
      case TANH: { double t = Math.tanh(z); return 1 - t * t; }
      case GELU:
        return 0.5 * (1.0 + Erf.erf(z / Math.sqrt(2.0)))
            + z * Math.exp(-0.5 * z * z) / Math.sqrt(2.0 * Math.PI);
      case LEAKY_RELU: return z > 0 ? 1 : alpha;
      case LINEAR: return 1;
      default: throw new IllegalArgumentException(act + " is not elementwise");
    }
  }

  @Override
  public void actBackward(Tensor z, Tensor y, Tensor dy, Tensor dz, int rows, int cols,
      Activation act, float alpha) {
    FloatBuffer Z = z.buffer(), Y = y.buffer(), DY = dy.buffer(), DZ = dz.buffer();
    if (act == Activation.SOFTMAX) {
      for (int r = 0; r < rows; r++) {
        int o = r * cols;
        double dot = 0;
        for (int c = 0; c < cols; c++) {
          dot += (double) DY.get(o + c) * Y.get(o + c);
        }
        for (int c = 0; c < cols; c++) {
          DZ.put(o + c, (float) (Y.get(o + c) * (DY.get(o + c) - dot)));
        }
      }
      return;
    }
    int n = rows * cols;
    for (int i = 0; i < n; i++) {
      DZ.put(i, (float) (DY.get(i) * derivative(Z.get(i), act, alpha)));
    }
  }

  @Override
  public void biasGrad(Tensor dz, Tensor db, int rows, int cols) {
    FloatBuffer DZ = dz.buffer(), DB = db.buffer();
    for (int c = 0; c < cols; c++) {
      double s = 0;
      for (int r = 0; r < rows; r++) {
        s += DZ.get(r * cols + c);
      }
      DB.put(c, (float) s);
    }
  }

  @Override
  public double softmaxXent(Tensor pred, Tensor labels, Tensor rowLoss, Tensor grad, int rows,
      int cols, boolean sparse, boolean fromLogits, float labelSmoothing, float gradScale,
      long[] correct) {
    FloatBuffer P = pred.buffer(), L = labels.buffer();
    FloatBuffer RL = rowLoss == null ? null : rowLoss.buffer();
    FloatBuffer G = grad == null ? null : grad.buffer();
    double total = 0;
    long hits = 0;
    double[] t = new double[cols];
    double[] q = new double[cols];
    for (int r = 0; r < rows; r++) {
      int o = r * cols;
      int label = sparse ? (int) L.get(r) : -1;
      for (int c = 0; c < cols; c++) {
        t[c] = sparse ? (c == label ? 1 : 0)
            : L.get(o + c) * (1.0 - labelSmoothing) + labelSmoothing / (double) cols;
      }
      int predicted = argmax(P, o, cols);
      int truth = sparse ? label : argmax(L, o, cols);
      if (predicted == truth) {
        hits++;
      }
      double loss = 0;
      if (fromLogits) {
        double mx = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
          mx = Math.max(mx, P.get(o + c));
        }
        double sum = 0;
        for (int c = 0; c < cols; c++) {
          sum += Math.exp(P.get(o + c) - mx);
        }
        double lse = mx + Math.log(sum);
        for (int c = 0; c < cols; c++) {
          loss += t[c] * (lse - P.get(o + c));
          if (G != null) {
            G.put(o + c, (float) (gradScale * (Math.exp(P.get(o + c) - mx) / sum - t[c])));
          }
        }
      } else {
        double s = 0;
        for (int c = 0; c < cols; c++) {
          s += P.get(o + c);
        }
        double gqDotQ = 0;
        for (int c = 0; c < cols; c++) {
          q[c] = P.get(o + c) / s;
          double cq = Math.min(Math.max(q[c], EPS), 1.0 - EPS);
          loss -= t[c] == 0 ? 0 : t[c] * Math.log(cq);
          double gq = (q[c] >= EPS && q[c] <= 1.0 - EPS) ? -t[c] / cq : 0;
          gqDotQ += gq * q[c];
          q[c] = gq; // reuse: q now holds dL/dq
        }
        if (G != null) {
          for (int c = 0; c < cols; c++) {
            G.put(o + c, (float) (gradScale * (q[c] - gqDotQ) / s));
          }
        }
      }
      if (RL != null) {
        RL.put(r, (float) loss);
      }
      total += loss;
    }
    if (correct != null) {
      correct[0] = hits;
    }
    return total;
  }

  private static int argmax(FloatBuffer v, int off, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (v.get(off + i) > v.get(off + best)) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public void dropout(Tensor x, Tensor y, long n, long seed, long step, int stream, float rate) {
    FloatBuffer X = x.buffer(), Y = y.buffer();
    int threshold = Philox.threshold(rate);
    float scale = 1f / (1f - rate);
    int[] bits = new int[4];
    for (long base = 0; base < n; base += 4) {
      Philox.block((int) (base >>> 2), (int) step, (int) (step >>> 32), stream, (int) seed,
          (int) (seed >>> 32), bits);
      for (int j = 0; j < 4 && base + j < n; j++) {
        int i = (int) (base + j);
        Y.put(i, (bits[j] >>> 8) >= threshold ? X.get(i) * scale : 0f);
      }
    }
  }

  @Override
  public void sgdUpdate(Tensor w, Tensor g, Tensor velocity, long n, float lr, float momentum,
      boolean nesterov) {
    FloatBuffer W = w.buffer(), G = g.buffer();
    if (momentum == 0f) {
      for (int i = 0; i < n; i++) {
        W.put(i, W.get(i) - lr * G.get(i));
      }
      return;
    }
    FloatBuffer V = velocity.buffer();
    for (int i = 0; i < n; i++) {
      float m = momentum * V.get(i) - lr * G.get(i);
      V.put(i, m);
      W.put(i, W.get(i) + (nesterov ? momentum * m - lr * G.get(i) : m));
    }
  }

  @Override
  public void adamUpdate(Tensor w, Tensor g, Tensor m, Tensor v, Tensor vhat, long n, float alpha,
      float beta1, float beta2, float epsilon, boolean amsgrad) {
    FloatBuffer W = w.buffer(), G = g.buffer(), M = m.buffer(), V = v.buffer();
    FloatBuffer VH = amsgrad ? vhat.buffer() : null;
    for (int i = 0; i < n; i++) {
      float gi = G.get(i);
      float mi = M.get(i) + (gi - M.get(i)) * (1f - beta1);
      float vi = V.get(i) + (gi * gi - V.get(i)) * (1f - beta2);
      M.put(i, mi);
      V.put(i, vi);
      if (amsgrad) {
        vi = Math.max(VH.get(i), vi);
        VH.put(i, vi);
      }
      W.put(i, W.get(i) - (mi * alpha) / ((float) Math.sqrt(vi) + epsilon));
    }
  }
}
