# Common part of the tests of the ferry command-line tool, sourced by each
# tests/cli/*.sh (bash).
#
# Environment (make check sets the first two):
#   FERRY               the ferry binary
#   FERRY_VDEV          the ferry-vdev binary
#   FERRY_CLI_SRCDIR    tests/cli in the source tree (man page, completion)
#   VDEV_TIMEOUT        seconds one ferry-vdev run may take (default 120)
#   FERRY_TESTS_KEEP    set: keep the temporary directory for a post-mortem
#
# Every ferry-vdev run is bounded by timeout(1); each test has its own
# temporary directory $T, removed on exit.

set -eu

: "${FERRY:?FERRY must name the ferry binary}"
: "${FERRY_VDEV:?FERRY_VDEV must name the ferry-vdev binary}"
VDEV_TIMEOUT=${VDEV_TIMEOUT:-120}
FERRY_CLI_SRCDIR=${FERRY_CLI_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
export FERRY FERRY_VDEV
# messages in English, sizes with a dot
export LC_ALL=C.UTF-8
unset FERRY_DEVICE

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ -x "$FERRY" ] || fail "no ferry at $FERRY"
[ -x "$FERRY_VDEV" ] || fail "no ferry-vdev at $FERRY_VDEV"

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-cli.XXXXXX")
cleanup() {
    if [ -n "${FERRY_TESTS_KEEP:-}" ]; then
        echo "kept $T"
    else
        chmod -R u+rwx "$T" 2>/dev/null || true
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The device's storage: a real folder.
DEV=$T/device
mkdir -p "$DEV"

# vdev [OPTION...] -- COMMAND...: one bounded ferry-vdev run
vdev() {
    timeout -k 5 "$VDEV_TIMEOUT" "$FERRY_VDEV" -q "$@"
}

# VDEV_OPTS: extra ferry-vdev options for fy (an array)
VDEV_OPTS=()
STORAGE_OPTS=""

# fy ARG...: runs `ferry ARG...` against a fresh virtual device whose
# storage is $DEV (unpaced link); stdout in $T/out, stderr in $T/err
# (ferry's lines only), the exit status in $rc. Never fails itself.
fy() {
    rc=0
    vdev --link none -s "Internal storage=$DEV$STORAGE_OPTS" "${VDEV_OPTS[@]}" -- \
        "$FERRY" "$@" >"$T/out" 2>"$T/err.all" || rc=$?
    # umockdev's own complaints are not ferry's
    grep -v -e 'CRITICAL' -e '^$' "$T/err.all" >"$T/err" || true
}

# nodev ARG...: `ferry ARG...` with no device at all (no ferry-vdev)
nodev() {
    rc=0
    timeout -k 5 30 "$FERRY" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

show() {
    echo "--- exit $rc; stdout:" >&2
    head -c 4000 "$T/out" >&2 || true
    echo "--- stderr:" >&2
    head -c 4000 "$T/err" >&2 || true
}

# expect_rc N: the last fy/nodev exited with N
expect_rc() {
    [ "$rc" = "$1" ] || { show; fail "exit status $rc, expected $1"; }
}

# out_has ERE / err_has ERE / out_lacks ERE / err_lacks ERE
out_has() { grep -Eq -- "$1" "$T/out" || { show; fail "stdout lacks /$1/"; }; }
err_has() { grep -Eq -- "$1" "$T/err" || { show; fail "stderr lacks /$1/"; }; }
out_lacks() { ! grep -Eq -- "$1" "$T/out" || { show; fail "stdout has /$1/"; }; }
err_lacks() { ! grep -Eq -- "$1" "$T/err" || { show; fail "stderr has /$1/"; }; }

# err_one_line: stderr is exactly one line, a "ferry: " message
err_one_line() {
    n=$(wc -l <"$T/err")
    [ "$n" = 1 ] && grep -q '^ferry: ' "$T/err" || { show; fail "stderr is not one ferry: line"; }
}

# usage_error: exit 2, a message, then the synopsis
usage_error() {
    expect_rc 2
    head -n 1 "$T/err" | grep -q '^ferry: ' || { show; fail "no one-line message before the usage"; }
    grep -q '^Usage: ferry ' "$T/err" || { show; fail "no usage"; }
    [ ! -s "$T/out" ] || { show; fail "usage error wrote to stdout"; }
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

# no_leftovers DIR...: no part file of ferry, no temporary of the device
no_leftovers() {
    left=$(find "$@" \( -name '.*.ferry-part' -o -name '.ferry-part-*' -o -name '.ferry-old-*' \
        -o -name '.ferry-vdev-incoming.*' \) -print | head -5)
    [ -z "$left" ] || fail "leftovers: $left"
}

# json FILE EXPR: a value from a JSON file (EXPR is Python on d)
json() {
    python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# orphans STATS: objects the device created that never got their data
orphans() {
    json "$1" 'sum(x["orphans"] for x in d["devices"])'
}
