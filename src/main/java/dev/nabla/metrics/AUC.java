package dev.nabla.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's {@code keras.metrics.AUC}: the area under the ROC curve (default), the
 * precision-recall curve ("PR") or the precision-recall-gain curve ("PRGAIN"), approximated by a
 * Riemann sum over thresholds from weighted confusion counts accumulated across updates.
 *
 * <ul>
 *   <li>{@code num_thresholds} (default 200, must be &gt; 1): thresholds {@code i / (T - 1)} for
 *       i = 1 .. T - 2, plus {@code -epsilon} and {@code 1 + epsilon} (epsilon = 1e-7) so that
 *       predictions of exactly 0 and 1 fall inside, as Keras places them.
 *   <li>{@code thresholds}: explicit values in [0, 1] instead (sorted; the two epsilon ends are
 *       added, so T = length + 2).
 *   <li>{@code summation_method}: "interpolation" (default; for PR, Davis and Goadrich's
 *       interpolation of the counts), "minoring" or "majoring" (lower and upper bounds).
 *   <li>{@code multi_label} (default false): with rank-2 data, one curve per label (column),
 *       averaged, or weighted by {@code label_weights}; when false the data is flattened and
 *       {@code label_weights}, if given, weigh each column's elements.
 *   <li>{@code num_labels}: the label count for multi_label (else taken from the first update).
 *   <li>{@code from_logits} (default false): predictions go through a sigmoid first.
 * </ul>
 *
 * <p>Labels are true when not 0; predictions belong in [0, 1] (the evenly spaced path clips them
 * there). Sample weights: a scalar, per sample or per element, broadcast to y_pred. Default name
 * "auc".
 *
 * <p>Errors: the constructors throw IllegalArgumentException for num_thresholds &lt;= 1, an unknown curve or summation
 *     method, thresholds outside [0, 1], negative label weights, num_labels without
 *     multi_label, and (update) multi_label data that is not rank 2 or changes its label count
 */
public final class AUC extends Metric {
  private final int numThresholds;
  private final double[] thresholds; // with the epsilon ends
  private final boolean initFromThresholds;
  private final boolean evenly;
  private final String curve; // ROC, PR, PRGAIN
  private final String summation; // interpolation, minoring, majoring
  private final boolean multiLabel;
  private final Integer numLabels;
  private final float[] labelWeights;
  private final boolean fromLogits;
  private int labels; // 0 until built (multi-label without num_labels)
  private double[][] tp, fp, tn, fn;

  private static final double EPSILON = 1e-7; // Keras's backend.epsilon()

  public AUC() {
    this("auc", 200, "ROC", "interpolation", null, false, null, null, false);
  }

  /**
   * @param thresholds null for {@code numThresholds} evenly spaced ones
   * @param numLabels null, or the label count (multi_label only)
   * @param labelWeights null, or one non-negative weight per label
   */
  public AUC(String name, int numThresholds, String curve, String summationMethod,
      double[] thresholds, boolean multiLabel, Integer numLabels, double[] labelWeights,
      boolean fromLogits) {
    super(name);
    this.curve = parse(curve, "curve", new String[] {"ROC", "PR", "PRGAIN"}, true);
    this.summation = parse(summationMethod, "summation method",
        new String[] {"interpolation", "majoring", "minoring"}, false);
    double[] inner;
    if (thresholds != null) {
      inner = ConfusionMatrix.checkThresholds(thresholds.clone(), name);
      Arrays.sort(inner);
      this.numThresholds = inner.length + 2;
      double[] padded = new double[inner.length + 2];
      System.arraycopy(inner, 0, padded, 1, inner.length);
      padded[padded.length - 1] = 1.0;
      this.evenly = ConfusionMatrix.evenlyDistributed(padded);
      this.initFromThresholds = true;
    } else {
      if (numThresholds <= 1) {
        throw new IllegalArgumentException(name + ": argument `num_thresholds` must be an "
            + "integer > 1, got " + numThresholds);
      }
      this.numThresholds = numThresholds;
      inner = new double[numThresholds - 2];
      for (int i = 0; i < inner.length; i++) {
        inner[i] = (i + 1) * 1.0 / (numThresholds - 1);
      }
      this.evenly = true;
      this.initFromThresholds = false;
    }
    this.thresholds = new double[inner.length + 2];
    System.arraycopy(inner, 0, this.thresholds, 1, inner.length);
    this.thresholds[0] = 0.0 - EPSILON;
    this.thresholds[this.thresholds.length - 1] = 1.0 + EPSILON;
    this.multiLabel = multiLabel;
    this.numLabels = numLabels;
    if (numLabels != null && !multiLabel) {
      throw new IllegalArgumentException(name + ": `num_labels` is needed only when "
          + "`multi_label` is true");
    }
    if (numLabels != null && numLabels < 1) {
      throw new IllegalArgumentException(name + ": 'num_labels' must be at least 1, got "
          + numLabels);
    }
    if (labelWeights != null) {
      this.labelWeights = new float[labelWeights.length];
      for (int i = 0; i < labelWeights.length; i++) {
        if (!(labelWeights[i] >= 0)) {
          throw new IllegalArgumentException(name + ": label_weights must be non-negative, got "
              + Arrays.toString(labelWeights));
        }
        this.labelWeights[i] = (float) labelWeights[i];
      }
    } else {
      this.labelWeights = null;
    }
    this.fromLogits = fromLogits;
    if (!multiLabel) {
      build(1);
    } else if (numLabels != null) {
      build(numLabels);
    }
  }

  private String parse(String value, String what, String[] accepted, boolean upper) {
    for (String a : accepted) {
      // Keras accepts the lower- and upper-case spellings only ("pr", "PR"; "Minoring")
      String alt = upper ? a.toLowerCase(Locale.ROOT)
          : Character.toUpperCase(a.charAt(0)) + a.substring(1);
      if (a.equals(value) || alt.equals(value)) {
        return a;
      }
    }
    throw new IllegalArgumentException(name() + ": invalid AUC " + what + " value: \"" + value
        + "\"; expected one of " + Arrays.toString(accepted));
  }

  private void build(int labelCount) {
    labels = labelCount;
    tp = new double[numThresholds][labelCount];
    fp = new double[numThresholds][labelCount];
    tn = new double[numThresholds][labelCount];
    fn = new double[numThresholds][labelCount];
  }

  @Override
  public String className() {
    return "AUC";
  }

  public int numThresholds() {
    return numThresholds;
  }

  /** The thresholds in use, epsilon ends included (Keras's {@code thresholds}). */
  public double[] thresholds() {
    return thresholds.clone();
  }

  public String curve() {
    return curve;
  }

  public String summationMethod() {
    return summation;
  }

  /** The weighted true positives per threshold (and label, for multi_label); empty if unbuilt. */
  public double[][] truePositives() {
    return copy(tp);
  }

  public double[][] falsePositives() {
    return copy(fp);
  }

  public double[][] trueNegatives() {
    return copy(tn);
  }

  public double[][] falseNegatives() {
    return copy(fn);
  }

  private static double[][] copy(double[][] a) {
    if (a == null) {
      return new double[0][];
    }
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }

  @Override
  void accumulate(Arr yTrue, Arr yPred, Arr sampleWeight) {
    if (multiLabel) {
      if (yPred.rank() != 2) {
        throw new IllegalArgumentException(name() + ": y_pred must have rank 2 when "
            + "multi_label is true; found shape " + yPred);
      }
      if (labels == 0) {
        build(yPred.last());
      } else if (yPred.last() != labels) {
        throw new IllegalArgumentException(name() + ": y_pred has " + yPred.last()
            + " labels; this AUC counts " + labels);
      }
      if (labelWeights != null && labelWeights.length != labels) {
        throw new IllegalArgumentException(name() + ": " + labelWeights.length
            + " label_weights for " + labels + " labels");
      }
    }
    if (fromLogits) {
      float[] p = new float[yPred.size()];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (1.0 / (1.0 + Math.exp(-yPred.v[i])));
      }
      yPred = new Arr(p, yPred.shape);
    }
    ConfusionMatrix.update(tp, fp, tn, fn, yTrue, yPred, sampleWeight, thresholds, evenly, null,
        null, multiLabel, multiLabel ? null : labelWeights, name());
  }

  @Override
  public float result() {
    if (labels == 0) {
      return 0f;
    }
    double[] byLabel = new double[labels];
    for (int l = 0; l < labels; l++) {
      byLabel[l] = curve.equals("PR") && summation.equals("interpolation")
          ? interpolatePrAuc(l) : riemann(l);
    }
    if (!multiLabel) {
      return (float) byLabel[0];
    }
    if (labelWeights == null) {
      return (float) (Arrays.stream(byLabel).sum() / labels);
    }
    double num = 0, den = 0;
    for (int l = 0; l < labels; l++) {
      num += byLabel[l] * labelWeights[l];
      den += labelWeights[l];
    }
    return (float) noNan(num, den);
  }

  /** Keras's divide_no_nan: 0 where the denominator is 0. */
  private static double noNan(double x, double y) {
    return y == 0 ? 0 : x / y;
  }

  /** Davis and Goadrich's interpolation of the PR curve, in Keras's closed form. */
  private double interpolatePrAuc(int l) {
    double sum = 0;
    for (int i = 0; i < numThresholds - 1; i++) {
      double pA = tp[i][l] + fp[i][l], pB = tp[i + 1][l] + fp[i + 1][l];
      double dtp = tp[i][l] - tp[i + 1][l];
      double dp = pA - pB;
      double slope = noNan(dtp, Math.max(dp, 0));
      double intercept = tp[i + 1][l] - slope * pB;
      double ratio = pA > 0 && pB > 0 ? noNan(pA, Math.max(pB, 0)) : 1;
      sum += noNan(slope * (dtp + intercept * Math.log(ratio)),
          Math.max(tp[i + 1][l] + fn[i + 1][l], 0));
    }
    return sum;
  }

  private double riemann(int l) {
    int n = numThresholds;
    double[] x = new double[n], y = new double[n];
    for (int i = 0; i < n; i++) {
      double recall = noNan(tp[i][l], tp[i][l] + fn[i][l]);
      switch (curve) {
        case "ROC":
          x[i] = noNan(fp[i][l], fp[i][l] + tn[i][l]);
          y[i] = recall;
          break;
        case "PR":
          x[i] = recall;
          y[i] = noNan(tp[i][l], tp[i][l] + fp[i][l]);
          break;
        default: { // PRGAIN, with Keras's fixes for no true positives and negative gains
          double scaling = noNan(tp[i][l] + fn[i][l], tn[i][l] + fp[i][l]);
          double recallGain = 1.0 - scaling * noNan(fn[i][l], tp[i][l]);
          double precisionGain = 1.0 - scaling * noNan(fp[i][l], tp[i][l]);
          if (tp[i][l] == 0) {
            recallGain = 0;
            precisionGain = 1;
          }
          x[i] = Math.max(recallGain, 0);
          y[i] = precisionGain;
        }
      }
    }
    double area = 0;
    for (int i = 0; i < n - 1; i++) {
      double height;
      switch (summation) {
        case "interpolation":
          height = (y[i] + y[i + 1]) / 2;
          break;
        case "minoring":
          height = Math.min(y[i], y[i + 1]);
          break;
        default:
          height = Math.max(y[i], y[i + 1]);
      }
      area += (x[i] - x[i + 1]) * height;
    }
    return area;
  }

  @Override
  public void reset() {
    if (labels > 0) {
      build(labels);
    }
  }

  @Override
  public Map<String, Object> config() {
    Map<String, Object> c = baseConfig();
    c.put("num_thresholds", numThresholds);
    c.put("curve", curve);
    c.put("summation_method", summation);
    c.put("multi_label", multiLabel);
    c.put("num_labels", numLabels);
    if (labelWeights == null) {
      c.put("label_weights", null);
    } else {
      List<Double> lw = new ArrayList<>();
      for (float w : labelWeights) {
        lw.add((double) w);
      }
      c.put("label_weights", lw);
    }
    c.put("from_logits", fromLogits);
    if (initFromThresholds) {
      List<Double> t = new ArrayList<>();
      for (int i = 1; i < thresholds.length - 1; i++) {
        t.add(thresholds[i]);
      }
      c.put("thresholds", t);
    }
    return c;
  }
}
