#!/usr/bin/env bash
# Fuzzes Rapport's readers with cargo-fuzz on the nightly toolchain (see docs/fuzzing.md).
#
#   scripts/fuzz.sh                          short run: every target for 40 s (about 4 min in all)
#   scripts/fuzz.sh --seconds 3600           long run: every target for an hour
#   scripts/fuzz.sh --seconds 600 analyse    one target (or several) for ten minutes
#   scripts/fuzz.sh --minimise               shrink the committed corpus (fuzz/corpus) to a smallest
#                                            set of it and the working corpus that covers as much
#
# Targets: scenario_run analyse transcript test_plan script. Each input has a time limit and a
# memory limit, so a hang or a runaway allocation is a failure like a panic; a failing input is
# saved under fuzz/artifacts/TARGET/ and the script exits non-zero. New inputs go to a working
# corpus under the target dir; the committed corpus (fuzz/corpus/TARGET), the inputs that once
# failed (fuzz/regressions/TARGET) and the shipped files seed it. Set FUZZ_TARGET_DIR to build
# elsewhere than fuzz/target, FUZZ_NICE to run under nice.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=40
minimise=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --minimise) minimise=true; shift ;;
    -h | --help) sed -n 2,14p "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  targets=(scenario_run analyse transcript test_plan script)
fi

if ! command -v cargo-fuzz >/dev/null; then
  cargo +nightly install cargo-fuzz --locked
fi
target_dir="${FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
nice_level="${FUZZ_NICE:-0}"
# Per input: 10 s and 2 GiB. A validated scenario's run takes milliseconds and a few megabytes,
# so an input near either limit is a defect, not a slow machine.
limits=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1)
# Sanitizer none: the library is safe Rust, so the address sanitizer would find nothing the
# panics do not, at half the speed. Debug assertions on: an arithmetic overflow panics.
build=(--sanitizer none --debug-assertions --target-dir "$target_dir")

# The shipped files each target starts from, beside its committed corpus.
seeds_for() {
  case "$1" in
    scenario_run) echo scenarios ;;
    test_plan) echo scenarios ;;
    *) echo "" ;;
  esac
}

cd fuzz
nice -n "$nice_level" cargo +nightly fuzz build "${build[@]}"

status=0
for target in "${targets[@]}"; do
  work="$target_dir/corpus/$target"
  mkdir -p "$work" "corpus/$target" "regressions/$target"
  if $minimise; then
    # A smallest set of the committed and working inputs that reaches every edge they reach.
    merged="$target_dir/corpus-min/$target"
    rm -rf "$merged" && mkdir -p "$merged"
    nice -n "$nice_level" cargo +nightly fuzz run "${build[@]}" "$target" "$merged" \
      "corpus/$target" "$work" -- -set_cover_merge=1 -use_counters=0 "${limits[@]}"
    rm -rf "corpus/$target" && cp -r "$merged" "corpus/$target"
    continue
  fi
  seeds=$(seeds_for "$target")
  log="$target_dir/fuzz-$target.log"
  echo "fuzz.sh: $target for ${seconds}s (log: $log)"
  if nice -n "$nice_level" cargo +nightly fuzz run "${build[@]}" "$target" "$work" \
    "corpus/$target" "regressions/$target" ${seeds:+"../$seeds"} -- -max_total_time="$seconds" "${limits[@]}" \
    >"$log" 2>&1; then
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    echo "fuzz.sh: $target passed: ${executions:-?} executions in ${seconds}s"
  else
    echo "fuzz.sh: $target FAILED; the end of its log:" >&2
    tail -n 40 "$log" >&2
    status=1
  fi
done
exit $status
