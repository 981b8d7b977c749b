#!/usr/bin/env bash
# Runs a command under GNU time and writes its peak resident set size (maximum RSS, in KB, of the
# command and the children it waited for) to a file; the command's own exit status is returned.
#
#   benchmarks/peak-rss.sh OUT_FILE COMMAND [ARGS...]
#
# Needs /usr/bin/time (Debian package `time`); installs it when missing and run as root.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT_FILE COMMAND [ARGS...]" >&2; exit 2; }
out=$1
shift
if [ ! -x /usr/bin/time ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "peak-rss: installing Debian package 'time' for /usr/bin/time" >&2
  $sudo apt-get install -y -q time >/dev/null 2>&1 \
    || { $sudo apt-get update -qq && $sudo apt-get install -y -q time >/dev/null; }
fi
exec /usr/bin/time -f '%M' -o "$out" "$@"
