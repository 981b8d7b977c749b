#!/usr/bin/env bash
# Seconds per epoch of the seed network (adam, MNIST, 60,000 images) on the CPU backend, at batch
# 32 and 128. Runs alternate between the two batch sizes, REPS times each, so machine noise hits
# both alike; prints the median epoch time of each (all epochs of all runs) and samples/s.
#
#   benchmarks/epoch-time.sh [REPS=3] [EPOCHS=3] [extra nabla train flags, e.g. --threads 2]
# A benchmark, not a test: quote its output with the machine and date (benchmarks/RESULTS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
epochs=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
[ -f target/nabla.jar ] || mvn -q -B package -DskipTests
scripts/fetch-mnist.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 1; r <= reps; r++)); do
  for b in 32 128; do
    java -jar target/nabla.jar train --device cpu --batch-size "$b" --epochs "$epochs" --verbose 0 \
      --seed "$r" --metrics-out "$out/b$b-r$r.json" "$@" >/dev/null
  done
done
python3 - "$out" <<'PY'
import json, glob, os, statistics, sys
d = sys.argv[1]
print(f"{'batch':>5} {'runs':>4} {'median s/epoch':>14} {'min':>7} {'max':>7} {'samples/s':>10} {'test acc (median)':>17}")
for b in (32, 128):
    runs = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(d, f"b{b}-r*.json")))]
    secs = [s for r in runs for s in r["epoch_seconds"]]
    med = statistics.median(secs)
    acc = statistics.median(r["test_accuracy"] for r in runs)
    print(f"{b:>5} {len(runs):>4} {med:>14.3f} {min(secs):>7.3f} {max(secs):>7.3f} {60000/med:>10.0f} {acc:>17.4f}")
PY
