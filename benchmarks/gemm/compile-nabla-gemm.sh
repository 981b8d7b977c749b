#!/usr/bin/env bash
# Compiles native/cpu/gemm*.cpp as native/CMakeLists.txt does (the per-instruction-set units with
# their own flags) into OUT/gemm.o, OUT/gemm_avx512.o and OUT/gemm_avx2.o, for the standalone
# sgemm benchmarks (benchmarks/gemm/run.sh, benchmarks/onednn/run.sh).
#   benchmarks/gemm/compile-nabla-gemm.sh OUT
set -euo pipefail
out=$1
n=$(cd "$(dirname "$0")/../../native" && pwd)
flags="-O3 -fno-math-errno -ffp-contract=off -I$n/include -I$n/cpu"
g++ $flags -c "$n/cpu/gemm.cpp" -o "$out/gemm.o"
g++ $flags -mavx512f -mavx512vl -mavx512dq -mavx512bw -mavx2 -mfma -mbmi -mpopcnt \
  -c "$n/cpu/gemm_avx512.cpp" -o "$out/gemm_avx512.o"
g++ $flags -mavx2 -mfma -mpopcnt -c "$n/cpu/gemm_avx2.cpp" -o "$out/gemm_avx2.o"
