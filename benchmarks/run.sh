#!/usr/bin/env bash
# Builds and runs the JMH kernel benchmarks. Arguments go to JMH (a benchmark regex, -p n=1000000,
# -f/-wi/-i for forks and iterations). Default: the fused optimizer steps against a copy.
#
#   benchmarks/run.sh                         # every optimizer rule at 1M and 10M parameters
#   benchmarks/run.sh OptimizerBenchmark -p rule=ADAM,SGD
#   benchmarks/run.sh KernelBenchmark         # sgemm, bias+relu, dropout, softmax-xent at the network's shapes
#   benchmarks/run.sh TrainStepBenchmark      # one whole training step (trainOnBatch), batch 32 and 128
#   benchmarks/run.sh "Kernel|TrainStep" -p threads=1,2
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -DskipTests            # the library (and its native code) into ~/.m2
mvn -q -B -f benchmarks/pom.xml clean package  # benchmarks/target/benchmarks.jar (clean: shade
                                               # would otherwise re-read its previous output)
exec java -jar benchmarks/target/benchmarks.jar "$@"
