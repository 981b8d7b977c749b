package dev.nabla.optimizers.schedules;

import dev.nabla.Config;
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
        s = named("CosineDecayRestarts", step -> {
          double fraction = step / first;
          double restart;
          if (tMul == 1.0) {
            restart = Math.floor(fraction);
            fraction -= restart;
          } else {
            restart = Math.floor(Math.log(1 - fraction * (1 - tMul)) / Math.log(tMul));
            double sum = (1 - Math.pow(tMul, restart)) / (1 - tMul);
            fraction = (fraction - sum) / Math.pow(tMul, restart);
          }
          double cosineDecayed = 0.5 * Math.pow(mMul, restart) * (1 + Math.cos(Math.PI * fraction));
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
