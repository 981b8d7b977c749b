#!/usr/bin/env bash
# Coverage-guided fuzzing of the file readers (IDX, safetensors, model files) with Jazzer's JUnit
# integration: each @FuzzTest in src/test/java/dev/nabla/fuzz runs in fuzzing mode (JAZZER_FUZZ=1)
# for SECONDS, one Maven run per fuzz test (Jazzer fuzzes one test per JVM).
#
#   scripts/fuzz.sh [SECONDS=300] [Class#method ...]
#
# Default: all four fuzz tests, IdxFuzzTest#read SafeTensorsFuzzTest#read
# SequentialLoadFuzzTest#load SequentialLoadFuzzTest#loadModelDescription.
#
# Per fuzz test:
#   - the writable corpus is target/fuzz-corpus/<Class>/<method>/ (kept between runs); Jazzer also
#     reads the checked-in seeds in src/test/resources/dev/nabla/fuzz/<Class>Inputs/<method>/;
#   - a finding is any exception other than the documented IOException, an OutOfMemoryError, or an
#     input slower than FUZZ_TIMEOUT seconds. Fuzzing goes on after a finding (Jazzer keep_going,
#     distinct stack traces only) until SECONDS are up. Each finding's input is written to
#     target/fuzz-findings/<Class>/<method>/<run time>/crash-<sha1> (or timeout-...). The script
#     lists the distinct findings (exception and throw site) and counts the crashing inputs that
#     are byte-identical to the checked-in crash-* reproducers of known bugs (replayed first) as
#     known, any other as new. To keep a new one as a regression test, copy it into the Inputs
#     folder under a crash-... name.
#   - the log is target/fuzz-logs/<Class>-<method>.log; the last libFuzzer status line (runs,
#     coverage, corpus, exec/s) is printed.
#
# Environment: FUZZ_TIMEOUT     seconds one input may take before it counts as a hang (default 10)
#              FUZZ_KEEP_GOING  distinct findings after which a run stops early (default 100)
#              MVN_ARGS         extra Maven arguments, e.g. "-o" to stay offline
# Exit status: 0 if every fuzz test ran its time and found no new crashing input (known bugs,
# whose reproducers are checked in, fail the regular test suite instead), 1 otherwise, 2 on bad
# usage.
set -uo pipefail
. "$(dirname "$0")/common.sh"
help_if_asked "$@"
cd "$(dirname "$0")/.."
need_build_tools

secs=${1:-300}
shift || true
if ! [[ $secs =~ ^[0-9]+$ ]] || [[ $secs -eq 0 ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS=300] [Class#method ...]" >&2
  exit 2
fi
tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
  tests=(IdxFuzzTest#read SafeTensorsFuzzTest#read SequentialLoadFuzzTest#load
         SequentialLoadFuzzTest#loadModelDescription)
fi
root=$PWD
status=0
summary=()

for t in "${tests[@]}"; do
  if [[ $t != *#* ]]; then
    echo "nabla: '$t' is not Class#method" >&2
    exit 2
  fi
  cls=${t%%#*} method=${t#*#}
  seeds=src/test/resources/dev/nabla/fuzz/${cls}Inputs/$method
  corpus=$root/target/fuzz-corpus/$cls/$method
  findings=$root/target/fuzz-findings/$cls/$method/$(date +%Y%m%d-%H%M%S)
  log=$root/target/fuzz-logs/$cls-$method.log
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  echo "== fuzzing $t for ${secs}s"
  # jazzer.internal.arg.N are the libFuzzer arguments Jazzer's JUnit integration passes on (N=0 is
  # argv[0]); given after the @FuzzTest(maxDuration) value they override it, libFuzzer keeping the
  # last. JUnit's own timeouts are off while fuzzing (the whole run is one JUnit invocation, see
  # jazzer issue #930); -timeout catches a hang per input instead. Gson is instrumented too so the
  # fuzzer gets coverage feedback inside the JSON parser.
  JAZZER_FUZZ=1 mvn -B ${MVN_ARGS:-} test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djunit.jupiter.execution.timeout.mode=disabled \
      -Djazzer.internal.arg.0=fuzz \
      -Djazzer.internal.arg.1="$corpus" \
      -Djazzer.internal.arg.2=-max_total_time="$secs" \
      -Djazzer.internal.arg.3=-timeout="${FUZZ_TIMEOUT:-10}" \
      -Djazzer.internal.arg.4=-artifact_prefix="$findings/" \
      -Djazzer.keep_going="${FUZZ_KEEP_GOING:-100}" \
      -Djazzer.instrumentation_includes='dev.nabla.**:com.google.gson.**' \
      >"$log" 2>&1
  rc=$?
  stats=$(grep -aE '^#[0-9]+.*(DONE|pulse|NEW|REDUCE).*exec/s' "$log" | tail -1 | tr '\t' ' ')
  done_line=$(grep -aE '^Done [0-9]+ runs in' "$log" | tail -1)
  # Each distinct finding (Jazzer dedups by stack trace): exception and first frame in Nabla's
  # main code. Jazzer's Java output and libFuzzer's native output reach the log by different
  # channels, so which input caused which exception is told by the inputs, not by log order.
  grep -aA30 '^== Java Exception: ' "$log" | awk '
    /^== Java Exception: / { exc = substr($0, 20); want = 1; next }
    want && /^[ \t]+at dev\.nabla\./ && !/dev\.nabla\.fuzz\./ {
      sub(/^[ \t]+at /, ""); want = 0; key = exc; sub(/:.*/, "", key); key = key " @ " $0
      if (!(key in seen)) print "finding: " substr(exc, 1, 150) " @ " $0; seen[key] = 1 }
  ' | sed 's/^/   /'
  # Inputs identical to a checked-in crash-* reproducer are the seeds replayed (known bugs); any
  # other crashing input is new (possibly another way into a known bug: see the list above).
  known=$(find "$seeds" -maxdepth 1 -type f -name 'crash-*' -exec sha1sum {} + 2>/dev/null | cut -c1-40)
  new=0 old=0
  for f in "$findings"/*; do
    [[ -f $f ]] || continue
    if grep -qx "$(sha1sum "$f" | cut -c1-40)" <<<"$known"; then
      old=$((old + 1))
    else
      new=$((new + 1))
      echo "   new crashing input: $f"
    fi
  done
  if [[ -z $done_line ]]; then
    status=1
    echo "   fuzzing did not run to the end (maven exit $rc): see $log"
  fi
  [[ $new -gt 0 ]] && status=1
  echo "   ${done_line:-no 'Done' line}; ${stats:-no libFuzzer statistics}"
  echo "   crashing inputs: $new new, $old = checked-in reproducers; in $findings; log $log"
  summary+=("$t: $new new / $old known crashing inputs; ${stats:-?}")
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
exit $status
