// The register-tiled sgemm behind nabla_sgemm, written once over a vector type V (V512: AVX-512,
// V256: AVX2+FMA) and compiled in one translation unit per instruction set (gemm_avx512.cpp,
// gemm_avx2.cpp). Include it inside an anonymous namespace only: every function here must stay
// internal to its unit, or the linker could hand an AVX-512 copy to a CPU without AVX-512.
//
// Shape of the work: C (m x n) = alpha op(A) B + beta C, B already k x n row-major (gemm.cpp packs
// a transposed B). C is walked in tiles of G <= 6 rows x NV <= V::NV vectors; a tile keeps its G x NV partial
// sums in registers for the whole k loop, so each output is one chain of FMAs over p = 0, 1, ...,
// k - 1 in ascending order.
//
// The sparse path: for a group of G rows of op(A), list the p at which any of the G values is
// non-zero, and run the same k loop over that list only. fma(0, b, acc) == acc for every finite
// b, so skipping those p changes nothing: dense and sparse give the same bits (up to the sign of
// a zero sum). 0 * Inf is NaN, though: so that a diverged model's NaNs still show (Keras's
// TerminateOnNaN relies on it), a B holding an Inf or NaN anywhere takes the dense walk (one scan
// of B per call that would walk a list: its cost was within the noise of the 784 x 128 timings;
// A's own NaNs count as non-zero and are kept). The
// list is built per group from A's values, so the choice is made per batch, per group of rows.

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// How far ahead the sparse walk prefetches listed B rows (3, 6 and 10 measured alike, ~7% faster
// than none at batch 128; benchmarks/NOTES.md).
constexpr int64_t kPrefetchRows = 6;

template <class V, int G, int NV, bool TA, bool LIST>
inline void tile(const GemmArgs &g, int64_t i0, int64_t j0, typename V::M last, const int32_t *list,
                 int64_t count) {
  typename V::T acc[G][NV];
  // every loop over r and v is unrolled: the accumulators must stay in registers (an indexed
  // access left in a loop makes GCC keep the whole array in memory)
#pragma GCC unroll 8
  for (int r = 0; r < G; r++)
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) acc[r][v] = V::zero();
  const float *b = g.b + j0;
  const float *a = g.a;
  const int64_t lda = g.lda, ldb = g.ldb;
  for (int64_t q = 0; q < count; q++) {
    const int64_t p = LIST ? list[q] : q;
    const float *bp = b + p * ldb;
    if (LIST) {  // the listed rows of B skip about: the hardware prefetcher cannot follow them
      const float *ahead = b + list[q + kPrefetchRows < count ? q + kPrefetchRows : q] * ldb;
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) _mm_prefetch((const char *)(ahead + v * V::W), _MM_HINT_T0);
    }
    typename V::T bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV - 1; v++) bv[v] = V::load(bp + v * V::W);
    bv[NV - 1] = V::loadm(bp + (NV - 1) * V::W, last);
#pragma GCC unroll 8
    for (int r = 0; r < G; r++) {
      const typename V::T av = V::bcast(TA ? a + p * lda + i0 + r : a + (i0 + r) * lda + p);
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = V::fma(av, bv[v], acc[r][v]);
    }
  }
  const typename V::T alpha = V::set1(g.alpha), beta = V::set1(g.beta);
#pragma GCC unroll 8
  for (int r = 0; r < G; r++) {
    float *c = g.c + (i0 + r) * g.ldc + j0;
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      typename V::T out = g.alpha == 1.0f ? acc[r][v] : V::mul(alpha, acc[r][v]);
      if (v < NV - 1) {
        if (g.beta != 0.0f) out = V::add(out, V::mul(beta, V::load(c + v * V::W)));
        V::store(c + v * V::W, out);
      } else {
        if (g.beta != 0.0f) out = V::add(out, V::mul(beta, V::loadm(c + v * V::W, last)));
        V::storem(c + v * V::W, last, out);
      }
    }
  }
}

// The p in [0, k) at which any of op(A)'s rows i0 .. i0 + rows - 1 is non-zero, ascending.
template <class V, bool TA>
inline int64_t nonzero_list(const GemmArgs &g, int64_t i0, int rows, int32_t *list) {
  int64_t count = 0;
  if (TA) {  // op(A) row i = A column i: the group's values at p are rows contiguous floats
    const typename V::M m = V::mask(rows);
    for (int64_t p = 0; p < g.k; p++) {
      list[count] = (int32_t)p;
      count += V::nonzero(g.a + p * g.lda + i0, m) != 0;
    }
  } else {  // rows of A: OR the non-zero masks of the group's rows, W values of p at a time
    for (int64_t p0 = 0; p0 < g.k; p0 += V::W) {
      const typename V::M m = V::mask((int)min64(V::W, g.k - p0));
      unsigned bits = 0;
      for (int r = 0; r < rows; r++) bits |= V::nonzero(g.a + (i0 + r) * g.lda + p0, m);
      count += V::compress_indices(bits, (int32_t)p0, list + count);
    }
  }
  return count;
}

template <class V, int G, bool TA, bool LIST>
inline void row_group(const GemmArgs &g, int64_t i0, const int32_t *list, int64_t count) {
  constexpr int64_t kStrip = V::NV * V::W;  // V::NV vectors: as many as 6 rows leave registers for
  for (int64_t j0 = 0; j0 < g.n; j0 += kStrip) {
    const int64_t cols = min64(kStrip, g.n - j0);
    const int nv = (int)((cols + V::W - 1) / V::W);
    const typename V::M last = V::mask((int)(cols - (nv - 1) * V::W));
    switch (nv) {
      case 4: if constexpr (V::NV >= 4) tile<V, G, 4, TA, LIST>(g, i0, j0, last, list, count); break;
      case 3: if constexpr (V::NV >= 3) tile<V, G, 3, TA, LIST>(g, i0, j0, last, list, count); break;
      case 2: tile<V, G, 2, TA, LIST>(g, i0, j0, last, list, count); break;
      default: tile<V, G, 1, TA, LIST>(g, i0, j0, last, list, count); break;
    }
  }
}

// Whether every value of B (k x n) is finite: x - x is 0 for finite x and NaN otherwise.
template <class V>
inline bool all_finite(const GemmArgs &g) {
  // four independent sums: one chain of dependent adds would take ~4 cycles per vector
  typename V::T acc[4] = {V::zero(), V::zero(), V::zero(), V::zero()};
  const int64_t full = g.n / V::W * V::W;
  const typename V::M tail = V::mask((int)(g.n - full));
  for (int64_t p = 0; p < g.k; p++) {
    const float *row = g.b + p * g.ldb;
    int64_t j = 0;
    for (; j + 4 * V::W <= full; j += 4 * V::W) {
#pragma GCC unroll 4
      for (int u = 0; u < 4; u++) {
        const typename V::T x = V::load(row + j + u * V::W);
        acc[u] = V::add(acc[u], V::sub(x, x));
      }
    }
    for (; j < full; j += V::W) {
      const typename V::T x = V::load(row + j);
      acc[p & 3] = V::add(acc[p & 3], V::sub(x, x));
    }
    if (full < g.n) {
      const typename V::T x = V::loadm(row + full, tail);
      acc[(p + 1) & 3] = V::add(acc[(p + 1) & 3], V::sub(x, x));
    }
  }
  return V::all_zero(V::add(V::add(acc[0], acc[1]), V::add(acc[2], acc[3])));
}

// The sparse walk lists per group of the full 6 rows: on MNIST batches, lists for 1, 2 or 3 rows
// skip more p but run fewer FMA chains per loaded B row, and measured slower (benchmarks/NOTES.md).
template <class V, int G, bool TA>
inline int64_t group(const GemmArgs &g, int64_t i0, int32_t *list) {
  if (g.mode != NABLA_GEMM_DENSE) {
    const int64_t count = nonzero_list<V, TA>(g, i0, G, list);
    // a list walk costs an index load per p more than the dense walk: worth it below ~85%
    if (g.mode == NABLA_GEMM_SPARSE || count * 20 < g.k * 17) {
      if (g.b_finite < 0) g.b_finite = all_finite<V>(g);  // only when the list would be walked
    }
    if (g.b_finite > 0 && (g.mode == NABLA_GEMM_SPARSE || count * 20 < g.k * 17)) {
      row_group<V, G, TA, true>(g, i0, list, count);
      return count;
    }
  }
  row_group<V, G, TA, false>(g, i0, nullptr, g.k);
  return g.k;
}

// Runs the whole product; returns the number of p steps taken summed over row groups (k per group
// on the dense path), so callers and tests can see which path ran.
template <class V, bool TA>
inline int64_t run_ta(const GemmArgs &g, int32_t *list) {
  constexpr int kRows = 6;
  int64_t steps = 0, i0 = 0;
  for (; i0 + kRows <= g.m; i0 += kRows) steps += group<V, kRows, TA>(g, i0, list);
  switch (g.m - i0) {
    case 5: steps += group<V, 5, TA>(g, i0, list); break;
    case 4: steps += group<V, 4, TA>(g, i0, list); break;
    case 3: steps += group<V, 3, TA>(g, i0, list); break;
    case 2: steps += group<V, 2, TA>(g, i0, list); break;
    case 1: steps += group<V, 1, TA>(g, i0, list); break;
    default: break;
  }
  return steps;
}

template <class V>
inline int64_t run(const GemmArgs &g, int32_t *list) {
  return g.trans_a ? run_ta<V, true>(g, list) : run_ta<V, false>(g, list);
}
