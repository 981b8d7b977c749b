package dev.nabla.backend.jni;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/include/nabla/cuda_kernels.h (libnabla_cuda: the CUDA build, or a
 * stub when built without nvcc). Device pointers and streams travel as raw addresses
 * ({@code long}): device memory is owned by {@code dev.nabla.backend.cuda.DeviceArena}, never by
 * a JavaCPP Pointer the garbage collector could free. Every launch returns the cudaError_t.
 *
 * <p>Thread-safe as the CUDA runtime is; {@link dev.nabla.backend.cuda.CudaBackend} serialises the
 * launches on its stream.
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

  // ---- kernels: arguments as in cuda_kernels.h; pointers are device addresses ----

  public static native int nabla_cuda_gemm(int transA, int transB, long m, long n, long k,
      float alpha, @Cast("const float*") long a, @Cast("const float*") long b, float beta,
      @Cast("float*") long c, @Cast("const float*") long bias, @Cast("float*") long z, int act,
      float actAlpha, @Cast("float*") long db, float dropScale, @Cast("uint64_t") long dropSeed,
      @Cast("uint64_t") long dropStep, @Cast("const uint64_t*") long dropStepDev,
      @Cast("uint32_t") int dropStream, @Cast("uint32_t") int dropThreshold,
      @Cast("const float*") long bwdZ, int bwdAct, float bwdAlpha,
      @Cast("float*") long workspace, long workspaceFloats, int precision,
      @Cast("void*") long stream);

  public static native int nabla_cuda_bias_act_forward(@Cast("const float*") long x,
      @Cast("const float*") long bias, @Cast("float*") long z, @Cast("float*") long y, long rows,
      long cols, int act, float alpha, @Cast("void*") long stream);

  public static native int nabla_cuda_act_backward(@Cast("const float*") long z,
      @Cast("const float*") long y, @Cast("const float*") long dy, @Cast("float*") long dz,
      long rows, long cols, int act, float alpha, @Cast("void*") long stream);

  public static native int nabla_cuda_bias_grad(@Cast("const float*") long dz,
      @Cast("float*") long db, long rows, long cols, @Cast("void*") long stream);

  public static native int nabla_cuda_softmax_xent(@Cast("const float*") long pred,
      @Cast("const float*") long labels, @Cast("float*") long rowLoss, @Cast("float*") long grad,
      long rows, long cols, int sparse, int fromLogits, float labelSmoothing, float gradScale,
      @Cast("double*") long lossSum, @Cast("unsigned long long*") long correctSum,
      @Cast("void*") long stream);

  public static native int nabla_cuda_dropout(@Cast("const float*") long x, @Cast("float*") long y,
      long n, @Cast("uint64_t") long seed, @Cast("uint64_t") long step,
      @Cast("const uint64_t*") long stepDev, @Cast("uint32_t") int streamId,
      @Cast("uint32_t") int threshold, float scale, @Cast("void*") long stream);

  public static native int nabla_cuda_shuffle_order(long n, @Cast("uint64_t") long seed,
      @Cast("uint64_t") long epoch, @Cast("uint64_t*") long keys, @Cast("uint64_t*") long sorted,
      @Cast("int32_t*") long order, @Cast("void*") long temp, SizeTPointer tempBytes,
      @Cast("void*") long stream);

  public static native int nabla_cuda_gather_rows(@Cast("const float*") long src, long width,
      @Cast("const int32_t*") long order, @Cast("const int32_t*") long batchDev, long base,
      long stride, long rows, @Cast("float*") long dst, @Cast("void*") long stream);

  public static native int nabla_cuda_advance(@Cast("int32_t*") long batch,
      @Cast("uint64_t*") long step, @Cast("void*") long stream);

  public static native int nabla_cuda_optimizer_step_table(int rule,
      @Cast("const float*") long hpTable, @Cast("const int32_t*") long hpRow,
      @Cast("float*") long w, @Cast("const float*") long g, @Cast("float*") long s0,
      @Cast("float*") long s1, @Cast("float*") long s2, long nseg,
      @Cast("const int64_t*") LongPointer segEnd, FloatPointer gscale,
      @Cast("const float*") long gscaleDev, FloatPointer wd, float decayLr, float clipvalue,
      @Cast("double*") long lambScratch, @Cast("void*") long stream);

  public static native int nabla_cuda_segment_sum_squares(@Cast("const float*") long x, long nseg,
      @Cast("const int64_t*") LongPointer segEnd, @Cast("double*") long out,
      @Cast("void*") long stream);

  public static native int nabla_cuda_clip_scales(@Cast("const double*") long sums, long nseg,
      float pre, float clipnorm, float globalClipnorm, @Cast("float*") long gscale,
      @Cast("void*") long stream);

  // ---- the graph's light ops (elementwise.cu) ----

  public static native int nabla_cuda_axpy(@Cast("float*") long y, @Cast("const float*") long x,
      float a, long n, @Cast("void*") long stream);

  public static native int nabla_cuda_ema_update(@Cast("float*") long avg,
      @Cast("const float*") long w, float momentum, long n, @Cast("void*") long stream);

  public static native int nabla_cuda_fill(@Cast("float*") long y, float value, long n,
      @Cast("void*") long stream);

  public static native int nabla_cuda_unary(int kind, @Cast("const float*") long x,
      @Cast("float*") long y, long n, float c, @Cast("void*") long stream);

  public static native int nabla_cuda_unary_backward(int kind, @Cast("const float*") long x,
      @Cast("const float*") long g, @Cast("float*") long out, long n, float c,
      @Cast("void*") long stream);

  public static native int nabla_cuda_binary(int kind, @Cast("const float*") long a, long na,
      @Cast("const float*") long b, long nb, @Cast("float*") long y, long n,
      @Cast("void*") long stream);

  public static native int nabla_cuda_binary_grad(@Cast("const float*") long g,
      @Cast("const float*") long other, long otherSize, @Cast("float*") long out, long m, long n,
      float sign, @Cast("void*") long stream);

  public static native int nabla_cuda_reduce_rows(@Cast("const float*") long x,
      @Cast("const float*") long w, @Cast("float*") long y, long rows, long group,
      double divisor, @Cast("void*") long stream);

  public static native int nabla_cuda_scale_rows(@Cast("const float*") long g,
      @Cast("const float*") long m, @Cast("float*") long out, long rows, long group,
      float divisor, @Cast("void*") long stream);

  public static native int nabla_cuda_pointwise_loss(int kind, double labelSmoothing,
      @Cast("const float*") long y, @Cast("const float*") long p, @Cast("float*") long loss,
      long rows, long group, @Cast("void*") long stream);

  public static native int nabla_cuda_pointwise_loss_backward(int kind, double labelSmoothing,
      @Cast("const float*") long y, @Cast("const float*") long p, @Cast("const float*") long g,
      @Cast("float*") long out, long rows, long group, @Cast("void*") long stream);
}
