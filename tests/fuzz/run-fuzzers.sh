#!/bin/sh
# Runs every built libFuzzer target for a while and reports how many inputs
# each one executed. Builds nothing: configure a clang build with
# --enable-fuzzing and run `make` first, e.g.
#
#   mkdir /tmp/ferry-fuzz && cd /tmp/ferry-fuzz
#   /path/to/ferry/configure CC=clang --enable-fuzzing --disable-vdev --disable-sync
#   make -j2 && /path/to/ferry/tests/fuzz/run-fuzzers.sh 60
#
# Usage: run-fuzzers.sh [SECONDS] [BUILD_DIR]
#   SECONDS    time per target (default 30)
#   BUILD_DIR  the build tree holding tests/fuzz/fuzz-* (default: .)
#
# The committed corpus (tests/fuzz/corpus/<target>, next to this script) is
# only read: libFuzzer writes the inputs it finds to a scratch corpus under
# $FUZZ_WORK (default BUILD_DIR/tests/fuzz/work), and crash inputs to
# $FUZZ_WORK/<target>-crash-*. Add those to the committed corpus as
# regression inputs once fixed. Exits non-zero if any target failed.
set -u

secs=${1:-30}
build=${2:-.}
here=$(cd "$(dirname "$0")" && pwd)
corpus_root=$here/corpus
work=${FUZZ_WORK:-$build/tests/fuzz/work}

case $secs in
'' | *[!0-9]*)
    echo "run-fuzzers.sh: SECONDS must be a number, not '$secs'" >&2
    exit 2
    ;;
esac

found=0
failed=""
summary=""
mkdir -p "$work" || exit 1

for bin in "$build"/tests/fuzz/fuzz-*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    found=$((found + 1))
    target=${bin##*/fuzz-}
    seeds=$corpus_root/$target
    scratch=$work/corpus-$target
    log=$work/$target.log
    mkdir -p "$scratch"
    [ -d "$seeds" ] || echo "run-fuzzers.sh: $target has no seed corpus ($seeds)" >&2

    echo "== $target: ${secs}s"
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/$target-" \
        "$scratch" "$seeds" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9][0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ]; then
        failed="$failed $target"
        echo "   FAILED (exit $rc), log: $log"
        grep -E 'ERROR|check failed|SUMMARY|Test unit written' "$log" | head -n 20 | sed 's/^/   /'
        summary="$summary$(printf '%-14s %12s  FAILED' "$target" "${runs:-?}")
"
    else
        echo "   $runs runs"
        summary="$summary$(printf '%-14s %12s  ok' "$target" "${runs:-?}")
"
    fi
done

if [ "$found" -eq 0 ]; then
    echo "run-fuzzers.sh: no fuzz targets in $build/tests/fuzz (configure with --enable-fuzzing CC=clang and make)" >&2
    exit 1
fi

echo
printf '%-14s %12s  %s\n' target runs result
printf '%s' "$summary"
if [ -n "$failed" ]; then
    echo "run-fuzzers.sh: failed:$failed" >&2
    exit 1
fi
exit 0
