package dev.nabla.optimizers.schedules;

import dev.nabla.Config;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Keras's learning-rate schedules by name, with Keras's arguments and formulas (computed in
 * double, rounded to float once).
 *
 * <p>Thread-safe: a factory of new schedules.
 */
public final class Schedules {
  private Schedules() {}

  public static final List<String> NAMES = List.of("exponential_decay",
      "piecewise_constant_decay", "polynomial_decay", "inverse_time_decay", "cosine_decay",
      "cosine_decay_restarts");

  public static synchronized LearningRateSchedule get(String name, Map<String, ?> config) {
    if (name == null) {
      throw Config.unknown("learning-rate schedule", "null", NAMES);
    }
    Config c = new Config(name, config);
    c.ignore("name");
    current = c;
    LearningRateSchedule s;
    switch (Config.key(name)) {
      case "exponentialdecay": {
        double init = required(c, "initial_learning_rate");
        double steps = positive(c, "decay_steps");
        double rate = required(c, "decay_rate");
        boolean stair = c.bool("staircase", false);
        s = named("ExponentialDecay", step -> {
          double p = step / steps;
          return init * Math.pow(rate, stair ? Math.floor(p) : p);
        });
        break;
      }
      case "piecewiseconstantdecay": {
        double[] bounds = numbers(c, "boundaries");
        double[] values = numbers(c, "values");
        if (values.length != bounds.length + 1) {
          throw new IllegalArgumentException(name + ": 'values' must have one more entry than "
              + "'boundaries', got " + values.length + " values and " + bounds.length
              + " boundaries");
        }
        s = named("PiecewiseConstantDecay", step -> {
          for (int i = 0; i < bounds.length; i++) {
            if (step <= bounds[i]) {
              return values[i];
            }
          }
          return values[bounds.length];
        });
        break;
      }
      case "polynomialdecay": {
        double init = required(c, "initial_learning_rate");
        double steps = positive(c, "decay_steps");
        double end = c.number("end_learning_rate", 0.0001);
        double power = c.number("power", 1.0);
        boolean cycle = c.bool("cycle", false);
        s = named("PolynomialDecay", step -> {
          double total = steps;
          double t = step;
          if (cycle) {
            double mult = step == 0 ? 1.0 : Math.ceil(step / steps);
            total = steps * mult;
          } else {
            t = Math.min(step, steps);
          }
          return (init - end) * Math.pow(1 - t / total, power) + end;
        });
        break;
      }
      case "inversetimedecay": {
        double init = required(c, "initial_learning_rate");
        double steps = positive(c, "decay_steps");
        double rate = required(c, "decay_rate");
        boolean stair = c.bool("staircase", false);
        s = named("InverseTimeDecay", step -> {
          double p = step / steps;
          return init / (1 + rate * (stair ? Math.floor(p) : p));
        });
        break;
      }
      case "cosinedecay": {
        double init = required(c, "initial_learning_rate");
        double steps = positive(c, "decay_steps");
        double alpha = c.number("alpha", 0.0);
        Object target = c.raw("warmup_target");
        double warmupSteps = c.number("warmup_steps", 0, 0, Double.MAX_VALUE);
        if (target != null && !(target instanceof Number)) {
          throw new IllegalArgumentException(name + ": 'warmup_target' must be a number");
        }
        Double warmupTarget = target == null ? null : ((Number) target).doubleValue();
        s = named("CosineDecay", step -> {
          if (warmupTarget == null) {
            return cosine(init, Math.min(step, steps), steps, alpha);
          }
          double t = Math.min(step, steps + warmupSteps);
          if (t < warmupSteps) {
            return (warmupTarget - init) * (t / warmupSteps) + init;
          }
          return cosine(warmupTarget, t - warmupSteps, steps, alpha);
        });
        break;
      }
      case "cosinedecayrestarts": {
        double init = required(c, "initial_learning_rate");
        double first = positive(c, "first_decay_steps");
        double tMul = c.number("t_mul", 2.0);
        double mMul = c.number("m_mul", 1.0);
        double alpha = c.number("alpha", 0.0);
        if (!(tMul > 0) || Double.isInfinite(tMul)) {
          throw new IllegalArgumentException(name + ": 't_mul' (the factor from one period's "
              + "length to the next) must be a finite number > 0, got " + tMul);
        }
        Restarts restarts = new Restarts(first, tMul);
        s = named("CosineDecayRestarts", step -> {
          // Keras's formula, with the restart index found exactly (Restarts) where Keras floors
          // a logarithm that can land a hair below an integer at a restart step
          double[] at = restarts.at(step);
          if (at == null) {
            return Double.NaN; // past the last restart of shrinking periods: Keras's NaN
          }
          double cosineDecayed = 0.5 * Math.pow(mMul, at[0]) * (1 + Math.cos(Math.PI * at[1]));
          return init * ((1 - alpha) * cosineDecayed + alpha);
        });
        break;
      }
      default:
        throw Config.unknown("learning-rate schedule", name, NAMES);
    }
    c.done();
    return s;
  }

  /**
   * CosineDecayRestarts's periods: period k lasts first * t^k steps and restart i starts at
   * start(i) = first * (t^i - 1) / (t - 1) (first * i when t is 1). {@link #at} finds the restart
   * a step is in, i with start(i) <= step < start(i + 1), exactly for the arguments' values: a
   * logarithm gives a guess, and each comparison of the step with a start is decided in double
   * when the two are clearly apart and in exact decimal arithmetic, on the arguments as written
   * in decimal, when they are close (a step on a restart, such as step 211 of periods 16, 24, 36,
   * 54, 81, or step 21 of periods 10, 11 with t_mul 1.1).
   */
  static final class Restarts {
    private final double first, t;
    private final BigDecimal exactFirst, exactT;

    Restarts(double first, double t) {
      this.first = first;
      this.t = t;
      // the decimals the user wrote (the shortest that round to these doubles), not the
      // doubles' binary values: t_mul 1.1 is 11/10, whose restarts 10, 21 fall on whole steps,
      // while the double just above it would put restart 2 a hair after step 21
      this.exactFirst = BigDecimal.valueOf(first);
      this.exactT = BigDecimal.valueOf(t);
    }

    /**
     * {restart index, fraction of its period done (0 exactly at the restart)}, or null when the
     * periods shrink (t < 1) and the step is at or past their limit first / (1 - t).
     */
    double[] at(long step) {
      long i;
      if (t == 1.0) {
        i = (long) Math.floor(step / first);
      } else {
        if (t < 1.0 && new BigDecimal(step).multiply(BigDecimal.ONE.subtract(exactT))
            .compareTo(exactFirst) >= 0) {
          return null;
        }
        // Keras's guess: floor(log(1 - (step / first) (1 - t)) / log(t))
        double guess = Math.floor(Math.log1p(step / first * (t - 1)) / Math.log(t));
        i = Double.isFinite(guess) && guess > 0 ? (long) guess : 0;
      }
      while (i > 0 && compareToStart(step, i) < 0) {
        i--;
      }
      int c;
      while ((c = compareToStart(step, i + 1)) >= 0) {
        i++;
        if (c == 0) {
          return new double[] {i, 0.0};
        }
      }
      if (compareToStart(step, i) == 0) {
        return new double[] {i, 0.0};
      }
      return new double[] {i, (step - start(i)) / (first * Math.pow(t, i))};
    }

    /** start(i) in double (relative error below 1e-13: expm1 keeps t^i - 1 accurate near 1). */
    private double start(long i) {
      return t == 1.0 ? first * i : first * (Math.expm1(i * Math.log(t)) / (t - 1));
    }

    /** The sign of step - start(i), exact. */
    private int compareToStart(long step, long i) {
      double estimate = start(i);
      double diff = step - estimate;
      if (Math.abs(diff) > 1e-9 * (Math.abs(estimate) + first)) {
        return diff > 0 ? 1 : -1;
      }
      BigDecimal s = new BigDecimal(step);
      if (t == 1.0) {
        return s.compareTo(exactFirst.multiply(BigDecimal.valueOf(i)));
      }
      // step - first (t^i - 1) / (t - 1) has the sign of step (t - 1) - first (t^i - 1) times
      // that of t - 1
      BigDecimal tMinus1 = exactT.subtract(BigDecimal.ONE);
      BigDecimal lhs = s.multiply(tMinus1);
      BigDecimal rhs = exactFirst.multiply(exactT.pow(Math.toIntExact(i))
          .subtract(BigDecimal.ONE));
      return lhs.compareTo(rhs) * tMinus1.signum();
    }
  }

  private static double cosine(double init, double step, double steps, double alpha) {
    double fraction = step / steps;
    double decayed = (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha;
    return init * decayed;
  }

  private interface DoubleRule {
    double at(long step);
  }

  private static Config current; // the config being read, for named(); get() is not reentrant

  private static LearningRateSchedule named(String className, DoubleRule rule) {
    return new Keras(className, new java.util.LinkedHashMap<>(current.values()), rule);
  }

  /** A schedule made by {@link #get}: it remembers its class name and arguments for saving. */
  public static final class Keras implements LearningRateSchedule {
    private final String className;
    private final Map<String, Object> config;
    private final DoubleRule rule;

    Keras(String className, Map<String, Object> config, DoubleRule rule) {
      this.className = className;
      this.config = java.util.Collections.unmodifiableMap(config);
      this.rule = rule;
    }

    public String className() {
      return className;
    }

    public Map<String, Object> config() {
      return config;
    }

    @Override
    public float at(long step) {
      return (float) rule.at(step);
    }

    @Override
    public String toString() {
      return className + config;
    }
  }

  private static double required(Config c, String key) {
    double v = c.number(key, Double.NaN);
    if (Double.isNaN(v)) {
      throw new IllegalArgumentException("missing required argument '" + key + "'");
    }
    return v;
  }

  private static double positive(Config c, String key) {
    double v = required(c, key);
    if (!(v > 0)) {
      throw new IllegalArgumentException("'" + key + "' must be > 0, got " + v);
    }
    return v;
  }

  private static double[] numbers(Config c, String key) {
    Object v = c.raw(key);
    if (v == null) {
      throw new IllegalArgumentException("missing required argument '" + key + "'");
    }
    if (v instanceof double[]) {
      return ((double[]) v).clone();
    }
    if (v instanceof float[]) {
      float[] f = (float[]) v;
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return d;
    }
    if (v instanceof int[]) {
      return java.util.Arrays.stream((int[]) v).asDoubleStream().toArray();
    }
    if (v instanceof long[]) {
      return java.util.Arrays.stream((long[]) v).asDoubleStream().toArray();
    }
    if (v instanceof List<?>) {
      List<?> l = (List<?>) v;
      double[] d = new double[l.size()];
      for (int i = 0; i < d.length; i++) {
        if (!(l.get(i) instanceof Number)) {
          throw new IllegalArgumentException("'" + key + "' must hold numbers, got " + l.get(i));
        }
        d[i] = ((Number) l.get(i)).doubleValue();
      }
      return d;
    }
    throw new IllegalArgumentException("'" + key + "' must be a list of numbers, got " + v);
  }
}
