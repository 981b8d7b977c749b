// What subnormal floats cost the fused Adam step (issue 15, lead 1): nabla_optimizer_step over
// the seed network's 101,770 parameters with a zero gradient, m normal or holding subnormals,
// compiled twice from native/cpu/optim.cpp: before the FTZ/DAZ guard (old_step) and with it
// (new_step). Built and run by run.sh beside this file. Prints the median of R runs of STEPS
// steps each (microseconds per step), the state reset before each run.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

typedef void Step(int, const float *, float *, const float *, float *, float *, float *, int64_t,
                  const int64_t *, const float *, const float *, float, float);
extern "C" Step old_step, new_step;

int main() {
  const int64_t n = 101770;  // 784x128 + 128 + 128x10 + 10
  const int R = 31, STEPS = 20;  // 7e-39 * 0.9^20 is still subnormal: the case holds all run long
  std::vector<float> w0(n), g(n, 0.f), v0(n, 1e-6f), all_sub(n), normal(n), every19(n), rows;
  for (int64_t i = 0; i < n; i++) {
    const float sign = (i & 1) ? -1.f : 1.f;
    w0[i] = 0.01f * (float)((i * 2654435761u) % 1000) / 1000.f;
    all_sub[i] = sign * 1e-39f * (1 + i % 7);
    normal[i] = sign * 1e-3f * (1 + i % 7);
    every19[i] = i % 19 == 0 ? all_sub[i] : normal[i];  // 5,357 subnormal, spread out
  }
  // 5,376 subnormal as in the trained seed network: whole rows (a border pixel's 128 weights) of
  // the first kernel; the issue counted 5,330 after one epoch at batch 32
  rows = normal;
  for (int r = 0; r < 42; r++)
    for (int c = 0; c < 128; c++) rows[(r * 18) * 128 + c] = all_sub[(r * 18) * 128 + c];
  const float hp[5] = {0.001f, 0.9f, 0.999f, 1e-7f, 0.f};  // alpha, beta_1, beta_2, eps, amsgrad
  const int64_t ends[1] = {n};
  const float gscale[1] = {1.f}, wd[1] = {0.f};
  struct Case { const char *name; Step *f; const std::vector<float> *m0; };
  const Case cases[] = {
      {"before, m normal            ", old_step, &normal},
      {"before, m all subnormal     ", old_step, &all_sub},
      {"before, 5.3% subnormal, rows", old_step, &rows},
      {"before, 5.3% subnormal, 1/19", old_step, &every19},
      {"after,  m normal            ", new_step, &normal},
      {"after,  m all subnormal     ", new_step, &all_sub},
      {"after,  5.3% subnormal, rows", new_step, &rows},
      {"after,  5.3% subnormal, 1/19", new_step, &every19}};
  std::vector<float> w, m, v;
  for (int pass = 0; pass < 2; pass++) {  // the first pass warms caches and clocks
    for (const Case &c : cases) {
      std::vector<double> t;
      for (int r = 0; r < R; r++) {
        w = w0, m = *c.m0, v = v0;
        const auto t0 = std::chrono::steady_clock::now();
        for (int s = 0; s < STEPS; s++)
          c.f(4 /* NABLA_OPT_ADAM */, hp, w.data(), g.data(), m.data(), v.data(), nullptr, 1, ends,
              gscale, wd, 0.f, 0.f);
        const auto t1 = std::chrono::steady_clock::now();
        t.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / STEPS);
      }
      std::sort(t.begin(), t.end());
      long sub = 0;
      for (float x : m) sub += x != 0.f && std::fabs(x) < 1.17549435e-38f;
      if (pass == 1)
        std::printf("%s: median %6.1f us/step (min %6.1f); subnormal m after: %ld\n", c.name,
                    t[R / 2], t[0], sub);
    }
  }
}
