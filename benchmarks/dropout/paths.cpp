// Every dispatch path of native/cpu/dropout.cpp on this machine (issue 15): the file is compiled
// into this program with __builtin_cpu_supports overridden, so argv[1] (avx512, avx2 or scalar)
// picks the path even on a CPU that has a newer one; the Java tests only ever reach the newest.
// Each path is checked against the scalar definition (nabla_philox_block) on random ranges
// (starts at any offset, multiples of 4 and of 32; ends mid-block and mid-vector; thresholds
// 0, 2^24 and above), the bytes outside the range untouched, then timed: the median of 7 runs
// of 1000 calls on 16,384 elements (128 x 128, rate 0.2). Built and run by run.sh beside it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

static int level = 2;  // 2 = avx512, 1 = avx2, 0 = scalar
static bool forced_supports(const char *s) {
  if (!strncmp(s, "avx512", 6) || !strcmp(s, "bmi2")) return level >= 2;
  if (!strcmp(s, "avx2")) return level >= 1;
  return false;
}
static bool cpu_has(int l) {
  if (l == 2)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("bmi2");
  return l == 0 || __builtin_cpu_supports("avx2");
}
#define __builtin_cpu_supports(s) forced_supports(s)
#include DROPOUT_SRC
#undef __builtin_cpu_supports

int main(int argc, char **argv) {
  const char *names[] = {"scalar", "avx2", "avx512"};
  level = -1;
  for (int l = 0; l < 3; l++)
    if (argc > 1 && !strcmp(argv[1], names[l])) level = l;
  if (level < 0) {
    fprintf(stderr, "usage: %s avx512|avx2|scalar [check]\n", argv[0]);
    return 2;
  }
  if (!cpu_has(level)) {
    printf("%-7s not supported by this CPU\n", names[level]);
    return 0;
  }
  long bad = 0, cases = 0;
  if (argc > 2 && !strcmp(argv[2], "check")) {
    std::mt19937_64 rng(15);
    for (int trial = 0; trial < 3000; trial++, cases++) {
      const int64_t n = trial < 1000 ? trial % 300 : (int64_t)(rng() % 20000);
      int64_t begin = n ? (int64_t)(rng() % (n + 1)) : 0;
      if (trial % 3 == 0) begin &= ~3; else if (trial % 3 == 1) begin &= ~31;
      int64_t end = begin + (n > begin ? (int64_t)(rng() % (n - begin + 1)) : 0);
      if (trial % 5 == 0) { begin = 0; end = n; }
      const uint64_t seed = rng(), step = trial % 2 ? rng() : rng() % 1000;
      const uint32_t stream = (uint32_t)rng();
      uint32_t thr = (uint32_t)(rng() % (trial % 7 ? 1u << 24 : 1u << 25));
      if (trial % 11 == 0) thr = 0;
      if (trial % 13 == 0) thr = (uint32_t)rng() | 0x80000000u;
      if (trial % 17 == 0) thr = 1u << 24;
      const float scale = 1.0f / (1 + (rng() % 100) / 101.0f);
      std::vector<float> x(n + 70), y(n + 70, -7.f), want(n + 70, -7.f);
      for (auto &v : x) v = (float)((int64_t)(rng() % 2001) - 1000) / 7.f;
      nabla_dropout_range(x.data(), y.data(), begin, end, seed, step, stream, thr, scale);
      const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
      for (int64_t i = begin; i < end; i++) {
        const uint32_t c[4] = {(uint32_t)(i >> 2), (uint32_t)step, (uint32_t)(step >> 32), stream};
        uint32_t b[4];
        nabla_philox_block(c, key, b);
        want[i] = (b[i & 3] >> 8) >= thr ? x[i] * scale : 0.0f;
      }
      if (memcmp(y.data(), want.data(), sizeof(float) * y.size()) && bad++ < 5)
        printf("MISMATCH %s n=%ld [%ld, %ld) threshold=%u\n", names[level], (long)n, (long)begin,
               (long)end, thr);
    }
  }
  std::vector<float> x(128 * 128, 1.f), y(x.size());
  std::vector<double> t;
  for (int rep = 0; rep < 7; rep++) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; i++)
      nabla_dropout(x.data(), y.data(), (int64_t)x.size(), 1234, (uint64_t)i, 7,
                    (uint32_t)(0.2 * 16777216), 1.25f);
    const auto t1 = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / 1000);
  }
  std::sort(t.begin(), t.end());
  if (cases) printf("%-7s %ld random ranges, %ld differ from the definition; ", names[level], cases, bad);
  else printf("%-7s ", names[level]);
  printf("%.2f us per 16,384 elements (median of 7)\n", t[3]);
  return bad != 0;
}
