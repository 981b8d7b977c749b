// benchmarks/onednn/onednn_bench.cpp: oneDNN (dnnl_sgemm and the matmul primitive) beside
// nabla_sgemm's dense walk and auto mode on the seed network's first-layer products X W
// (B x 784 times 784 x 128) and X^T dZ (784 x B times B x 128), X = real MNIST rows (~81% zeros),
// B = 32 and 128, fp32, row-major, one thread; medians of 7 x 200 calls. Checks oneDNN's outputs
// against Nabla's dense walk first (oneDNN sums in its own order, so equal only to rounding).
// Built and run by run.sh.
#include "nabla/kernels.h"
#include "oneapi/dnnl/dnnl.hpp"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

extern "C" void omp_set_num_threads(int);
extern "C" int omp_get_max_threads(void);

template <class F> static double time_us(F f, int reps) {
  std::vector<double> t;
  for (int r = 0; r < 7; r++) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; i++) f();
    auto t1 = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / reps);
  }
  std::sort(t.begin(), t.end());
  return t[3];
}

// Largest |got - want| and that over max|want| (a norm-wise relative error: elementwise ratios
// blow up where a sum of mixed-sign terms cancels to near zero, which says nothing about the kernel).
static bool compare(const char *what, const std::vector<float> &got, const std::vector<float> &want) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < want.size(); i++) {
    diff = std::max(diff, (double)std::fabs(got[i] - want[i]));
    scale = std::max(scale, (double)std::fabs(want[i]));
  }
  double rel = diff / scale;
  printf("  check %-26s max abs diff %.3g (max |C| %.3g, relative %.3g) %s\n", what, diff, scale, rel,
         rel <= 1e-4 ? "ok" : "FAIL");
  return rel <= 1e-4;
}

static const char *isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx10_1_512: return "avx10_1_512 (avx512_core_fp16)";
    case dnnl_cpu_isa_avx10_1_512_amx: return "avx512_core_amx";
    default: return "other";
  }
}

int main() {
  omp_set_num_threads(1);  // the bytedeco build runs on OpenMP; one thread like nabla_sgemm
  const dnnl_version_t *v = dnnl_version();
  printf("oneDNN %d.%d.%d (%s), CPU runtime %s, OpenMP max threads %d, effective ISA %s, "
         "nabla ISA %d (3 = avx512)\n",
         v->major, v->minor, v->patch, v->hash ? v->hash : "?",
         v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other", omp_get_max_threads(),
         isa_name(dnnl_get_effective_cpu_isa()), nabla_cpu_isa());

  const char *path = getenv("MNIST_TRAIN_IMAGES");
  FILE *f = path ? fopen(path, "rb") : nullptr;
  if (!f) { fprintf(stderr, "onednn_bench: MNIST_TRAIN_IMAGES not readable\n"); return 1; }
  std::vector<unsigned char> raw(16 + (size_t)60000 * 784);
  if (fread(raw.data(), 1, raw.size(), f) != raw.size()) { fprintf(stderr, "short MNIST file\n"); return 1; }
  fclose(f);

  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  bool ok = true;
  const int N = 128, K = 784;

  printf("%-12s %-14s %10s %8s\n", "product", "library", "us", "GFLOP/s");
  for (int B : {32, 128}) {
    std::vector<float> X((size_t)B * K), W((size_t)K * N), dZ((size_t)B * N);
    size_t nz = 0;
    for (int r = 0; r < B; r++) {
      size_t s = rng() % 60000;
      for (int p = 0; p < K; p++) {
        X[(size_t)r * K + p] = raw[16 + s * K + p] / 255.f;
        nz += X[(size_t)r * K + p] != 0;
      }
    }
    for (auto &x : W) x = u(rng);
    for (auto &x : dZ) x = u(rng);
    printf("B=%d: MNIST density %.3f (%.1f%% zeros)\n", B, nz / (double)X.size(),
           100.0 * (1 - nz / (double)X.size()));

    std::vector<float> Yn((size_t)B * N), Yd((size_t)B * N), Ym((size_t)B * N);
    std::vector<float> Gn((size_t)K * N), Gd((size_t)K * N), Gm((size_t)K * N);

    // matmul primitives built once, outside the timing (as a framework caches them).
    // fwd: src X (B x K, ab), weights W (K x N, ab), dst (B x N, ab).
    dnnl::memory::desc xs({B, K}, dt::f32, tag::ab), ws({K, N}, dt::f32, tag::ab), ys({B, N}, dt::f32, tag::ab);
    dnnl::matmul::primitive_desc fpd(eng, xs, ws, ys);
    dnnl::matmul fwd(fpd);
    dnnl::memory xm(xs, eng, X.data()), wm(ws, eng, W.data()), ym(ys, eng, Ym.data());
    // bwd: src X^T (K x B, stored as X: tag ba), weights dZ (B x N, ab), dst (K x N, ab).
    dnnl::memory::desc xts({K, B}, dt::f32, tag::ba), dzs({B, N}, dt::f32, tag::ab), gs({K, N}, dt::f32, tag::ab);
    dnnl::matmul::primitive_desc bpd(eng, xts, dzs, gs);
    dnnl::matmul bwd(bpd);
    dnnl::memory xtm(xts, eng, X.data()), dzm(dzs, eng, dZ.data()), gm(gs, eng, Gm.data());
    printf("  matmul impl: fwd %s, bwd %s\n", fpd.impl_info_str(), bpd.impl_info_str());

    auto dnnl_fwd = [&] { dnnl_sgemm('N', 'N', B, N, K, 1.f, X.data(), K, W.data(), N, 0.f, Yd.data(), N); };
    auto dnnl_bwd = [&] { dnnl_sgemm('T', 'N', K, N, B, 1.f, X.data(), K, dZ.data(), N, 0.f, Gd.data(), N); };
    auto mm_fwd = [&] { fwd.execute(strm, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}}); strm.wait(); };
    auto mm_bwd = [&] { bwd.execute(strm, {{DNNL_ARG_SRC, xtm}, {DNNL_ARG_WEIGHTS, dzm}, {DNNL_ARG_DST, gm}}); strm.wait(); };
    auto nab_fwd = [&](int mode) { nabla_sgemm(0, 0, B, N, K, 1, X.data(), K, W.data(), N, 0, Yn.data(), N, mode, 0); };
    auto nab_bwd = [&](int mode) { nabla_sgemm(1, 0, K, N, B, 1, X.data(), K, dZ.data(), N, 0, Gn.data(), N, mode, 0); };

    if (dnnl_sgemm('N', 'N', B, N, K, 1.f, X.data(), K, W.data(), N, 0.f, Yd.data(), N) != dnnl_success ||
        dnnl_sgemm('T', 'N', K, N, B, 1.f, X.data(), K, dZ.data(), N, 0.f, Gd.data(), N) != dnnl_success) {
      fprintf(stderr, "dnnl_sgemm failed\n");
      return 1;
    }
    mm_fwd(); mm_bwd(); nab_fwd(1); nab_bwd(1);
    ok &= compare("XW dnnl_sgemm vs dense", Yd, Yn);
    ok &= compare("XW matmul vs dense", Ym, Yn);
    ok &= compare("XtdZ dnnl_sgemm vs dense", Gd, Gn);
    ok &= compare("XtdZ matmul vs dense", Gm, Gn);

    double fl = 2.0 * B * K * N;
    struct Row { const char *lib; double us; };
    auto print = [&](const char *prod, std::initializer_list<Row> rows) {
      for (auto &r : rows) printf("%-12s %-14s %10.1f %8.1f\n", prod, r.lib, r.us, fl / r.us / 1e3);
    };
    char p1[32], p2[32];
    snprintf(p1, sizeof p1, "XW B=%d", B);
    snprintf(p2, sizeof p2, "XtdZ B=%d", B);
    double a = time_us(dnnl_fwd, 200), b = time_us(mm_fwd, 200), c = time_us([&] { nab_fwd(1); }, 200),
           d = time_us([&] { nab_fwd(0); }, 200);
    print(p1, {{"onednn sgemm", a}, {"onednn matmul", b}, {"nabla dense", c}, {"nabla auto", d}});
    a = time_us(dnnl_bwd, 200); b = time_us(mm_bwd, 200); c = time_us([&] { nab_bwd(1); }, 200);
    d = time_us([&] { nab_bwd(0); }, 200);
    print(p2, {{"onednn sgemm", a}, {"onednn matmul", b}, {"nabla dense", c}, {"nabla auto", d}});
  }
  printf(ok ? "correctness: all within 1e-4 relative\n" : "correctness: FAILED\n");
  return ok ? 0 : 1;
}
