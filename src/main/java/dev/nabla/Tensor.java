package dev.nabla;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A float32 array with a shape, row-major, in off-heap host memory (a JavaCPP
 * {@link FloatPointer}) or in a device's memory ({@link #device()}). Copies between devices are
 * explicit: {@link #to}, {@link #copyFrom}, {@link #toFloatArray}. Only host tensors expose their
 * values as a {@link #buffer()}.
 *
 * <p>Lifetimes are explicit: a tensor that owns its memory frees it in {@link #close()}; a view
 * ({@link #view}) shares its parent's memory and must not outlive it. Nothing here relies on the
 * garbage collector to release memory, on the host or on a device.
 *
 * <p>Not thread-safe for writes: a tensor being written (copyFrom, an op's output, close) must
 * not be used by another thread at the same time. Any number of threads may read one tensor at
 * once (a model's weights are read by every concurrent prediction).
 */
public class Tensor implements AutoCloseable {
  private final FloatPointer data; // for a device tensor: the device address, never dereferenced
  private final Device device;
  private Device pinnedFor; // host memory page-locked by this device (freed through it)
  private final int[] shape;
  private final long size;
  private final boolean owner;
  private final Tensor root; // the tensor owning the memory (this one, for owners)
  private boolean closed;
  private volatile FloatBuffer buffer; // a lazily made NIO view of the memory, for Java loops

  protected Tensor(FloatPointer data, int[] shape, boolean owner) {
    this(data, shape, owner, null);
  }

  /** A subclass's view of {@code view}'s memory (same lifetime as its owner). */
  protected Tensor(Tensor view, int[] shape) {
    this(view.pointer(), shape, false, view.root);
  }

  private Tensor(FloatPointer data, int[] shape, boolean owner, Tensor root) {
    this.root = root == null ? this : root;
    this.device = root == null ? Device.HOST : root.device;
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

  /** A new tensor in {@code device}'s memory: the owner of {@code address}, freed by close. */
  private Tensor(Device device, long address, int[] shape) {
    this.root = this;
    this.device = device;
    this.data = floatsAt(address, sizeOf(shape)); // never dereferenced on the host, never freed
    this.shape = shape.clone();
    this.size = sizeOf(shape);
    this.owner = true;
  }

  /**
   * A new host tensor holding a copy of {@code values} in row-major order, e.g.
   * {@code Tensor.of(labels, n)} or {@code Tensor.of(pixels, n, 28, 28)}.
   *
   * @throws IllegalArgumentException when values.length is not the product of shape, or a
   *     dimension is negative (the message gives both)
   */
  public static Tensor of(float[] values, int... shape) {
    checkLength(values, shape);
    Tensor t = zeros(shape);
    t.copyFrom(values);
    return t;
  }

  /** A new zero-filled tensor in host memory. */
  public static Tensor zeros(int... shape) {
    return new Tensor(allocate(sizeOf(shape)), shape, true);
  }

  /** A new zero-filled tensor in {@code device}'s memory. */
  public static Tensor zeros(Device device, int... shape) {
    if (device.isHost()) {
      return zeros(shape);
    }
    long bytes = Math.max(1, sizeOf(shape)) * Float.BYTES;
    ALLOCATIONS.incrementAndGet();
    long address = device.malloc(bytes);
    device.zero(address, bytes);
    return new Tensor(device, address, shape);
  }

  /**
   * A new zero-filled host tensor in memory page-locked for {@code device}'s transfers (plain
   * host memory when the device is the host): what a batch staged for upload every step lives
   * in.
   */
  public static Tensor pinned(Device device, int... shape) {
    if (device.isHost()) {
      return zeros(shape);
    }
    long n = Math.max(1, sizeOf(shape));
    ALLOCATIONS.incrementAndGet();
    long address = device.mallocHost(n * Float.BYTES);
    org.bytedeco.javacpp.Pointer.memset(bytesAt(address, n * Float.BYTES), 0, n * Float.BYTES);
    FloatPointer p = floatsAt(address, n);
    p.limit(sizeOf(shape));
    Tensor t = new Tensor(p, shape, true);
    t.pinnedFor = device;
    return t;
  }

  /** A new tensor on {@code device} holding a copy of {@code values}. */
  public static Tensor of(Device device, float[] values, int... shape) {
    checkLength(values, shape);
    Tensor t = zeros(device, shape);
    t.copyFrom(values);
    return t;
  }

  /** Where this tensor's memory lives. */
  public Device device() {
    return device;
  }

  /** A copy of this tensor in {@code target}'s memory (a new tensor, even on the same device). */
  public Tensor to(Device target) {
    Tensor t = zeros(target, shape);
    t.copyFrom(this);
    return t;
  }

  /**
   * The address of the first element, for kernels: a device address for a device tensor, a host
   * address otherwise.
   */
  public long address() {
    FloatPointer p = pointer();
    return p.address() + p.position() * Float.BYTES;
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

  /** The dimensions, outermost first (a copy), e.g. {60000, 28, 28}. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** The size of dimension {@code axis} (0 = outermost). */
  public int dim(int axis) {
    return shape[axis < 0 ? shape.length + axis : axis];
  }

  /** The number of float32 values (the product of the shape). */
  public long size() {
    return size;
  }

  /** A copy of the values, row-major, on the host (downloaded from a device tensor). */
  public float[] toFloatArray() {
    float[] out = new float[Math.toIntExact(size)];
    if (device.isHost()) {
      buffer().get(0, out);
    } else {
      try (FloatPointer host = new FloatPointer(Math.max(1, size))) {
        device.download(host, address(), size * Float.BYTES);
        host.get(out);
      }
    }
    return out;
  }

  /** Overwrites the values with {@code values} (uploaded to a device tensor). */
  public void copyFrom(float[] values) {
    checkLength(values, shape);
    if (device.isHost()) {
      buffer().put(0, values);
    } else {
      try (FloatPointer host = new FloatPointer(values)) {
        device.upload(address(), host, size * Float.BYTES);
      }
    }
  }

  /** Overwrites the values with {@code other}'s, whichever devices the two live on. */
  public void copyFrom(Tensor other) {
    if (other.size != size) {
      throw new IllegalArgumentException("copy of " + other.size + " values into " + size);
    }
    long bytes = size * Float.BYTES;
    if (size == 0) {
      return;
    }
    if (device.isHost() && other.device.isHost()) {
      buffer().put(0, other.buffer(), 0, Math.toIntExact(size));
    } else if (device == other.device) {
      device.copy(address(), other.address(), bytes);
    } else if (device.isHost()) {
      other.device.download(pointer(), other.address(), bytes);
    } else if (other.device.isHost()) {
      device.upload(address(), other.pointer(), bytes);
    } else {
      copyFrom(other.toFloatArray()); // two accelerators: through the host
    }
  }

  /** Element i (downloaded from a device tensor: slow, for tests and scalars). */
  public float get(long i) {
    if (!device.isHost()) {
      return view(i, 1).toFloatArray()[0];
    }
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

  /**
   * The memory as a native-order NIO buffer (index 0 = first element), for Java loops. Host
   * tensors only: a device tensor's values are read with {@link #toFloatArray} or {@link #to}.
   */
  public FloatBuffer buffer() {
    checkOpen();
    if (!device.isHost()) {
      throw new IllegalStateException("tensor " + Arrays.toString(shape) + " lives on "
          + device.name() + ", not in host memory: copy it first (tensor.to(Device.HOST) or "
          + "toFloatArray())");
    }
    FloatBuffer b = buffer; // readers may race to make it: each gets a whole view
    if (b == null) {
      b = data.asBuffer();
      buffer = b;
    }
    return b;
  }

  /** Frees the memory if this tensor owns it; views do nothing. */
  @Override
  public void close() {
    if (owner && !closed) {
      closed = true;
      buffer = null;
      if (pinnedFor != null) {
        pinnedFor.freeHost(data.address());
      } else if (device.isHost()) {
        data.close();
      } else {
        device.free(data.address());
      }
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

  /**
   * A plain FloatPointer (JavaCPP sizes its elements by its exact class) over n floats at an
   * address it does not own.
   */
  private static FloatPointer floatsAt(long address, long n) {
    FloatPointer p = new FloatPointer(bytesAt(address, n * Float.BYTES));
    p.capacity(n);
    p.limit(n);
    return p;
  }

  private static org.bytedeco.javacpp.Pointer bytesAt(long addr, long bytes) {
    return new org.bytedeco.javacpp.Pointer((org.bytedeco.javacpp.Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = bytes;
      }
    };
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

  /**
   * The product of {@code shape} (1 for no dimensions).
   *
   * @throws IllegalArgumentException for a negative dimension
   * @throws ArithmeticException when the product overflows a long
   */
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
