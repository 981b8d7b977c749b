// SGEMM for the autodiff's three products, row-major, with the Dense layer's fusions:
//   forward   Y = act(X W + b)      (B, in) x (in, out): bias + activation in the epilogue, z kept
//   backward  dW = X^T dZ, db = colsum(dZ)   the bias gradient reduced from the B tiles already
//                                            in shared memory (blocks of the first row tile)
//   backward  dX = dZ W^T
// The epilogue also folds in what follows a Dense layer in the seed network: forward, dropout
// on the activated value (Y = mask * act(X W + b) / (1 - rate), z kept); backward, dropout and
// the activation's derivative of the layer below (dZ_below = mask * (dZ W^T) / (1 - rate) *
// act'(z_below)). Each saves a kernel and a round trip of the activations.
// Two paths, chosen by the caller: fp32 (SIMT, register-blocked, the default) and TF32 tensor
// cores (mma.sync m16n8k8; inputs rounded to 10-bit mantissas, fp32 accumulation).
//
// fp32 tile: BM x BN per block of 256 threads, each thread TM x TN outputs in registers; per
// k-step of BK the block stages op(A) (BM x BK, stored k-major) and op(B) (BK x BN) in shared
// memory, and the next step's tiles are fetched into registers while this one computes. Per
// block-k-step: 2*BM*BN*BK flops for (BM+BN)*BK*4 bytes of shared-memory fill: 128x128x8 reuses
// each staged value 128 times. Small problems (a 128 x 128 output, MNIST's) would give one such
// block for 132 SMs, so they take a 32 x 32 tile instead (16 blocks there).
#include "nabla/cuda_kernels.h"
#include "nabla/philox.h"
#include "act.cuh"
#include <cuda_runtime.h>

namespace {
using nabla_cuda::act_forward;

// Element (r, c) of op(M), where M is stored row-major with `ld` columns.
template <bool T>
__device__ __forceinline__ float op_at(const float *M, int64_t ld, int64_t r, int64_t c) {
  return T ? M[c * ld + r] : M[r * ld + c];
}

struct Epilogue {
  float alpha, beta;
  const float *bias;  // (n) or null
  float *z;           // (m, n) pre-activation, or null
  int act;
  float act_alpha;
  float *db;          // (n) column sums of op(B), or null
  float drop_scale;   // dropout after the activation when != 0 (nabla_dropout's mask)
  uint64_t drop_seed, drop_step;
  const uint64_t *drop_step_dev;  // the step from device memory when not null
  uint32_t drop_stream, drop_threshold;
  const float *bwd_z;  // (m, n): multiply by act'(bwd_z) (bwd_act) when not null
  int bwd_act;
  float bwd_alpha;
  float *partial;   // split-K: raw sums of k-slice blockIdx.z go to partial + z * m * n
  int64_t kchunk;   // the k-slice length (k when not split)
};


// Element i's dropout bit: word i % 4 of Philox block i / 4, as nabla_dropout draws it.
__device__ __forceinline__ bool keep(const Epilogue &e, int64_t i) {
  const uint64_t step = e.drop_step_dev ? *e.drop_step_dev : e.drop_step;
  const uint32_t key[2] = {(uint32_t)e.drop_seed, (uint32_t)(e.drop_seed >> 32)};
  const uint32_t ctr[4] = {(uint32_t)(i >> 2), (uint32_t)step, (uint32_t)(step >> 32),
                           e.drop_stream};
  uint32_t bits[4];
  nabla_philox_block(ctr, key, bits);
  return (bits[i & 3] >> 8) >= e.drop_threshold;
}

__device__ __forceinline__ void store(float *C, int64_t ldc, int64_t r, int64_t c, float acc,
                                      const Epilogue &e) {
  const int64_t i = r * ldc + c;
  float v = e.alpha * acc;
  if (e.beta != 0.0f) v += e.beta * C[i];
  if (e.bias) v += e.bias[c];
  if (e.z) e.z[i] = v;
  float y = act_forward(v, e.act, e.act_alpha);
  if (e.drop_scale != 0.0f) y = keep(e, i) ? y * e.drop_scale : 0.0f;
  if (e.bwd_z) {
    const float zb = e.bwd_z[i];
    y = y * nabla_cuda::act_derivative(zb, act_forward(zb, e.bwd_act, e.bwd_alpha), e.bwd_act,
                                       e.bwd_alpha);
  }
  C[i] = y;
}

// Where a block's result goes: the epilogue, or its k-slice's partial sums (split-K).
__device__ __forceinline__ void finish(float *C, int64_t m, int64_t n, int64_t r, int64_t c,
                                       float acc, const Epilogue &e) {
  if (e.partial)
    e.partial[(int64_t)blockIdx.z * m * n + r * n + c] = acc;
  else
    store(C, n, r, c, acc, e);
}

// ---- fp32 SIMT kernel -------------------------------------------------------------------------

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
sgemm_kernel(int m, int n, int k, const float *__restrict__ A, const float *__restrict__ B,
             float *C, Epilogue e) {
  constexpr int NT = (BM / TM) * (BN / TN);
  constexpr int A_PER = (BM * BK + NT - 1) / NT, B_PER = (BK * BN + NT - 1) / NT;
  __shared__ float As[BK][BM + 4];
  __shared__ float Bs[BK][BN];
  const int tid = threadIdx.x;
  const int tx = tid % (BN / TN), ty = tid / (BN / TN);
  const int64_t m0 = (int64_t)blockIdx.x * BM, n0 = (int64_t)blockIdx.y * BN;
  const int64_t lda = TA ? m : k, ldb = TB ? k : n;
  const bool reduce_bias = e.db != nullptr && blockIdx.x == 0;
  const int64_t kb = (int64_t)blockIdx.z * e.kchunk;  // this block's k-slice [kb, ke)
  const int64_t ke = kb + e.kchunk < k ? kb + e.kchunk : k;

  float ra[A_PER], rb[B_PER];
  // Which tile element thread tid fetches on its j-th load: the contiguous direction of the
  // stored matrix runs across neighbouring threads (coalesced).
  auto a_coord = [&](int idx, int &i, int &kk) {
    if (TA) { kk = idx / BM; i = idx % BM; } else { i = idx / BK; kk = idx % BK; }
  };
  auto b_coord = [&](int idx, int &kk, int &j) {
    if (TB) { j = idx / BK; kk = idx % BK; } else { kk = idx / BN; j = idx % BN; }
  };
  auto fetch = [&](int64_t k0) {
#pragma unroll
    for (int p = 0; p < A_PER; p++) {
      const int idx = tid + p * NT;
      int i, kk;
      a_coord(idx, i, kk);
      ra[p] = (idx < BM * BK && m0 + i < m && k0 + kk < ke) ? op_at<TA>(A, lda, m0 + i, k0 + kk)
                                                            : 0.0f;
    }
#pragma unroll
    for (int p = 0; p < B_PER; p++) {
      const int idx = tid + p * NT;
      int kk, j;
      b_coord(idx, kk, j);
      rb[p] = (idx < BK * BN && k0 + kk < ke && n0 + j < n) ? op_at<TB>(B, ldb, k0 + kk, n0 + j)
                                                            : 0.0f;
    }
  };
  auto stage = [&]() {
#pragma unroll
    for (int p = 0; p < A_PER; p++) {
      const int idx = tid + p * NT;
      int i, kk;
      a_coord(idx, i, kk);
      if (idx < BM * BK) As[kk][i] = ra[p];
    }
#pragma unroll
    for (int p = 0; p < B_PER; p++) {
      const int idx = tid + p * NT;
      int kk, j;
      b_coord(idx, kk, j);
      if (idx < BK * BN) Bs[kk][j] = rb[p];
    }
  };

  float acc[TM][TN] = {};
  float colsum = 0.0f;  // this thread's column of db, when tid < BN
  fetch(kb);
  for (int64_t k0 = kb; k0 < ke; k0 += BK) {
    stage();
    __syncthreads();
    if (k0 + BK < ke) fetch(k0 + BK);  // global loads in flight while this tile computes
#pragma unroll
    for (int kk = 0; kk < BK; kk++) {
      float a[TM], b[TN];
#pragma unroll
      for (int r = 0; r < TM; r++) a[r] = As[kk][ty * TM + r];
#pragma unroll
      for (int c = 0; c < TN; c++) b[c] = Bs[kk][tx * TN + c];
#pragma unroll
      for (int r = 0; r < TM; r++)
#pragma unroll
        for (int c = 0; c < TN; c++) acc[r][c] = fmaf(a[r], b[c], acc[r][c]);
    }
    if (reduce_bias && tid < BN) {
#pragma unroll
      for (int kk = 0; kk < BK; kk++) colsum += Bs[kk][tid];
    }
    __syncthreads();
  }
  if (reduce_bias && tid < BN && n0 + tid < n) e.db[n0 + tid] = colsum;
#pragma unroll
  for (int r = 0; r < TM; r++) {
    const int64_t row = m0 + ty * TM + r;
    if (row >= m) continue;
#pragma unroll
    for (int c = 0; c < TN; c++) {
      const int64_t col = n0 + tx * TN + c;
      if (col < n) finish(C, m, n, row, col, acc[r][c], e);
    }
  }
}

// ---- TF32 tensor-core kernel ------------------------------------------------------------------
// 128 x 128 block tile, BK = 16, 8 warps as 2 (m) x 4 (n), each warp 64 x 32 = 4 x 4 mma tiles
// of m16n8k8. Fragment layouts (PTX ISA, mma.m16n8k8 .tf32), g = lane / 4, t = lane % 4:
//   a0 (g, t)  a1 (g+8, t)  a2 (g, t+4)  a3 (g+8, t+4)      b0 (t, g)  b1 (t+4, g)
//   c0 (g, 2t) c1 (g, 2t+1) c2 (g+8, 2t) c3 (g+8, 2t+1)
// Shared tiles are k-major with a row pitch of 136 floats: the 32 lanes of a fragment load hit
// 32 different banks (pitch mod 32 = 8, t in 0..3, g in 0..7).

__device__ __forceinline__ uint32_t to_tf32(float x) {
#ifdef NABLA_CUDA_EMULATION  // the tests' CPU emulator (native/emu)
  return nabla_emu::to_tf32(x);
#else
  uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
#endif
}

__device__ __forceinline__ void mma_tf32(float (&d)[4], const uint32_t (&a)[4],
                                         const uint32_t (&b)[2]) {
#ifdef NABLA_CUDA_EMULATION
  nabla_emu::mma_tf32(d, a, b);
#elif defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 "
      "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
#endif
}

template <bool TA, bool TB>
__global__ void __launch_bounds__(256)
tf32_gemm_kernel(int m, int n, int k, const float *__restrict__ A, const float *__restrict__ B,
                 float *C, Epilogue e) {
  constexpr int BM = 128, BN = 128, BK = 16, PITCH = 136, NT = 256;
  __shared__ float As[BK][PITCH];
  __shared__ float Bs[BK][PITCH];
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int g = lane >> 2, t = lane & 3;
  const int wm = (warp / 4) * 64, wn = (warp % 4) * 32;
  const int64_t m0 = (int64_t)blockIdx.x * BM, n0 = (int64_t)blockIdx.y * BN;
  const int64_t lda = TA ? m : k, ldb = TB ? k : n;
  const bool reduce_bias = e.db != nullptr && blockIdx.x == 0;
  float acc[4][4][4] = {};
  float colsum = 0.0f;
  const int64_t kb = (int64_t)blockIdx.z * e.kchunk;
  const int64_t ke = kb + e.kchunk < k ? kb + e.kchunk : k;
  for (int64_t k0 = kb; k0 < ke; k0 += BK) {
    for (int idx = tid; idx < BM * BK; idx += NT) {
      int i, kk;
      if (TA) { kk = idx / BM; i = idx % BM; } else { i = idx / BK; kk = idx % BK; }
      As[kk][i] = (m0 + i < m && k0 + kk < ke) ? op_at<TA>(A, lda, m0 + i, k0 + kk) : 0.0f;
    }
    for (int idx = tid; idx < BK * BN; idx += NT) {
      int kk, j;
      if (TB) { j = idx / BK; kk = idx % BK; } else { kk = idx / BN; j = idx % BN; }
      Bs[kk][j] = (k0 + kk < ke && n0 + j < n) ? op_at<TB>(B, ldb, k0 + kk, n0 + j) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int ks = 0; ks < BK; ks += 8) {
      uint32_t af[4][4], bf[4][2];
#pragma unroll
      for (int mi = 0; mi < 4; mi++) {
        const int r = wm + mi * 16 + g;
        af[mi][0] = to_tf32(As[ks + t][r]);
        af[mi][1] = to_tf32(As[ks + t][r + 8]);
        af[mi][2] = to_tf32(As[ks + t + 4][r]);
        af[mi][3] = to_tf32(As[ks + t + 4][r + 8]);
      }
#pragma unroll
      for (int ni = 0; ni < 4; ni++) {
        const int c = wn + ni * 8 + g;
        bf[ni][0] = to_tf32(Bs[ks + t][c]);
        bf[ni][1] = to_tf32(Bs[ks + t + 4][c]);
      }
#pragma unroll
      for (int mi = 0; mi < 4; mi++)
#pragma unroll
        for (int ni = 0; ni < 4; ni++) mma_tf32(acc[mi][ni], af[mi], bf[ni]);
    }
    if (reduce_bias && tid < BN) {
#pragma unroll
      for (int kk = 0; kk < BK; kk++) colsum += Bs[kk][tid];
    }
    __syncthreads();
  }
  if (reduce_bias && tid < BN && n0 + tid < n) e.db[n0 + tid] = colsum;
#pragma unroll
  for (int mi = 0; mi < 4; mi++)
#pragma unroll
    for (int ni = 0; ni < 4; ni++)
#pragma unroll
      for (int q = 0; q < 4; q++) {
        const int64_t row = m0 + wm + mi * 16 + g + (q >= 2 ? 8 : 0);
        const int64_t col = n0 + wn + ni * 8 + 2 * t + (q & 1);
        if (row < m && col < n) finish(C, m, n, row, col, acc[mi][ni][q], e);
      }
}

template <int BM, int BN, int BK, int TM, int TN>
int launch_simt(bool ta, bool tb, int m, int n, int k, const float *A, const float *B, float *C,
                const Epilogue &e, unsigned slices, cudaStream_t st) {
  // M tiles on grid.x (up to 2^31 - 1 blocks), N tiles on grid.y (at most 65535): any int m
  // fits, where M tiles on grid.y failed beyond 65535 * BM rows (an invalid configuration)
  const dim3 grid((m + BM - 1) / BM, (n + BN - 1) / BN, slices), block((BM / TM) * (BN / TN));
  if (!ta && !tb) sgemm_kernel<BM, BN, BK, TM, TN, false, false><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else if (ta && !tb) sgemm_kernel<BM, BN, BK, TM, TN, true, false><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else if (!ta && tb) sgemm_kernel<BM, BN, BK, TM, TN, false, true><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else sgemm_kernel<BM, BN, BK, TM, TN, true, true><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  return (int)cudaGetLastError();
}

int launch_tf32(bool ta, bool tb, int m, int n, int k, const float *A, const float *B, float *C,
                const Epilogue &e, unsigned slices, cudaStream_t st) {
  const dim3 grid((m + 127) / 128, (n + 127) / 128, slices), block(256);  // M on grid.x, as above
  if (!ta && !tb) tf32_gemm_kernel<false, false><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else if (ta && !tb) tf32_gemm_kernel<true, false><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else if (!ta && tb) tf32_gemm_kernel<false, true><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  else tf32_gemm_kernel<true, true><<<grid, block, 0, st>>>(m, n, k, A, B, C, e);
  return (int)cudaGetLastError();
}

// Split-K's second pass: the k-slices' partial sums added in slice order, then the epilogue.
__global__ void split_k_reduce(const float *partial, int slices, float *C, int64_t m, int64_t n,
                               Epilogue e) {
  const int64_t mn = m * n;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < mn;
       i += (int64_t)gridDim.x * blockDim.x) {
    float acc = 0.0f;
    for (int z = 0; z < slices; z++) acc += partial[z * mn + i];
    store(C, n, i / n, i % n, acc, e);
  }
}

int sm_count() {  // of the current device (a microsecond; a captured graph asks once)
  int dev = 0, count = 1;
  cudaGetDevice(&dev);
  if (cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess)
    count = 1;
  return count;
}

}  // namespace

extern "C" int nabla_cuda_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                               float alpha, const float *a, const float *b, float beta, float *c,
                               const float *bias, float *z, int act, float act_alpha,
                               float *db, float drop_scale, uint64_t drop_seed,
                               uint64_t drop_step, const uint64_t *drop_step_dev,
                               uint32_t drop_stream, uint32_t drop_threshold,
                               const float *bwd_z, int bwd_act, float bwd_alpha,
                               float *workspace, int64_t workspace_floats, int precision,
                               void *stream) {
  if (m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX)
    return (int)cudaErrorInvalidValue;
  if (m == 0 || n == 0) return 0;
  Epilogue e{alpha,         beta,        bias,           z,     act,     act_alpha,
             db,            drop_scale,  drop_seed,      drop_step,      drop_step_dev,
             drop_stream,   drop_threshold, bwd_z,       bwd_act,        bwd_alpha,
             nullptr,       k};
  cudaStream_t st = (cudaStream_t)stream;
  const int mi = (int)m, ni = (int)n, ki = (int)k;
  const int sms = sm_count();
  // the tile: the biggest that still gives every SM a block
  const bool tf32 = precision == NABLA_GEMM_TF32;
  int tile = tf32 ? 128 : 32;
  if (!tf32) {
    if (((m + 127) / 128) * ((n + 127) / 128) >= sms) tile = 128;
    else if (((m + 63) / 64) * ((n + 63) / 64) >= sms) tile = 64;
  }
  const int64_t blocks = ((m + tile - 1) / tile) * ((n + tile - 1) / tile);
  // Split-K when even that leaves most SMs idle and k is long (MNIST's first layer: 128 x 128
  // outputs = 16 blocks of 32 x 32 over k = 784): slices of >= 128 of k on their own blocks,
  // partial sums through the workspace, then one pass adds them and applies the epilogue. Not
  // with db (its column sums would be split too: the dW gemms have short k anyway).
  unsigned slices = 1;
  if (workspace && db == nullptr && k >= 256 && 2 * blocks <= sms) {
    int64_t s = (sms + blocks - 1) / blocks;
    if (s > k / 128) s = k / 128;
    if (s * m * n > workspace_floats) s = workspace_floats / (m * n);
    if (s > 1) {
      const int64_t chunk = ((k + s - 1) / s + 15) / 16 * 16;  // whole k-tiles per slice
      slices = (unsigned)((k + chunk - 1) / chunk);
      e.kchunk = chunk;
    }
  }
  Epilogue part = e;
  if (slices > 1) {
    part.partial = workspace;
  }
  int err;
  if (tf32) err = launch_tf32(trans_a, trans_b, mi, ni, ki, a, b, c, part, slices, st);
  else if (tile == 128)
    err = launch_simt<128, 128, 8, 8, 8>(trans_a, trans_b, mi, ni, ki, a, b, c, part, slices, st);
  else if (tile == 64)
    err = launch_simt<64, 64, 8, 4, 4>(trans_a, trans_b, mi, ni, ki, a, b, c, part, slices, st);
  else
    err = launch_simt<32, 32, 16, 2, 2>(trans_a, trans_b, mi, ni, ki, a, b, c, part, slices, st);
  if (err != 0 || slices == 1) return err;
  split_k_reduce<<<nabla_cuda::grid_for(m * n), nabla_cuda::kThreads, 0, st>>>(
      workspace, (int)slices, c, m, n, e);
  return (int)cudaGetLastError();
}
