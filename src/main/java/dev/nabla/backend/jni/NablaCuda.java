package dev.nabla.backend.jni;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the device functions of native/include/nabla/cuda_kernels.h (libnabla_cuda:
 * the CUDA build, or a stub when built without nvcc). Used only through Backends' probe.
 */
@Platform(include = "nabla/cuda_kernels.h", link = "nabla_cuda")
public final class NablaCuda {
  static {
    Loader.load();
  }

  private NablaCuda() {}

  public static native int nabla_cuda_device_count(IntPointer count);

  public static native @Cast("const char*") BytePointer nabla_cuda_error_string(int error);

  public static native int nabla_cuda_versions(IntPointer runtime, IntPointer driver);

  public static native int nabla_cuda_device_info(int device, @Cast("char*") BytePointer buf,
      int len, IntPointer major, IntPointer minor);
}
