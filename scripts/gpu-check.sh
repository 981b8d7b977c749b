#!/usr/bin/env bash
# The one prepared run for the GPU machine (no Java, Maven or network there): unpacks the bundle
# scripts/gpu-bundle.sh built (carried as .gpu-bundle.tar.xz), then runs every GPU test, the
# kernel benchmarks (ours against cuBLAS, and PyTorch on the same card), the MNIST epoch timings
# against PyTorch eager, and a 5-epoch MNIST training run. Logs go under $OUT (default
# /tmp/nabla-gpu-out); a short table is printed last.
#
#   bash scripts/gpu-check.sh            exit 0: every step passed; 1: a step failed;
#                                        2: no bundle; 3: no usable GPU (the reason is printed)
# Steps are time-boxed (NABLA_GPU_STEP_LIMIT, default 240 s each) so one hang cannot eat the
# machine's time.
set -uo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/nabla-gpu-out}
mkdir -p "$OUT"
limit=${NABLA_GPU_STEP_LIMIT:-240}
t_start=$(date +%s)

bundle=${NABLA_BUNDLE:-.gpu-bundle.tar.xz}
if [ -f "$bundle" ]; then
  work=$(mktemp -d)
  tar -xJf "$bundle" -C "$work" || { echo "gpu-check: cannot unpack $bundle" >&2; exit 2; }
  B=$work/bundle
elif [ -d .gpu-bundle/bundle ]; then
  B=.gpu-bundle/bundle
else
  echo "gpu-check: no bundle: run scripts/gpu-bundle.sh on the build machine and carry" \
    ".gpu-bundle.tar.xz" >&2
  exit 2
fi
cp "$B/BUILD" "$OUT/bundle-build.txt" 2>/dev/null
JAVA=$B/jre/bin/java
LIB=$B/lib
MNIST=$B/data/mnist

# The bytedeco preset links the machine's libcudart.so.13 and libcublas.so.13: the toolkit's
# folder, or the nvidia-* Python wheels PyTorch brought.
libdirs=()
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && libdirs+=("$d")
done
if command -v python3 >/dev/null; then
  while IFS= read -r d; do libdirs+=("$d"); done < <(python3 - <<'PY' 2>/dev/null
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
for r in roots:
    for d in sorted(glob.glob(os.path.join(r, "nvidia", "*", "lib"))):
        print(d)
PY
)
fi
export LD_LIBRARY_PATH=$(IFS=:; echo "${libdirs[*]:-}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH" > "$OUT/env.txt"
export NABLA_DATA_DIR=$B/data
JOPTS=(-Xmx8g -Dorg.bytedeco.javacpp.cachedir="$B/javacpp-cache")

declare -a names=() codes=() secs=()
step() { # name, command...: runs time-boxed, logs to $OUT/name.log
  local name=$1; shift
  local t0=$(date +%s)
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  names+=("$name"); codes+=("$rc"); secs+=("$(( $(date +%s) - t0 ))")
  echo "gpu-check: $name: exit $rc ($(( $(date +%s) - t0 )) s)"
  return $rc
}

command -v nvidia-smi >/dev/null && nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
step info "$JAVA" "${JOPTS[@]}" -jar "$LIB/nabla.jar" info
if ! grep -q '^  cuda  available' "$OUT/info.log"; then
  echo "gpu-check: no usable GPU: $(grep -m1 'cuda' "$OUT/info.log" | sed 's/^ *//')" >&2
  exit 3
fi

step gpu-tests "$JAVA" "${JOPTS[@]}" -jar "$LIB/junit-platform-console-standalone.jar" execute \
  --class-path "$LIB/nabla.jar:$LIB/test-classes.jar" \
  --select-class dev.nabla.backend.cuda.CudaKernelsTest \
  --select-class dev.nabla.optimizers.OnCudaTest \
  --select-class dev.nabla.losses.OnCudaTest \
  --select-class dev.nabla.nn.OneEngineTest \
  --select-class dev.nabla.backend.ShuffleTest \
  --disable-banner --details=tree --reports-dir "$OUT/junit"  # assumption-skipped = "aborted"
step gpu-bench "$JAVA" "${JOPTS[@]}" -cp "$LIB/nabla.jar" dev.nabla.cli.GpuBench \
  "$MNIST" 4
if command -v python3 >/dev/null && python3 -c 'import torch; assert torch.cuda.is_available()' \
    2>/dev/null; then
  step torch-sgemm python3 benchmarks/pytorch_sgemm.py --json "$OUT/torch-sgemm.json"
  step torch-b128 python3 benchmarks/pytorch_mnist.py "$MNIST" --device cuda --batch-size 128 \
    --epochs 4 --json "$OUT/torch-b128.json"
  step torch-b32 python3 benchmarks/pytorch_mnist.py "$MNIST" --device cuda --batch-size 32 \
    --epochs 4 --json "$OUT/torch-b32.json"
else
  echo "gpu-check: PyTorch with CUDA not found: no peer figures" | tee "$OUT/torch-missing.log"
fi
step train-b128 "$JAVA" "${JOPTS[@]}" -jar "$LIB/nabla.jar" train --device cuda --epochs 5 \
  --batch-size 128 --data-dir "$MNIST" --seed 1 --verbose 2 --metrics-out "$OUT/train-b128.json"
step train-b32-tf32 "$JAVA" "${JOPTS[@]}" -jar "$LIB/nabla.jar" train --device cuda --epochs 5 \
  --batch-size 32 --precision tf32 --data-dir "$MNIST" --seed 1 --verbose 2 \
  --metrics-out "$OUT/train-b32-tf32.json"

# ---- the table ----
median_torch() { # json file: median of epoch_seconds after the first, in ms
  python3 - "$1" <<'PY' 2>/dev/null || echo "-"
import json, statistics, sys
s = json.load(open(sys.argv[1]))["epoch_seconds"][1:]
print(f"{statistics.median(s) * 1e3:.1f}")
PY
}
{
  echo
  echo "== nabla gpu-check ($(cat "$OUT/bundle-build.txt" 2>/dev/null | head -1)) =="
  grep -m1 '^device:' "$OUT/gpu-bench.log"
  printf '%-16s %5s %6s\n' step exit seconds
  for i in "${!names[@]}"; do printf '%-16s %5s %6s\n' "${names[$i]}" "${codes[$i]}" "${secs[$i]}"; done
  grep -E 'tests (successful|failed|skipped|aborted)' "$OUT/gpu-tests.log" | sed 's/^[^0-9]*//' \
    | sed 's/^/tests: /'
  grep -E '^(sgemm 4096x4096x4096:|softmax_xent|fused adam|mnist epoch|copy)' "$OUT/gpu-bench.log"
  [ -f "$OUT/torch-b128.json" ] && echo "pytorch eager epoch b128: $(median_torch "$OUT/torch-b128.json") ms"
  [ -f "$OUT/torch-b32.json" ] && echo "pytorch eager epoch b32: $(median_torch "$OUT/torch-b32.json") ms"
  grep -h -E '^Test accuracy' "$OUT/train-b128.log" "$OUT/train-b32-tf32.log" 2>/dev/null \
    | sed 's/^/train 5 epochs: /'
  echo "total $(( $(date +%s) - t_start )) s; logs in $OUT"
} | tee "$OUT/summary.txt"
for c in "${codes[@]}"; do [ "$c" = 0 ] || exit 1; done
exit 0
