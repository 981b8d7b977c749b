#!/usr/bin/env bash
# Each dispatch path of the CPU dropout kernel, checked against the scalar definition and timed,
# beside the same paths at BEFORE_COMMIT (timed only). Usage: benchmarks/dropout/run.sh
# [BEFORE_COMMIT] (default f9d4eb8: AVX2 path with scalar stores, no AVX-512 path). Needs g++
# and git; no Maven, no JVM. Exits non-zero if a path differs from the definition. A commit
# without one of the paths runs its next older one in that row (f9d4eb8 has no AVX-512
# path: its avx512 row is its AVX2 path).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
before=${1:-f9d4eb8}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
git -C "$root" show "$before:native/cpu/dropout.cpp" > "$out/dropout_before.cpp"
flags="-O3 -fno-math-errno -ffp-contract=off -I$root/native/include"  # as the library
g++ $flags "-DDROPOUT_SRC=\"$out/dropout_before.cpp\"" "$here/paths.cpp" -o "$out/before"
g++ $flags "-DDROPOUT_SRC=\"$root/native/cpu/dropout.cpp\"" "$here/paths.cpp" -o "$out/after"
grep -m1 'model name' /proc/cpuinfo || true
echo "before ($before):"
for p in avx512 avx2 scalar; do "$out/before" $p; done
echo "now:"
status=0
for p in avx512 avx2 scalar; do "$out/after" $p check || status=1; done
exit $status
