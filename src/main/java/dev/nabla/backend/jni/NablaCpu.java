package dev.nabla.backend.jni;

import org.bytedeco.javacpp.DoublePointer;
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
 *
 * <p>Thread-safe: stateless native functions, on buffers that no two callers write at once.
 */
@Platform(include = "nabla/kernels.h", link = "nabla_cpu")
public final class NablaCpu {
  static {
    Loader.load();
  }

  private NablaCpu() {}

  /** nabla_gemm_mode and nabla_isa of kernels.h. */
  public static final int NABLA_GEMM_AUTO = 0, NABLA_GEMM_DENSE = 1, NABLA_GEMM_SPARSE = 2;
  public static final int NABLA_ISA_BEST = 0, NABLA_ISA_GENERIC = 1, NABLA_ISA_AVX2 = 2,
      NABLA_ISA_AVX512 = 3;

  public static native long nabla_sgemm(int transA, int transB, long m, long n, long k,
      float alpha, FloatPointer a, long lda, FloatPointer b, long ldb, float beta, FloatPointer c,
      long ldc, int mode, int isa);

  public static native int nabla_cpu_isa();

  public static native void nabla_gather_rows(FloatPointer src, long width,
      @Cast("const int32_t*") IntPointer idx, long rows, FloatPointer dst);

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

  public static native void nabla_dropout_range(FloatPointer x, FloatPointer y, long begin,
      long end, @Cast("uint64_t") long seed, @Cast("uint64_t") long step,
      @Cast("uint32_t") int stream, @Cast("uint32_t") int threshold, float scale);

  public static native void nabla_philox4x32_10(@Cast("const uint32_t*") IntPointer counter,
      @Cast("const uint32_t*") IntPointer key, @Cast("uint32_t*") IntPointer out);

  public static native void nabla_shuffle_keys(@Cast("uint64_t") long seed,
      @Cast("uint64_t") long epoch, long n, @Cast("uint64_t*") LongPointer keys);

  public static native void nabla_optimizer_step(int rule, FloatPointer hp, FloatPointer w,
      FloatPointer g, FloatPointer s0, FloatPointer s1, FloatPointer s2, long nseg,
      @Cast("const int64_t*") LongPointer segEnd, FloatPointer gscale, FloatPointer wd,
      float decayLr, float clipValue);

  public static native void nabla_segment_sum_squares(FloatPointer x, long nseg,
      @Cast("const int64_t*") LongPointer segEnd, DoublePointer out);

  public static native void nabla_axpy(FloatPointer y, FloatPointer x, float a, long n);

  public static native void nabla_ema_update(FloatPointer avg, FloatPointer w, float momentum,
      long n);
}
