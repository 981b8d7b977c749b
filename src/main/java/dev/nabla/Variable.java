package dev.nabla;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A trainable tensor: a layer's weights or anything an optimizer updates. A model's variables are
 * views into one flat buffer, so one fused optimizer call updates all of them.
 *
 * <p>Like {@link Tensor}: any number of threads may read one variable at once; a write (copyFrom,
 * an optimizer step) must not overlap reads or other writes. A model orders the writes to its own
 * weights (see Sequential).
 */
public class Variable extends Tensor {
  private final String name;
  private Tensor owner; // the device tensor a device variable views, freed with it

  private Variable(FloatPointer data, int[] shape, boolean owner, String name) {
    super(data, shape, owner);
    this.name = name;
  }

  /** A new variable holding a copy of {@code values}. */
  public static Variable of(float[] values, int... shape) {
    Variable v = new Variable(Tensor.allocate(sizeOf(shape)), shape, true, "variable");
    v.copyFrom(values);
    return v;
  }

  /** A new named variable (names select variables for weight-decay exclusion and in saves). */
  public static Variable named(String name, float[] values, int... shape) {
    Variable v = new Variable(Tensor.allocate(sizeOf(shape)), shape, true, name);
    v.copyFrom(values);
    return v;
  }

  /** A new named variable on {@code device} holding a copy of {@code values}. */
  public static Variable named(Device device, String name, float[] values, int... shape) {
    if (device.isHost()) {
      return named(name, values, shape);
    }
    Tensor owner = Tensor.of(device, values, shape);
    return new Variable(owner, shape, name, owner);
  }

  private Variable(Tensor view, int[] shape, String name, Tensor owner) {
    super(view, shape);
    this.name = name;
    this.owner = owner;
  }

  /** A variable backed by {@code shape}'s worth of {@code base}'s memory from {@code offset}. */
  public static Variable viewOf(Tensor base, long offset, String name, int... shape) {
    Tensor v = base.view(offset, shape);
    return new Variable(v, shape, name);
  }

  private Variable(Tensor view, int[] shape, String name) {
    super(view, shape);
    this.name = name;
  }

  public String name() {
    return name;
  }

  @Override
  public void close() {
    super.close();
    if (owner != null) {
      owner.close();
      owner = null;
    }
  }
}
