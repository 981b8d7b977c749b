#!/usr/bin/env bash
# Concurrent prediction throughput and latency (issue 14), Nabla next to PyTorch on this machine:
# the seed network shared by 1, 2 and 8 client threads, batch 1 and 32, SECONDS per setting after
# a warm-up as long (dev.nabla.bench.ConcurrentPredict, benchmarks/pytorch_concurrent_predict.py).
# Compiles the Java side against target/classes (no install: nothing in ~/.m2 changes).
# A benchmark, not a test: quote its output with the machine, date and load.
#
#   benchmarks/concurrent-predict.sh [SECONDS=3] [REPS=1] [DEVICE=cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
reps=${2:-1}
device=${3:-cpu}
[ -d target/classes/dev/nabla ] || mvn -q -B -o compile
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$out/cp.txt"
cp=$(cat "$out/cp.txt")
javac -d "$out" -cp "target/classes:$cp" benchmarks/src/main/java/dev/nabla/bench/ConcurrentPredict.java
echo "machine: $(nproc) cores, $(lscpu | grep 'Model name' | cut -d: -f2- | sed 's/^ *//'); $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
have_torch=1
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  have_torch=0
  echo "pytorch: not installed (apt-get install python3-torch libopenblas0-pthread)"
}
# one setting at a time, Nabla then PyTorch back to back, so machine noise hits both alike
java -cp "$out:target/classes:$cp" dev.nabla.bench.ConcurrentPredict "$device" 0.01 1 1 | head -2
for rep in $(seq "$reps"); do
  for batch in 1 32; do
    for clients in 1 2 8; do
      java -cp "$out:target/classes:$cp" dev.nabla.bench.ConcurrentPredict "$device" "$seconds" \
          "$batch" "$clients" | tail -1
      if [ "$have_torch" = 1 ]; then
        /usr/bin/python3 benchmarks/pytorch_concurrent_predict.py "$seconds" "$batch" "$clients" \
            | tail -1
      fi
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
