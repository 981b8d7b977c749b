package dev.nabla.optimizers;

import dev.nabla.Config;
import dev.nabla.Tensor;
import dev.nabla.Variable;
import dev.nabla.backend.Backend;
import dev.nabla.backend.JavaBackend;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's base optimizer: owns the learning rate, the iteration count and each variable's slots;
 * subclasses give one fused update rule. A model hands it one flat variable holding every
 * parameter, so a step is one native call; separate variables get one call each.
 */
public abstract class Optimizer implements AutoCloseable {
  private final String name;
  protected final float learningRate;
  private long iterations;
  private Backend backend = new JavaBackend();
  private final IdentityHashMap<Tensor, Tensor[]> slots = new IdentityHashMap<>();

  protected Optimizer(String name, Config config, double defaultLearningRate) {
    this.name = name;
    this.learningRate = (float) config.number("learning_rate", defaultLearningRate, 0,
        Double.MAX_VALUE);
    config.ignore("name");
  }

  /** Keras's snake_case name, e.g. "adam". */
  public String name() {
    return name;
  }

  public float learningRate() {
    return learningRate;
  }

  /** Steps applied so far (Keras's optimizer.iterations). */
  public long iterations() {
    return iterations;
  }

  /** The backend whose fused kernels run the updates; the model sets its own. */
  public void setBackend(Backend backend) {
    this.backend = backend;
  }

  /** How many slot buffers (each the variable's size) a variable needs. */
  protected abstract int slotCount();

  /** One fused update of {@code w} from {@code g}; step counts from 1. */
  protected abstract void update(Backend b, Tensor w, Tensor g, Tensor[] slots, long step,
      float lr);

  /** Applies one step: variables[i] -= rule(grads[i]); then iterations += 1. */
  public void applyGradients(List<? extends Tensor> grads, List<? extends Variable> variables) {
    if (grads.size() != variables.size()) {
      throw new IllegalArgumentException("applyGradients: " + grads.size() + " gradients for "
          + variables.size() + " variables");
    }
    for (int i = 0; i < grads.size(); i++) {
      Tensor g = grads.get(i);
      Variable v = variables.get(i);
      if (g.size() != v.size()) {
        throw new IllegalArgumentException("applyGradients: gradient " + i + " has "
            + g.size() + " values, variable " + v.name() + " has " + v.size());
      }
      Tensor[] s = slots.get(v);
      if (s == null) {
        s = new Tensor[slotCount()];
        for (int k = 0; k < s.length; k++) {
          s[k] = Tensor.zeros(Math.toIntExact(v.size()));
        }
        slots.put(v, s);
      }
      update(backend, v, g, s, iterations + 1, learningRate);
    }
    iterations++;
  }

  /** Frees the slot buffers. */
  @Override
  public void close() {
    for (Tensor[] s : slots.values()) {
      for (Tensor t : s) {
        t.close();
      }
    }
    slots.clear();
  }

  /** The optimizer's configuration, Keras's get_config, for logs. */
  public abstract Map<String, Object> config();

  @Override
  public String toString() {
    return name + config();
  }
}
