# Common part of the integration tests, sourced by each vdev-*.sh.
#
# Environment (make check sets the first three):
#   FERRY_VDEV          the ferry-vdev binary
#   MTP_PROBE           the mtp-probe binary
#   FERRY_VDEV_WRAPPER  runs ferry-vdev under something, e.g. "valgrind
#                       --error-exitcode=99 --leak-check=full --suppressions=
#                       tests/integration/vdev.supp" (make check-vdev-valgrind)
#   VDEV_TIMEOUT        seconds one ferry-vdev run may take (default 300: a
#                       sanitizer build on a loaded machine is slow)
#   FERRY_TESTS_KEEP    set: keep the temporary directory for a post-mortem
#
# Every ferry-vdev run is bounded by timeout(1); each test has its own
# temporary directory $T, removed on exit.

set -eu

: "${FERRY_VDEV:?FERRY_VDEV must name the ferry-vdev binary}"
MTP_PROBE=${MTP_PROBE:-}
FERRY_VDEV_WRAPPER=${FERRY_VDEV_WRAPPER:-}
VDEV_TIMEOUT=${VDEV_TIMEOUT:-300}
export MTP_PROBE

skip() { echo "SKIP: $*"; exit 77; }

# show FILE...: the end of client outputs, without their progress lines
show() {
    for f in "$@"; do
        [ -f "$f" ] || continue
        echo "--- $f" >&2
        tr '\r' '\n' <"$f" | grep -v '^Progress:' | tail -n 15 | cut -c 1-200 >&2
    done
}
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# need TOOL...: skips the test when a client is not installed
need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
    done
}

[ -x "$FERRY_VDEV" ] || fail "no ferry-vdev at $FERRY_VDEV"

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-it.XXXXXX")
export T
cleanup() {
    if [ -n "${FERRY_TESTS_KEEP:-}" ]; then
        echo "kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# vdev [OPTION...] -- COMMAND...: one bounded ferry-vdev run. A wrapper
# reports its findings with status 99 (valgrind --error-exitcode=99),
# which fails the test even where the command's status is not checked.
vdev() {
    vrc=0
    # shellcheck disable=SC2086 # the wrapper is a command line
    timeout -k 10 "$VDEV_TIMEOUT" $FERRY_VDEV_WRAPPER "$FERRY_VDEV" -q "$@" || vrc=$?
    if [ -n "$FERRY_VDEV_WRAPPER" ] && [ "$vrc" -eq 99 ]; then
        fail "$FERRY_VDEV_WRAPPER found errors in ferry-vdev"
    fi
    if [ "$vrc" -eq 124 ] || [ "$vrc" -eq 137 ]; then
        echo "ferry-vdev ran out of time (VDEV_TIMEOUT=$VDEV_TIMEOUT)" >&2
    fi
    return "$vrc"
}

# mkrand FILE SIZE: SIZE random bytes
mkrand() {
    head -c "$2" /dev/urandom >"$1"
}

# same A B: byte-identical files
same() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}

# same_tree A B: the same files with the same bytes, nothing more
same_tree() {
    diff -r "$1" "$2" >"$T/diff.out" 2>&1 || { cat "$T/diff.out" >&2; fail "trees $1 and $2 differ"; }
}

# no_partial DIR: no temporary file of the device left in DIR
no_partial() {
    left=$(find "$1" -name '.ferry-vdev-incoming.*' | head -5)
    [ -z "$left" ] || fail "temporary files left in $1: $left"
}

# fact FILE KEY: the value of a "key=value" line of mtp-probe
fact() {
    sed -n "s/^$2=//p" "$1" | head -n 1
}

# expect FILE KEY VALUE: a fact has this value
expect() {
    v=$(fact "$1" "$2")
    [ "$v" = "$3" ] || { cat "$1" >&2; fail "$1: $2 is '$v', expected '$3'"; }
}

# expect_ge FILE KEY N: a numeric fact is at least N
expect_ge() {
    v=$(fact "$1" "$2")
    [ -n "$v" ] && [ "$v" -ge "$3" ] || { cat "$1" >&2; fail "$1: $2 is '$v', expected >= $3"; }
}

# expect_le FILE KEY N
expect_le() {
    v=$(fact "$1" "$2")
    [ -n "$v" ] && [ "$v" -le "$3" ] || { cat "$1" >&2; fail "$1: $2 is '$v', expected <= $3"; }
}

# mtp_file_id LISTING NAME: the id mtp-files gave to the file NAME
mtp_file_id() {
    awk -v name="$2" '
        /^File ID:/ { id = $3 }
        /^   Filename:/ { sub(/^   Filename: /, ""); if ($0 == name) { print id; exit } }
    ' "$1"
}

# json FILE EXPR: a value from a --stats file (EXPR is Python on d)
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# small_tree DIR N: N small files of varied sizes in three folders (a, b,
# b/c), unique names; sizes include the packet and container edges
small_tree() {
    mkdir -p "$1/a" "$1/b/c"
    i=0
    for size in 0 1 500 511 512 513 1012 1024 4096 16372 16384 65524 65536; do
        mkrand "$1/a/edge$i.bin" "$size"
        i=$((i + 1))
    done
    n=$i
    while [ "$n" -lt "$2" ]; do
        case $((n % 3)) in
            0) d=a ;;
            1) d=b ;;
            *) d=b/c ;;
        esac
        mkrand "$1/$d/f$n.txt" $(( (n * 7919) % 9000 + 1 ))
        n=$((n + 1))
    done
}
