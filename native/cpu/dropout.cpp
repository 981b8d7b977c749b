// Dropout with a counter-based mask (Philox4x32-10, Salmon et al., SC'11): the keep bit of element
// i at step s is a pure function of (seed, s, stream, i), so every backend draws the same mask,
// backward recomputes it instead of storing it, and a resumed run draws what it would have drawn.
// Reference: dev.nabla.backend.Philox.
#include "nabla/kernels.h"

namespace {
inline void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo) {
  const uint64_t p = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(p >> 32);
  *lo = (uint32_t)p;
}

inline void philox(const uint32_t in[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = in[0], c1 = in[1], c2 = in[2], c3 = in[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; round++) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c0, &hi0, &lo0);
    mulhilo(0xCD9E8D57u, c2, &hi1, &lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}
}  // namespace

extern "C" void nabla_philox4x32_10(const uint32_t counter[4], const uint32_t key[2],
                                    uint32_t out[4]) {
  philox(counter, key, out);
}

extern "C" void nabla_dropout(const float *x, float *y, int64_t n, uint64_t seed, uint64_t step,
                              uint32_t stream, uint32_t threshold, float scale) {
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  uint32_t ctr[4] = {0, (uint32_t)step, (uint32_t)(step >> 32), stream};
  uint32_t bits[4];
  for (int64_t base = 0; base < n; base += 4) {
    ctr[0] = (uint32_t)(base >> 2);
    philox(ctr, key, bits);
    const int64_t m = n - base < 4 ? n - base : 4;
    for (int64_t j = 0; j < m; j++)
      y[base + j] = (bits[j] >> 8) >= threshold ? x[base + j] * scale : 0.0f;
  }
}
