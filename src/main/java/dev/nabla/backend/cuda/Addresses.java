package dev.nabla.backend.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * JavaCPP pointers at raw addresses (device memory for runtime calls; host memory for the tests'
 * host device). They never own or free what they point at. (The parameter is not named
 * "address": inside the anonymous subclass that name is Pointer's own field.)
 *
 * <p>Thread-safe: pure functions.
 */
public final class Addresses {
  private Addresses() {}

  public static Pointer bytes(long addr, long n) {
    return new Pointer((Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = n;
      }
    };
  }

  /**
   * The bytes a typed pointer points at, as a position-0 byte pointer. Needed wherever a view
   * (a FloatPointer with a position) goes to a {@code void*} parameter (cudaMemcpy,
   * Pointer.memcpy): JavaCPP adds a {@code void*} argument's position as bytes, not elements.
   */
  public static Pointer bytesOf(Pointer p, long n) {
    return bytes(p.address() + p.position() * p.sizeof(), n);
  }

  public static FloatPointer floats(long addr, long n) {
    return new FloatPointer((Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = n;
      }
    };
  }

  public static IntPointer ints(long addr, long n) {
    return new IntPointer((Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = n;
      }
    };
  }

  public static LongPointer longs(long addr, long n) {
    return new LongPointer((Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = n;
      }
    };
  }

  public static DoublePointer doubles(long addr, long n) {
    return new DoublePointer((Pointer) null) {
      {
        this.address = addr;
        this.capacity = this.limit = n;
      }
    };
  }
}
