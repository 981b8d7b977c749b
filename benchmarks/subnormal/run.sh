#!/usr/bin/env bash
# The fused Adam step with and without subnormals in m, before and after the FTZ/DAZ guard
# (issue 15). Usage: benchmarks/subnormal/run.sh [BEFORE_COMMIT] (default 132063d, the last
# commit whose native/cpu/optim.cpp has no guard). Needs g++ and git; no Maven, no JVM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
before=${1:-132063d}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
git -C "$root" show "$before:native/cpu/optim.cpp" > "$out/optim_before.cpp"
flags="-O3 -fno-math-errno -ffp-contract=off -fopenmp-simd -I$root/native/include"  # as the library
g++ $flags -Dnabla_optimizer_step=old_step -c "$out/optim_before.cpp" -o "$out/old.o"
g++ $flags -Dnabla_optimizer_step=new_step -c "$root/native/cpu/optim.cpp" -o "$out/new.o"
g++ -O2 "$here/adam_step.cpp" "$out/old.o" "$out/new.o" -o "$out/adam_step"
grep -m1 'model name' /proc/cpuinfo || true
"$out/adam_step"
