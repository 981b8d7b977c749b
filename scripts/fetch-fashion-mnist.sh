#!/usr/bin/env bash
# Makes sure Fashion-MNIST is installed where Dataset.fashionMnist looks by default:
# Debian's package dataset-fashion-mnist puts the four gzipped IDX files in /usr/share/datasets/fashion-mnist.
#
#   scripts/fetch-fashion-mnist.sh        (installing needs root; a present copy needs nothing)
set -euo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"

dir=/usr/share/datasets/fashion-mnist
pkg=dataset-fashion-mnist
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

if [ ! -f "$dir/train-images-idx3-ubyte.gz" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fetch-fashion-mnist: $dir is missing and installing $pkg needs root; run: sudo $0" >&2
    exit 1
  fi
  command -v apt-get >/dev/null || { echo "fetch-fashion-mnist: apt-get not found; this needs Debian/Ubuntu's $pkg" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  echo "Fashion-MNIST: installing $pkg"
  # The package lists may be stale or absent (fresh containers): refresh them once, only if needed.
  if ! apt-get install -y --no-install-recommends "$pkg"; then
    echo "Fashion-MNIST: install failed; running apt-get update and retrying"
    apt-get update
    apt-get install -y --no-install-recommends "$pkg"
  fi
fi

for f in "${files[@]}"; do
  [ -s "$dir/$f" ] || { echo "fetch-fashion-mnist: $dir/$f is missing or empty after installing $pkg (try: apt-get install --reinstall $pkg)" >&2; exit 1; }
done
echo "Fashion-MNIST: present in $dir"
