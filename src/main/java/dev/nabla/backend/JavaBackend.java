package dev.nabla.backend;

import dev.nabla.Tensor;
import java.nio.FloatBuffer;

/**
 * The pure-Java backend: the test oracle every native kernel is checked against, and the
 * last-resort fallback. Plain loops over NIO views of the same off-heap memory the native
 * backends use; sums that matter (gemm, row reductions, losses) accumulate in double.
 *
 * <p>Thread-safe: it keeps no state, so any number of threads may run ops at once (on tensors
 * that they do not write at the same time).
 */
public class JavaBackend implements Backend {
  private static final float EPS = 1e-7f;

  /**
   * x, or a zero of x's sign where x is subnormal (|x| < {@link Float#MIN_NORMAL}).
   *
   * <p>Why: the native kernels run with flush-to-zero and denormals-are-zero set (CPU: MXCSR, see
   * native/include/nabla/flush_denormals.h; CUDA: nvcc -ftz=true), as TensorFlow's kernels do, so
   * that decaying state (Adam's m where a gradient stays zero: x0.9 per step, subnormal after
   * ~830 steps) never reaches the subnormal range, where Intel cores take a slow path on every
   * operand. Java's float arithmetic keeps IEEE subnormals and cannot be switched, so this
   * reference flushes every float its fused ops store (gemm, activations and their gradients,
   * the loss gradient, dropout, the optimizer step's weights and slots) and stays in agreement.
   *
   * <p>The optimizer step goes further and flushes each operation, as FTZ does (see
   * optimizerStep: its state is fed back for hundreds of steps). Elsewhere only what is stored is
   * flushed, and what that leaves out cannot break agreement: FTZ on an intermediate and DAZ on
   * an input (a subnormal read as zero) change a result by less than MIN_NORMAL (1.2e-38) times
   * the other operand, and the inputs that our own kernels wrote are never subnormal; only user
   * data and BLAS's sgemm can hold one. Differences of that size (about 1e-38 times a
   * magnitude) are far below every tolerance between backends.
   */
  static float flush(float x) {
    return Math.abs(x) < Float.MIN_NORMAL ? Math.copySign(0f, x) : x;
  }

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
        C.put(i * n + j, flush((float) (alpha * row[j]) + prev));
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
        Z.put(o + c, flush(X.get(o + c) + (bb == null ? 0f : bb.get(c))));
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
          Y.put(o + c, flush((float) (Math.exp(Z.get(o + c) - mx) / sum)));
        }
      } else {
        for (int c = 0; c < cols; c++) {
          Y.put(o + c, flush((float) activate(Z.get(o + c), act, alpha)));
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
      case ELU: return z > 0 ? z : alpha * Math.expm1(z);
      case SELU:
        return Activation.SELU_SCALE * (z > 0 ? z : Activation.SELU_ALPHA * Math.expm1(z));
      case SOFTPLUS: return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
      case SOFTSIGN: return z / (1 + Math.abs(z));
      case SWISH: return z / (1.0 + Math.exp(-z));
      case EXPONENTIAL: return Math.exp(z);
      case HARD_SIGMOID: return Math.min(Math.max(z + 3, 0), 6) / 6;
      case RELU6: return Math.min(Math.max(z, 0), 6);
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
      case ELU: return z > 0 ? 1 : alpha * Math.exp(z);
      case SELU:
        return Activation.SELU_SCALE * (z > 0 ? 1 : Activation.SELU_ALPHA * Math.exp(z));
      case SOFTPLUS: return 1.0 / (1.0 + Math.exp(-z));
      case SOFTSIGN: { double d = 1 + Math.abs(z); return 1 / (d * d); }
      case SWISH: { double s = 1.0 / (1.0 + Math.exp(-z)); return s + z * s * (1 - s); }
      case EXPONENTIAL: return Math.exp(z);
      case HARD_SIGMOID: return z > -3 && z < 3 ? 1.0 / 6 : 0;
      case RELU6: return z > 0 && z < 6 ? 1 : 0;
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
          DZ.put(o + c, flush((float) (Y.get(o + c) * (DY.get(o + c) - dot))));
        }
      }
      return;
    }
    int n = rows * cols;
    for (int i = 0; i < n; i++) {
      DZ.put(i, flush((float) (DY.get(i) * derivative(Z.get(i), act, alpha))));
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
      DB.put(c, flush((float) s));
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
            G.put(o + c, flush((float) (gradScale * (Math.exp(P.get(o + c) - mx) / sum - t[c]))));
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
            G.put(o + c, flush((float) (gradScale * (q[c] - gqDotQ) / s)));
          }
        }
      }
      if (RL != null) {
        RL.put(r, flush((float) loss));
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
        Y.put(i, (bits[j] >>> 8) >= threshold ? flush(X.get(i) * scale) : 0f);
      }
    }
  }

  // The optimizer rules below wrap every float operation whose result can be subnormal in
  // flush(...), and read the gradient through flush (DAZ): the state they carry from step to step
  // then follows the native kernels' FTZ/DAZ arithmetic exactly, not just to the tolerance of
  // one step. That matters here and nowhere else: a decaying slot is fed back hundreds of times,
  // e.g. Adam's m stops decaying once (g - m) * (1 - beta_1) underflows (FTZ) instead of going on
  // to zero, and a rule that divides by or takes the sign of such a value (Lamb's trust ratio,
  // Lion's sign) turns that tiny difference into a full-size update.
  @Override
  public void optimizerStep(OptimizerRule rule, float[] hp, Tensor w, Tensor g, Tensor s0,
      Tensor s1, Tensor s2, Segments seg, float decayLr, float clipValue) {
    FloatBuffer W = w.buffer(), G = g.buffer();
    FloatBuffer S0 = s0 == null ? null : s0.buffer(), S1 = s1 == null ? null : s1.buffer();
    FloatBuffer S2 = s2 == null ? null : s2.buffer();
    if (rule == OptimizerRule.LAMB) {
      lamb(hp, W, G, S0, S1, seg, decayLr, clipValue);
      return;
    }
    for (int s = 0; s < seg.count(); s++) {
      float gs = seg.gscale[s], d = seg.wd[s];
      for (int i = (int) seg.begin(s), end = (int) seg.end(s); i < end; i++) {
        float gi = prepare(W, G, i, gs, d, decayLr, clipValue);
        float wi = W.get(i);
        switch (rule) {
          case SGD: {
            float lr = hp[0], mom = hp[1];
            if (mom == 0f) {
              wi = flush(wi - flush(lr * gi));
            } else {
              float m = flush(flush(mom * S0.get(i)) - flush(lr * gi));
              S0.put(i, m);
              wi = flush(wi + (hp[2] != 0f ? flush(flush(mom * m) - flush(lr * gi)) : m));
            }
            break;
          }
          case RMSPROP: {
            float lr = hp[0], rho = hp[1], mom = hp[2], eps = hp[3];
            float vel = flush(flush(rho * S0.get(i)) + flush((1f - rho) * flush(gi * gi)));
            S0.put(i, vel);
            float denom;
            if (hp[4] != 0f) {
              float avg = flush(flush(rho * S2.get(i)) + flush((1f - rho) * gi));
              S2.put(i, avg);
              denom = flush(flush(vel - flush(avg * avg)) + eps);
            } else {
              denom = flush(vel + eps);
            }
            float inc = flush(flush(lr * gi) / (float) Math.sqrt(denom));
            if (mom > 0f) {
              float mv = flush(flush(mom * S1.get(i)) + inc);
              S1.put(i, mv);
              wi = flush(wi - mv);
            } else {
              wi = flush(wi - inc);
            }
            break;
          }
          case ADAGRAD: {
            float acc = flush(S0.get(i) + flush(gi * gi));
            S0.put(i, acc);
            wi = flush(wi - flush(flush(hp[0] * gi) / (float) Math.sqrt(flush(acc + hp[1]))));
            break;
          }
          case ADADELTA: {
            float lr = hp[0], rho = hp[1], eps = hp[2];
            float ag = flush(flush(rho * S0.get(i)) + flush((1f - rho) * flush(gi * gi)));
            S0.put(i, ag);
            float delta = -flush(flush((float) Math.sqrt(flush(S1.get(i) + eps)) * gi)
                / (float) Math.sqrt(flush(ag + eps)));
            S1.put(i, flush(flush(rho * S1.get(i))
                + flush((1f - rho) * flush(delta * delta))));
            wi = flush(wi + flush(lr * delta));
            break;
          }
          case ADAM: {
            float alpha = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3];
            float m = moment(S0.get(i), gi, b1);
            float v = moment(S1.get(i), flush(gi * gi), b2);
            S0.put(i, m);
            S1.put(i, v);
            if (hp[4] != 0f) {
              v = Math.max(S2.get(i), v);
              S2.put(i, v);
            }
            wi = flush(wi - flush(flush(m * alpha) / flush((float) Math.sqrt(v) + eps)));
            break;
          }
          case ADAMAX: {
            float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], c1 = hp[4];
            float m = moment(S0.get(i), gi, b1);
            float u = Math.max(flush(b2 * S1.get(i)), Math.abs(gi));
            S0.put(i, m);
            S1.put(i, u);
            wi = flush(wi - flush(flush(lr * m) / flush(c1 * flush(u + eps))));
            break;
          }
          case NADAM: {
            float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3];
            float m = moment(S0.get(i), gi, b1);
            float v = moment(S1.get(i), flush(gi * gi), b2);
            S0.put(i, m);
            S1.put(i, v);
            float mHat = flush(flush(flush(hp[4] * m) / hp[5]) + flush(flush(hp[6] * gi) / hp[7]));
            float vHat = flush(v / hp[8]);
            wi = flush(wi - flush(flush(mHat * lr) / flush((float) Math.sqrt(vHat) + eps)));
            break;
          }
          case FTRL: {
            float lr = hp[0], power = hp[1], l1 = hp[2], l2 = hp[3], shrink = hp[4];
            float gradToUse = flush(gi + flush(flush(2f * shrink) * wi));
            float acc = S0.get(i), newAcc = flush(acc + flush(gi * gi));
            float rootNew = flush((float) Math.pow(newAcc, -power));
            float rootOld = flush((float) Math.pow(acc, -power));
            float lin = flush(S1.get(i)
                + flush(gradToUse - flush(flush(flush(rootNew - rootOld) / lr) * wi)));
            S1.put(i, lin);
            float quadratic = flush(flush(rootNew / lr) + flush(2f * l2));
            float clipped = Math.min(Math.max(lin, -l1), l1);
            wi = flush(flush(clipped - lin) / quadratic);
            S0.put(i, newAcc);
            break;
          }
          case LION: {
            float lr = hp[0], b1 = hp[1], b2 = hp[2];
            float c = flush(flush(S0.get(i) * b1) + flush(gi * (1f - b1)));
            wi = flush(wi - lr * Math.signum(c));
            S0.put(i, flush(flush(S0.get(i) * b2) + flush(gi * (1f - b2))));
            break;
          }
          default:
            throw new IllegalStateException(rule.toString());
        }
        W.put(i, wi);
      }
    }
  }

  /** m + (g - m) * (1 - beta): Adam's moment update, each operation flushed as under FTZ. */
  private static float moment(float m, float g, float beta) {
    return flush(m + flush(flush(g - m) * (1f - beta)));
  }

  /**
   * The gradient after scaling and value clipping, flushed as the native kernels read and compute
   * it; applies weight decay to w[i] in place.
   */
  private static float prepare(FloatBuffer W, FloatBuffer G, int i, float gs, float d,
      float decayLr, float clipValue) {
    float gi = flush(flush(G.get(i)) * gs);
    if (clipValue > 0f) {
      gi = Math.min(Math.max(gi, -clipValue), clipValue);
    }
    if (d != 0f) {
      float w = W.get(i);
      W.put(i, flush(w - flush(flush(w * d) * decayLr)));
    }
    return gi;
  }

  private static void lamb(float[] hp, FloatBuffer W, FloatBuffer G, FloatBuffer M,
      FloatBuffer V, Segments seg, float decayLr, float clipValue) {
    float lr = hp[0], b1 = hp[1], b2 = hp[2], eps = hp[3], c1 = hp[4], c2 = hp[5];
    for (int s = 0; s < seg.count(); s++) {
      int begin = (int) seg.begin(s), end = (int) seg.end(s);
      double wSq = 0, uSq = 0;
      for (int i = begin; i < end; i++) {
        float gi = prepare(W, G, i, seg.gscale[s], seg.wd[s], decayLr, clipValue);
        M.put(i, moment(M.get(i), gi, b1));
        V.put(i, moment(V.get(i), flush(gi * gi), b2));
        float u = lambUpdate(M.get(i), V.get(i), c1, c2, eps);
        wSq += (double) W.get(i) * W.get(i);
        uSq += (double) u * u;
      }
      float wNorm = (float) Math.sqrt(wSq), uNorm = (float) Math.sqrt(uSq);
      float ratio = wNorm > 0f && uNorm > 0f ? wNorm / uNorm : 1f;
      for (int i = begin; i < end; i++) {
        float u = lambUpdate(M.get(i), V.get(i), c1, c2, eps);
        W.put(i, flush(W.get(i) - flush(flush(ratio * lr) * u)));
      }
    }
  }

  /** Lamb's per-element update (m / c1) / (sqrt(v / c2) + eps), flushed as under FTZ. */
  private static float lambUpdate(float m, float v, float c1, float c2, float eps) {
    return flush(flush(m / c1) / flush((float) Math.sqrt(flush(v / c2)) + eps));
  }

  @Override
  public void segmentSumSquares(Tensor x, Segments seg, double[] out) {
    FloatBuffer X = x.buffer();
    for (int s = 0; s < seg.count(); s++) {
      double acc = 0;
      for (int i = (int) seg.begin(s), end = (int) seg.end(s); i < end; i++) {
        acc += (double) X.get(i) * X.get(i);
      }
      out[s] = acc;
    }
  }

  @Override
  public void axpy(Tensor y, Tensor x, float a, long n) {
    FloatBuffer Y = y.buffer(), X = x.buffer();
    for (int i = 0; i < n; i++) {
      Y.put(i, flush(Y.get(i) + a * X.get(i)));
    }
  }

  @Override
  public void emaUpdate(Tensor avg, Tensor w, float momentum, long n) {
    FloatBuffer A = avg.buffer(), W = w.buffer();
    for (int i = 0; i < n; i++) {
      A.put(i, flush(momentum * A.get(i) + (1f - momentum) * W.get(i)));
    }
  }

  // ---- the light ops -------------------------------------------------------------------------
  // They flush what they store too (see flush): the CUDA backend runs them as -ftz=true kernels
  // and the CPU backend runs these very loops, so every backend stores no subnormal float from
  // any op. copy and fill store what they are given.

  @Override
  public void copy(Tensor src, Tensor dst, long n) {
    dst.buffer().put(0, src.buffer(), 0, Math.toIntExact(n));
  }

  @Override
  public void fill(Tensor t, float value, long n) {
    FloatBuffer b = t.buffer();
    for (int i = 0; i < n; i++) {
      b.put(i, value);
    }
  }

  @Override
  public void unary(Elementwise.Unary op, Tensor x, Tensor y, long n, float c) {
    FloatBuffer X = x.buffer(), Y = y.buffer();
    for (int i = 0; i < n; i++) {
      float v = X.get(i);
      switch (op) {
        case SCALE: Y.put(i, flush(c * v)); break;
        case SQUARE: Y.put(i, flush(v * v)); break;
        case ABS: Y.put(i, flush(Math.abs(v))); break;
        default: Y.put(i, (float) Math.log(Math.max(v, c)));
      }
    }
  }

  @Override
  public void unaryBackward(Elementwise.Unary op, Tensor x, Tensor g, Tensor out, long n,
      float c) {
    FloatBuffer X = x.buffer(), G = g.buffer(), T = out.buffer();
    for (int i = 0; i < n; i++) {
      float v = X.get(i);
      float d;
      switch (op) {
        case SCALE: d = c; break;
        case SQUARE: d = 2f * v; break;
        case ABS: d = Math.signum(v); break;
        default: d = v > c ? 1f / v : 0f;
      }
      T.put(i, flush(G.get(i) * d));
    }
  }

  @Override
  public void binary(Elementwise.Binary op, Tensor a, long na, Tensor b, long nb, Tensor y,
      long n) {
    FloatBuffer A = a.buffer(), B = b.buffer(), Y = y.buffer();
    for (int i = 0; i < n; i++) {
      float x = A.get((int) (i % na)), z = B.get((int) (i % nb));
      Y.put(i, flush(op == Elementwise.Binary.ADD ? x + z
          : op == Elementwise.Binary.SUB ? x - z : x * z));
    }
  }

  @Override
  public void binaryGrad(Tensor g, Tensor other, long otherSize, Tensor out, long m, long n,
      float sign) {
    FloatBuffer G = g.buffer(), T = out.buffer();
    FloatBuffer O = other == null ? null : other.buffer();
    for (int j = 0; j < m; j++) {
      double s = 0;
      for (int i = j; i < n; i += m) {
        s += G.get(i) * (O == null ? 1f : O.get((int) (i % otherSize)));
      }
      T.put(j, flush((float) (sign * s)));
    }
  }

  @Override
  public void reduceRows(Tensor x, Tensor w, Tensor y, int rows, int group, double divisor) {
    FloatBuffer X = x.buffer(), Y = y.buffer();
    FloatBuffer W = w == null ? null : w.buffer();
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0, o = r * group; c < group; c++) {
        s += (double) X.get(o + c) * (W == null ? 1.0 : W.get(o + c));
      }
      Y.put(r, divisor == 0 ? 0f : flush((float) (s / divisor)));
    }
  }

  @Override
  public void scaleRows(Tensor g, Tensor m, Tensor out, int rows, int group, float divisor) {
    FloatBuffer G = g.buffer(), T = out.buffer();
    FloatBuffer M = m == null ? null : m.buffer();
    for (int i = 0, n = rows * group; i < n; i++) {
      float up = G.get(i / group) / divisor;
      T.put(i, flush(M == null ? up : up * M.get(i)));
    }
  }

  @Override
  public void pointwiseLoss(PointwiseLoss loss, Tensor y, Tensor p, Tensor out, int rows,
      int group) {
    FloatBuffer Y = y.buffer(), P = p.buffer(), L = out.buffer();
    for (int r = 0; r < rows; r++) {
      double s = 0;
      for (int c = 0, o = r * group; c < group; c++) {
        s += loss.value(Y.get(o + c), P.get(o + c));
      }
      L.put(r, flush((float) (s / group)));
    }
  }

  @Override
  public void pointwiseLossBackward(PointwiseLoss loss, Tensor y, Tensor p, Tensor g, Tensor out,
      int rows, int group) {
    FloatBuffer Y = y.buffer(), P = p.buffer(), G = g.buffer(), T = out.buffer();
    for (int i = 0, n = rows * group; i < n; i++) {
      T.put(i, flush((float) (G.get(i / group) * loss.derivative(Y.get(i), P.get(i)) / group)));
    }
  }
}
