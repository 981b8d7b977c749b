#!/usr/bin/env bash
# Peer comparison: the seed network (Flatten -> Dense 128 relu -> Dropout 0.2 -> Dense 10 softmax,
# adam, sparse categorical crossentropy, MNIST) in eager PyTorch (Debian's python3-torch, CPU,
# OpenBLAS; benchmarks/pytorch_mnist.py) and in Nabla (`nabla train --device cpu`), same data and
# hyperparameters, in one run. For each batch size (32, 128) and each repetition the six
# configurations run back to back (PyTorch 1 and 2 threads; Nabla 1 and 2 threads; Nabla 1 and 2
# threads with its sgemm held to the dense walk, -Dnabla.cpu.gemm=dense, so the figures of the
# default, which skips MNIST's zero pixels, are never mistaken for dense-gemm figures), so machine
# noise hits all alike. Each run is timed per epoch by the framework itself
# and its peak RSS is recorded by GNU time.
#
#   benchmarks/compare-pytorch.sh [REPS=3] [EPOCHS=3]
#
# Prints, per configuration and batch size: the median seconds per epoch over all epochs of all
# runs, the same median without each run's first epoch, min, max, median test accuracy and median
# peak RSS; then, per batch size, PyTorch-best / Nabla-best (best = the faster thread setting by
# median), so a ratio above 1 means Nabla is faster; the same for the dense walk; and per
# configuration the slowest later epoch against the first (a later epoch slower than the first
# by more than noise is a defect: subnormal floats did that once).
# Installs python3-torch and an OpenBLAS (Debian's torch otherwise falls back to the reference
# BLAS) when missing. A benchmark, not a test: quote its output with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
epochs=${2:-3}
py=/usr/bin/python3
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_install() {
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$@" >/dev/null; }
}
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (Debian) ..."
  t0=$(date +%s)
  apt_install python3-torch
  echo "installed in $(( $(date +%s) - t0 )) s"
fi
# Debian's torch links libblas.so.3, which is the slow reference BLAS unless an OpenBLAS provides it.
if ! { dpkg-query -W -f='${Status}\n' libopenblas0-pthread libopenblas0-openmp libopenblas0-serial \
    2>/dev/null || true; } | grep -q 'install ok installed'; then
  echo "installing libopenblas0-pthread (libblas.so.3 for torch) ..."
  apt_install libopenblas0-pthread
fi
[ -x /usr/bin/time ] || apt_install time

[ -f target/nabla.jar ] || mvn -q -B package -DskipTests
scripts/fetch-mnist.sh >/dev/null
data="${NABLA_DATA_DIR:-$HOME/.cache/nabla}/mnist"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "torch: $("$py" -c 'import torch; print(torch.__version__)') (Debian python3-torch $(dpkg-query -W -f='${Version}' python3-torch)), libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo "java: $(java -version 2>&1 | head -1)"
echo "reps $reps, epochs $epochs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME BATCH REP COMMAND...: the command must write $out/NAME-bBATCH-rREP.json
run() {
  local name=$1 b=$2 r=$3
  shift 3
  local stem="$out/$name-b$b-r$r"
  if ! benchmarks/peak-rss.sh "$stem.rss" "$@" >"$stem.log" 2>&1; then
    echo "compare-pytorch: $name batch $b rep $r failed:" >&2
    tail -20 "$stem.log" >&2
    exit 1
  fi
}

for b in 32 128; do
  for ((r = 1; r <= reps; r++)); do
    for t in 1 2; do
      run "pytorch-t$t" "$b" "$r" "$py" benchmarks/pytorch_mnist.py "$data" --batch-size "$b" \
        --epochs "$epochs" --threads "$t" --seed "$r" --json "$out/pytorch-t$t-b$b-r$r.json"
    done
    for gemm in auto dense; do
      for t in 1 2; do
        name="nabla-t$t"
        [ "$gemm" = auto ] || name="nabla-$gemm-t$t"
        run "$name" "$b" "$r" java "-Dnabla.cpu.gemm=$gemm" -jar target/nabla.jar train --device cpu \
          --data-dir "$data" --batch-size "$b" --epochs "$epochs" --verbose 0 --seed "$r" \
          --threads "$t" --metrics-out "$out/$name-b$b-r$r.json"
      done
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" <<'PY'
import glob, json, os, statistics, sys
d = sys.argv[1]
configs = ["pytorch-t1", "pytorch-t2", "nabla-t1", "nabla-t2", "nabla-dense-t1", "nabla-dense-t2"]
print()
print(f"{'config':<14} {'batch':>5} {'runs':>4} {'med s/ep':>8} {'med excl 1st':>12} {'min':>6} {'max':>6}"
      f" {'samples/s':>9} {'test acc':>8} {'peak RSS MiB':>12} {'worst later/1st':>15}")
best = {}
for b in (32, 128):
    for c in configs:
        files = sorted(glob.glob(os.path.join(d, f"{c}-b{b}-r*.json")))
        runs = [json.load(open(f)) for f in files]
        secs = [s for r in runs for s in r["epoch_seconds"]]
        later = [s for r in runs for s in r["epoch_seconds"][1:]]
        rss = [int(open(f[:-5] + ".rss").read().split()[-1]) / 1024 for f in files]
        med = statistics.median(secs)
        med_later = statistics.median(later) if later else float("nan")
        acc = statistics.median(r["test_accuracy"] for r in runs)
        # per run: its slowest later epoch over its first; the worst run's ratio is printed
        drift = max((max(r["epoch_seconds"][1:]) / r["epoch_seconds"][0]
                     for r in runs if len(r["epoch_seconds"]) > 1), default=float("nan"))
        print(f"{c:<14} {b:>5} {len(runs):>4} {med:>8.3f} {med_later:>12.3f} {min(secs):>6.3f}"
              f" {max(secs):>6.3f} {60000 / med:>9.0f} {acc:>8.4f} {statistics.median(rss):>12.0f}"
              f" {drift:>15.2f}")
        fw = "nabla-dense" if c.startswith("nabla-dense") else c.split("-")[0]
        if fw not in best.get(b, {}) or med < best[b][fw][1]:
            best.setdefault(b, {})[fw] = (c, med, med_later)
    print()
for b in (32, 128):
    for fw in ("nabla", "nabla-dense"):
        (pc, pm, pl), (nc, nm, nl) = best[b]["pytorch"], best[b][fw]
        print(f"batch {b:>3}: PyTorch best {pc} {pm:.3f} s / {'Nabla' if fw == 'nabla' else 'Nabla dense walk'}"
              f" best {nc} {nm:.3f} s = {pm / nm:.2f}x"
              f"  (excluding first epochs: {pl:.3f} / {nl:.3f} = {pl / nl:.2f}x)")
PY
