#!/usr/bin/env bash
# oneDNN's CPU matmul (what TensorFlow and PyTorch call on CPUs) beside nabla_sgemm at the seed
# network's first-layer shapes:   benchmarks/onednn/run.sh
# Downloads oneDNN itself: the bytedeco preset jar org.bytedeco:dnnl:3.11-1.5.13:linux-x86_64
# (libdnnl.so.3, its bundled libgomp.so.1 and the headers) with `mvn dependency:copy`, or with curl
# from Maven Central when mvn is absent; downloads MNIST with scripts/fetch-mnist.sh if missing.
# Builds native/cpu/gemm*.cpp as benchmarks/gemm/run.sh does (g++ -O3, the per-ISA units with
# their flags) and onednn_bench.cpp against the jar's library, checks oneDNN's outputs against
# Nabla's dense walk (within 1e-4 relative), then times X W (B x 784 x 128) and X^T dZ (784 x 128
# x B), B = 32 and 128, on real MNIST rows: dnnl_sgemm (row-major), the dnnl matmul primitive
# (built once, outside the timing), nabla_sgemm's dense walk (mode 1) and auto (mode 0, skips zero
# pixels); fp32, one thread (OMP_NUM_THREADS=1 and omp_set_num_threads(1)); medians of 7 x 200
# calls. Needs g++, unzip and mvn or curl. Everything it writes goes to a temporary folder,
# removed on exit (mvn also keeps the jar in ~/.m2, its own cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=3.11-1.5.13
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
jar="$out/dnnl-$version-linux-x86_64.jar"
if command -v mvn >/dev/null; then
  mvn -q dependency:copy -Dartifact="org.bytedeco:dnnl:$version:jar:linux-x86_64" \
    -DoutputDirectory="$out" >&2
else
  curl -fsSL -o "$jar" \
    "https://repo1.maven.org/maven2/org/bytedeco/dnnl/$version/dnnl-$version-linux-x86_64.jar"
fi
unzip -q "$jar" 'org/bytedeco/dnnl/linux-x86_64/*' -d "$out/jar"
lib="$out/jar/org/bytedeco/dnnl/linux-x86_64"
[ -f "$lib/libdnnl.so.3" ] && [ -f "$lib/include/oneapi/dnnl/dnnl.hpp" ] ||
  { echo "onednn/run.sh: libdnnl.so.3 or its headers missing from $jar" >&2; exit 1; }
ln -s libdnnl.so.3 "$lib/libdnnl.so"
images="${NABLA_DATA_DIR:-$HOME/.cache/nabla}/mnist/train-images-idx3-ubyte"
[ -f "$images" ] || "$root/scripts/fetch-mnist.sh" >/dev/null
n="$root/native"
"$root/benchmarks/gemm/compile-nabla-gemm.sh" "$out"
g++ -O2 -std=c++17 -I"$n/include" -I"$lib/include" "$here/onednn_bench.cpp" "$out"/gemm*.o \
  -L"$lib" -ldnnl "$lib/libgomp.so.1" -Wl,-rpath,"$lib" -o "$out/onednn_bench"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "oneDNN threading: $(ldd "$lib/libdnnl.so.3" | grep -o 'lib[a-z]*omp[^ ]*' | head -1 || echo 'no OpenMP')"
OMP_NUM_THREADS=1 MNIST_TRAIN_IMAGES="$images" "$out/onednn_bench"
