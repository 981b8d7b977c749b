package dev.nabla.backend;

import static org.bytedeco.openblas.global.openblas_full.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_full.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_full.CblasTrans;

import dev.nabla.Tensor;
import org.bytedeco.openblas.global.openblas_full;

/**
 * The CPU backend where Nabla's own kernels (libnabla_cpu) are not built or do not load, e.g.
 * macOS, Windows or Linux on ARM, whose OpenBLAS preset ships but whose Nabla kernels are not
 * compiled: OpenBLAS's sgemm for the matmuls (most of a dense network's work) and the Java
 * reference kernels for everything else. Results match the reference up to the matmul's
 * summation order. Chosen by {@link Backends} for "cpu" and "auto", which say why. Not
 * thread-safe for concurrent calls on the same tensors (as every backend).
 */
final class BlasOnlyCpuBackend extends JavaBackend {
  private final String why;

  /** {@code why}: the reason Nabla's kernels did not load, for {@link #describe}. */
  BlasOnlyCpuBackend(String why) {
    this.why = why;
    openblas_full.openblas_set_num_threads(1);
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public String describe() {
    return "cpu: OpenBLAS " + openblas_full.openblas_get_corename().getString()
        + " core sgemm + Java kernels (Nabla's native kernels not loaded: " + why + ")";
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a,
      Tensor b, float beta, Tensor c) {
    openblas_full.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a.pointer(), transA ? m : k,
        b.pointer(), transB ? k : n, beta, c.pointer(), n);
  }
}
