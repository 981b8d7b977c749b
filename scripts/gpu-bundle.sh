#!/usr/bin/env bash
# Builds what the GPU machine needs to run scripts/gpu-check.sh, which has no Java, Maven or
# network (../shared/GUIDE.md section 5): a jlinked Java runtime, nabla.jar (with libnabla_cuda
# compiled by nvcc here), the test classes and JUnit's console launcher to run the GPU tests, and
# MNIST. Everything goes into .gpu-bundle.tar.xz (git-ignored), under the 64 MiB a device
# run may carry: pass it as carry=[".gpu-bundle.tar.xz"].
#
#   scripts/gpu-bundle.sh          (needs nvcc: a bundle without the CUDA kernels would be useless)
set -euo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"
cd "$(dirname "$0")/.."
need_build_tools
need nvcc "install the CUDA toolkit (nvcc): the bundle must carry the compiled CUDA kernels"
need jlink "install a full JDK 17 (jlink is part of openjdk-17-jdk-headless)"
need xz "install xz-utils"

out=.gpu-bundle.tar.xz
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
b=$stage/bundle
mkdir -p "$b/lib" "$b/data/mnist"

scripts/fetch-mnist.sh >/dev/null
mnist=${NABLA_DATA_DIR:-$HOME/.cache/nabla}/mnist

echo "gpu-bundle: building nabla.jar and the test classes (NABLA_CUDA=ON)"
mvn -B -q package -DskipTests -Dnabla.cuda=ON
listing=$(unzip -l target/nabla.jar)
if ! grep -q 'libnabla_cuda.so' <<< "$listing"; then
  echo "gpu-bundle: target/nabla.jar has no libnabla_cuda.so" >&2; exit 1
fi
cp target/nabla.jar "$b/lib/"
(cd target/test-classes && jar cf "$b/lib/test-classes.jar" .)
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.4 \
  -DoutputDirectory="$b/lib" -Dmdep.stripVersion=true
echo "gpu-bundle: jlinking the runtime"
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported --strip-debug \
  --no-man-pages --no-header-files --compress=2 --output "$b/jre"
# raw: the tarball's xz compresses them better than gzip would (the reader takes either)
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  cp "$mnist/$f" "$b/data/mnist/$f"
done
{ echo "commit $(git rev-parse HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
  echo "built $(date -u +%FT%TZ) on $(uname -n)"; } > "$b/BUILD"

echo "gpu-bundle: checking the runtime runs the CLI and the test launcher"
"$b/jre/bin/java" -jar "$b/lib/nabla.jar" info > "$stage/info.txt"
"$b/jre/bin/java" -jar "$b/lib/junit-platform-console-standalone.jar" execute \
  --class-path "$b/lib/nabla.jar:$b/lib/test-classes.jar" \
  --select-class dev.nabla.backend.ShuffleTest --disable-banner --details=none > "$stage/junit.txt"

XZ_OPT=-9e tar -C "$stage" -cJf "$out.tmp" bundle
mv "$out.tmp" "$out"
size=$(stat -c %s "$out")
echo "gpu-bundle: $out $((size / 1048576)) MiB ($(du -sh "$b" | cut -f1) unpacked)"
if [ "$size" -gt $((60 * 1048576)) ]; then
  echo "gpu-bundle: warning: over 60 MiB, close to the 64 MiB carry limit" >&2
fi
