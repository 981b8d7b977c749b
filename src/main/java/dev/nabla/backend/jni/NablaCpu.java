package dev.nabla.backend.jni;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/include/nabla/kernels.h (libnabla_cpu, built by CMake). Only
 * annotated declarations live in this package; callers go through dev.nabla.backend.CpuBackend,
 * which probes the load once (a failed load poisons this class for the JVM's life).
 */
@Platform(include = "nabla/kernels.h", link = "nabla_cpu")
public final class NablaCpu {
  static {
    Loader.load();
  }

  private NablaCpu() {}

  public static native void nabla_bias_act_forward(FloatPointer x, FloatPointer bias,
      FloatPointer z, FloatPointer y, long rows, long cols, int act, float alpha);

  public static native void nabla_act_backward(FloatPointer z, FloatPointer y, FloatPointer dy,
      FloatPointer dz, long rows, long cols, int act, float alpha);

  public static native void nabla_bias_grad(FloatPointer dz, FloatPointer db, long rows, long cols);

  public static native double nabla_softmax_xent(FloatPointer pred, FloatPointer labels,
      FloatPointer rowLoss, FloatPointer grad, long rows, long cols, int sparse, int fromLogits,
      float labelSmoothing, float gradScale, @Cast("int64_t*") LongPointer correct);

  public static native void nabla_dropout(FloatPointer x, FloatPointer y, long n,
      @Cast("uint64_t") long seed, @Cast("uint64_t") long step, @Cast("uint32_t") int stream,
      @Cast("uint32_t") int threshold, float scale);

  public static native void nabla_philox4x32_10(@Cast("const uint32_t*") IntPointer counter,
      @Cast("const uint32_t*") IntPointer key, @Cast("uint32_t*") IntPointer out);

  public static native void nabla_sgd_update(FloatPointer w, FloatPointer g, FloatPointer velocity,
      long n, float lr, float momentum, int nesterov);

  public static native void nabla_adam_update(FloatPointer w, FloatPointer g, FloatPointer m,
      FloatPointer v, FloatPointer vhat, long n, float alpha, float beta1, float beta2,
      float epsilon, int amsgrad);
}
