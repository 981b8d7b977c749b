#!/usr/bin/env bash
# The CPU sgemm at the seed network's first-layer shapes, beside the measured FMA peak:
#   benchmarks/gemm/run.sh [ISA]    ISA: 0 best (default), 1 generic, 2 avx2, 3 avx512
# Builds native/cpu/gemm*.cpp as the library does (g++ -O3, the per-ISA units with their flags),
# checks them against a double reference on random shapes (every ISA), then times X W (batch x
# 784 x 128) and X^T dZ (784 x 128 x batch) at batch 32 and 128 on real MNIST rows: OpenBLAS
# (the bundled 0.3.31, single-threaded), nabla_sgemm's dense walk (its GFLOP/s are the dense
# figures), auto (the default: skips zero pixels) and the forced sparse walk; medians of 7 x 200
# calls. Needs g++, a built target/ (for OpenBLAS's library) and MNIST (scripts/fetch-mnist.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
blas=$(find "$root/target/javacpp-cache" "$HOME/.javacpp/cache" -name libopenblas.so.0 2>/dev/null | head -1)
[ -n "$blas" ] || { echo "gemm/run.sh: OpenBLAS's library not found: build first (mvn package)" >&2; exit 1; }
images="${NABLA_DATA_DIR:-$HOME/.cache/nabla}/mnist/train-images-idx3-ubyte"
[ -f "$images" ] || "$root/scripts/fetch-mnist.sh" >/dev/null
n="$root/native"
"$root/benchmarks/gemm/compile-nabla-gemm.sh" "$out"
cp "$blas" "$out/libopenblas.so.0"
g++ -O2 -I"$n/include" "$here/gemm_bench.cpp" "$out"/gemm*.o "$out/libopenblas.so.0" \
  -Wl,-rpath,"$out" -o "$out/gemm_bench"
g++ -O2 "$here/fma_peak.cpp" -o "$out/fma_peak"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$out/fma_peak"
MNIST_TRAIN_IMAGES="$images" "$out/gemm_bench" "${1:-0}"
