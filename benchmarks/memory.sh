#!/usr/bin/env bash
# Memory over a long run (dev.nabla.bench.MemoryReport): the seed network trained 30 epochs on 6,000
# real MNIST images, then 10,000 predict calls on a batch of 32, then closed. Prints JavaCPP's
# Pointer.totalBytes(), the process RSS (Pointer.physicalBytes()) and Tensor.allocations() after
# every epoch and every 1,000 calls, then PASS or FAIL (exit 1) on: off-heap bytes flat across
# epochs 2..30 and across predict calls (64 KiB tolerance), and close() freeing the model's memory.
#
#   benchmarks/memory.sh [EPOCHS=30] [PREDICT_CALLS=10000]
#   JAVA_OPTS=-Xmx512m benchmarks/memory.sh       # JVM flags (default -Xmx1g)
#   MVN_FLAGS=-o benchmarks/memory.sh             # extra Maven flags (e.g. offline)
# A benchmark that reports, not a test: quote its output with the machine and date.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B ${MVN_FLAGS:-} install -DskipTests            # the library (and its native code) into ~/.m2
mvn -q -B ${MVN_FLAGS:-} -f benchmarks/pom.xml clean package  # benchmarks/target/benchmarks.jar
scripts/fetch-mnist.sh >/dev/null
exec java ${JAVA_OPTS:--Xmx1g} -cp benchmarks/target/benchmarks.jar dev.nabla.bench.MemoryReport "$@"
