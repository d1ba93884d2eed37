#!/bin/sh
# Runs one contract test (tests/integration/contract-*.c) under ferry-vdev.
#
# Usage: contract-run.sh [--bindir DIR] [--vdev PATH] NAME[.contract] [FILTER]
#
# NAME is contract-PROGRAM or contract-PROGRAM-PERSONA (make check runs
# one per program and persona, from empty files of that name). The program
# makes its fixture (PROGRAM --prepare DIR), then runs under
#   ferry-vdev --persona PERSONA [the program's options] -- PROGRAM [FILTER]
# with CONTRACT_STORE (the backing directory), CONTRACT_PERSONA and
# CONTRACT_SLOW set. FILTER is a cmocka test name pattern.
#
# Environment:
#   CONTRACT_WRAPPER   runs the test program under something, e.g.
#                      "valgrind --leak-check=full --error-exitcode=1"
#                      (sets CONTRACT_SLOW=10 unless it is set)
#   CONTRACT_SLOW      factor for every timeout of the tests (default 1)
#   CONTRACT_TIMEOUT   seconds for the whole run (default 600 * CONTRACT_SLOW)
#   FERRY_STRESS_SECONDS  duration of contract-stress (default 5)
#   FERRY_TESTS_KEEP   keep the temporary directory
set -eu

bindir=
vdev=${FERRY_VDEV:-}
while [ $# -gt 0 ]; do
    case $1 in
    --bindir) bindir=$2; shift 2 ;;
    --vdev) vdev=$2; shift 2 ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--bindir DIR] [--vdev PATH] NAME[.contract] [FILTER]" >&2; exit 99; }
name=$(basename "$1" .contract)
filter=${2:-}
bindir=${bindir:-$(dirname "$0")}
[ -n "$vdev" ] || vdev=$bindir/../../ferry-vdev
[ -x "$vdev" ] || { echo "no ferry-vdev at $vdev" >&2; exit 99; }

personas="compliant samsung pixel gopro panasonic android busy noproplist"
prog=$name
persona=compliant
for p in $personas; do
    case $name in
    *-"$p") prog=${name%-"$p"}; persona=$p ;;
    esac
done
# variants of a program: NAME -> program, options
fault=
CONTRACT_FAULT=
case $name in
contract-unplug-byte)
    prog=contract-unplug
    fault=unplug@byte=3M
    CONTRACT_FAULT=$fault
    filter=${filter:-test_unplug_by_fault}
    ;;
contract-wedged)
    fault=noanswer@op=GetObject#2
    ;;
esac
export CONTRACT_FAULT
[ -x "$bindir/$prog" ] || { echo "no test program $bindir/$prog" >&2; exit 99; }

wrapper=${CONTRACT_WRAPPER:-}
if [ -n "$wrapper" ]; then
    CONTRACT_SLOW=${CONTRACT_SLOW:-10}
fi
CONTRACT_SLOW=${CONTRACT_SLOW:-1}
limit=${CONTRACT_TIMEOUT:-$((600 * CONTRACT_SLOW))}

# what each program needs of the device
link=${CONTRACT_LINK:-usb2}
devices=1
case $name in
contract-nomem) link=none ;;
contract-devices) devices=2 ;;
contract-unplug) devices=3 ;;
esac

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-contract.XXXXXX")
cleanup() {
    if [ -n "${FERRY_TESTS_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

store=$T/store
mkdir -p "$store"
many=
if [ "$prog" = contract-phases ]; then
    many=$T/many
    # a second storage whose top holds many objects: a long listing
    "$bindir/$prog" --prepare-many "$T/many" 1100 || exit 99
fi
if [ "$devices" -gt 1 ]; then
    for k in $(seq 1 "$devices"); do
        "$bindir/$prog" --prepare "$store/device$k" || exit 99
    done
else
    "$bindir/$prog" --prepare "$store" || exit 99
fi

# the first device's folder; with several, deviceK next to it
if [ "$devices" -gt 1 ]; then CONTRACT_STORE=$store/device1; else CONTRACT_STORE=$store; fi
CONTRACT_PERSONA=$persona
export CONTRACT_STORE CONTRACT_PERSONA CONTRACT_SLOW
# ferry may reopen these personas after a cancel (see contract-phases.c)
CONTRACT_REOPEN_OK=${CONTRACT_REOPEN_OK:-}
export CONTRACT_REOPEN_OK

echo "== $prog under ferry-vdev --persona $persona --link $link --devices $devices${fault:+ --fault $fault}${wrapper:+ (under $wrapper)}"
rc=0
# shellcheck disable=SC2086 # the wrapper is a command line
timeout -k 10 "$limit" "$vdev" -q --persona "$persona" --link "$link" --devices "$devices" \
    ${fault:+--fault "$fault"} -s "Internal storage=$store" ${many:+-s "Many=$many"} \
    -S "$T/stats.json" -t "$T/trace.txt" -- \
    $wrapper "$bindir/$prog" $filter || rc=$?
if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "FAIL: $prog did not end within ${limit}s" >&2
    echo "--- last lines of the device trace:" >&2
    tail -n 40 "$T/trace.txt" >&2 || true
    exit "$rc"
fi

# C15: no partial object is left on any device once ferry is done
case $prog in
contract-rules | contract-phases | contract-stress | contract-devices)
    if command -v python3 >/dev/null 2>&1; then
        orphans=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
devs=d.get("devices", [d]) if isinstance(d, dict) else d
print(sum(x.get("orphans", 0) for x in devs))' "$T/stats.json")
        [ "$orphans" = 0 ] || { echo "FAIL: $orphans object(s) left pending on the device" >&2; exit 1; }
    fi
    ;;
esac
exit 0
