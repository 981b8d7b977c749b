package dev.nabla;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A float32 array with a shape, in off-heap memory (a JavaCPP {@link FloatPointer}), row-major.
 *
 * <p>Lifetimes are explicit: a tensor that owns its memory frees it in {@link #close()}; a view
 * ({@link #view}) shares its parent's memory and must not outlive it. Nothing here relies on the
 * garbage collector to release memory.
 */
public class Tensor implements AutoCloseable {
  private final FloatPointer data;
  private final int[] shape;
  private final long size;
  private final boolean owner;
  private final Tensor root; // the tensor owning the memory (this one, for owners)
  private boolean closed;
  private FloatBuffer buffer; // a lazily made NIO view of the same memory, for Java-side loops

  protected Tensor(FloatPointer data, int[] shape, boolean owner) {
    this(data, shape, owner, null);
  }

  /** A subclass's view of {@code view}'s memory (same lifetime as its owner). */
  protected Tensor(Tensor view, int[] shape) {
    this(view.pointer(), shape, false, view.root);
  }

  private Tensor(FloatPointer data, int[] shape, boolean owner, Tensor root) {
    this.root = root == null ? this : root;
    this.data = data;
    this.shape = shape.clone();
    this.size = sizeOf(shape);
    this.owner = owner;
    if (data.limit() - data.position() < size) {
      throw new IllegalArgumentException(
          "tensor of shape " + Arrays.toString(shape) + " needs " + size + " floats, memory has "
              + (data.limit() - data.position()));
    }
  }

  /** A new tensor holding a copy of {@code values}, whose length must equal the product of shape. */
  public static Tensor of(float[] values, int... shape) {
    checkLength(values, shape);
    Tensor t = zeros(shape);
    t.copyFrom(values);
    return t;
  }

  /** A new zero-filled tensor. */
  public static Tensor zeros(int... shape) {
    return new Tensor(allocate(sizeOf(shape)), shape, true);
  }

  /** A tensor sharing {@code count(shape)} floats of this one's memory, starting at {@code offset}. */
  public Tensor view(long offset, int... shape) {
    return new Tensor(slice(offset, sizeOf(shape)), shape, false, root);
  }

  /** The memory owner of this tensor (itself unless it is a view). */
  protected Tensor root() {
    return root;
  }

  /** The same memory seen with another shape of the same size (Keras's reshape). */
  public Tensor reshape(int... newShape) {
    if (sizeOf(newShape) != size) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(shape) + " (" + size + " values) to "
              + Arrays.toString(newShape));
    }
    return view(0, newShape);
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  public long size() {
    return size;
  }

  /** A copy of the values, row-major. */
  public float[] toFloatArray() {
    float[] out = new float[Math.toIntExact(size)];
    buffer().get(0, out);
    return out;
  }

  public void copyFrom(float[] values) {
    checkLength(values, shape);
    buffer().put(0, values);
  }

  public void copyFrom(Tensor other) {
    if (other.size != size) {
      throw new IllegalArgumentException("copy of " + other.size + " values into " + size);
    }
    buffer().put(0, other.buffer(), 0, Math.toIntExact(size));
  }

  public float get(long i) {
    return buffer().get(Math.toIntExact(i));
  }

  /** The memory as a JavaCPP pointer, for native calls (position = first element). */
  public FloatPointer pointer() {
    checkOpen();
    return data;
  }

  /** Whether this tensor's memory (or its parent's, for a view) has been freed. */
  public boolean isClosed() {
    return root.closed;
  }

  private void checkOpen() {
    if (root.closed) {
      throw new IllegalStateException("tensor " + Arrays.toString(shape) + " is closed: its "
          + "memory was freed (by close() on it, its parent tensor, or the model owning it)");
    }
  }

  /** The memory as a native-order NIO buffer (index 0 = first element), for Java loops. */
  public FloatBuffer buffer() {
    checkOpen();
    if (buffer == null) {
      buffer = data.asBuffer();
    }
    return buffer;
  }

  /** Frees the memory if this tensor owns it; views do nothing. */
  @Override
  public void close() {
    if (owner && !closed) {
      closed = true;
      buffer = null;
      data.close();
    }
  }

  @Override
  public String toString() {
    float[] v = size <= 20 ? toFloatArray() : Arrays.copyOf(view(0, 20).toFloatArray(), 20);
    return "Tensor" + Arrays.toString(shape) + " " + Arrays.toString(v) + (size > 20 ? "..." : "");
  }

  // -------------------------------------------------------------------------------------------

  private static final java.util.concurrent.atomic.AtomicLong ALLOCATIONS =
      new java.util.concurrent.atomic.AtomicLong();

  /** How many tensor memory blocks this JVM has allocated: tests use it to prove a loop allocates none. */
  public static long allocations() {
    return ALLOCATIONS.get();
  }

  static FloatPointer allocate(long n) {
    ALLOCATIONS.incrementAndGet();
    FloatPointer p = new FloatPointer(Math.max(n, 1));
    p.zero();
    p.limit(n);
    return p;
  }

  private FloatPointer slice(long offset, long n) {
    if (offset < 0 || offset + n > size) {
      throw new IndexOutOfBoundsException(
          "view [" + offset + ", " + (offset + n) + ") of a tensor of " + size + " values");
    }
    checkOpen();
    FloatPointer p = new FloatPointer(data);
    long start = data.position() + offset;
    p.capacity(start + n);
    p.limit(start + n);
    p.position(start);
    return p;
  }

  public static long sizeOf(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static void checkLength(float[] values, int[] shape) {
    if (values.length != sizeOf(shape)) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Arrays.toString(shape) + " ("
              + sizeOf(shape) + " values)");
    }
  }
}
