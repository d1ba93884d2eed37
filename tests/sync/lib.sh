# Common part of the `ferry sync` tests, sourced by each tests/sync/*.sh.
#
# Environment (make check sets the first two):
#   FERRY             the ferry binary
#   FERRY_VDEV        the ferry-vdev binary
#   SYNC_TIMEOUT      seconds one ferry-vdev run may take (default 120)
#   FERRY_TESTS_KEEP  set: keep the temporary directory for a post-mortem
#
# Every test has its own temporary directory $T (removed on exit) and
# points HOME and the XDG folders into it, so the configuration, the state
# store and the lock are the test's own. Every device session is bounded
# by timeout(1). The device's storage "Internal storage" is the real
# directory $DEV; the local side of the pairs lives under $LOC.

set -eu

: "${FERRY:?FERRY must name the ferry binary}"
: "${FERRY_VDEV:?FERRY_VDEV must name the ferry-vdev binary}"
SYNC_TIMEOUT=${SYNC_TIMEOUT:-120}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ -x "$FERRY" ] || fail "no ferry at $FERRY"
[ -x "$FERRY_VDEV" ] || fail "no ferry-vdev at $FERRY_VDEV"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 is not installed"

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-sync.XXXXXX")
cleanup() {
    if [ -n "${FERRY_TESTS_KEEP:-}" ]; then
        echo "kept $T"
    else
        chmod -R u+w "$T" 2>/dev/null || true
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

export HOME="$T/home"
export XDG_CONFIG_HOME="$T/config"
export XDG_STATE_HOME="$T/state"
export XDG_RUNTIME_DIR="$T/run"
unset FERRY_DEVICE
mkdir -p "$HOME" "$XDG_CONFIG_HOME/ferry" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
CONF="$XDG_CONFIG_HOME/ferry/sync.conf"
DB="$XDG_STATE_HOME/ferry/sync.db"
DEV="$T/device"
LOC="$T/local"
OUT="$T/out"
mkdir -p "$DEV" "$LOC"

# vdev [OPTION...] -- COMMAND...: one bounded device session (a plug-in)
# with the storage backed by $DEV; unpaced link unless told otherwise.
# VDEV_STORAGE_OPTS: more of the storage's options (",capacity=2M").
VDEV_LINK=${VDEV_LINK:-none}
VDEV_STORAGE_OPTS=${VDEV_STORAGE_OPTS:-}
vdev() {
    timeout -k 10 "$SYNC_TIMEOUT" "$FERRY_VDEV" -q --link "$VDEV_LINK" \
        -s "Internal storage=$DEV$VDEV_STORAGE_OPTS" "$@"
}

# fy [VDEV OPTION...] -- FERRY ARG...: one ferry command on a fresh
# plug-in; its output (stdout and stderr) in $OUT, its status in $RC.
fy() {
    vopts=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        vopts="$vopts $1"
        shift
    done
    [ $# -gt 0 ] && shift
    RC=0
    # shellcheck disable=SC2086 # vdev options are words
    vdev $vopts -- "$FERRY" "$@" >"$OUT" 2>&1 || RC=$?
    if [ -n "${SYNC_VERBOSE:-}" ]; then
        sed 's/^/    | /' "$OUT"
    fi
    [ "$RC" -lt 124 ] || { cat "$OUT" >&2; fail "ferry $*: status $RC (timeout or crash)"; }
}

# fy_ok FERRY ARG...: as fy, and the command must succeed
fy_ok() {
    fy -- "$@"
    [ "$RC" -eq 0 ] || { cat "$OUT" >&2; fail "ferry $*: status $RC"; }
}

# expect_rc N: the last command's status
expect_rc() {
    [ "$RC" -eq "$1" ] || { cat "$OUT" >&2; fail "status $RC, expected $1"; }
}

# counts [FILE]: the summary lines of FILE ($OUT) summed over the pairs, as
# "copied=N unchanged=N skipped=N conflicts=N failed=N deleted=N removed=N
# pairs=N"
# (with progress drawn, the line may start after the escapes that clear it)
SUMMARY_RE='ferry: sync .*: [0-9]+ copied, [0-9]+ unchanged, [0-9]+ skipped, [0-9]+ conflicts, [0-9]+ failed, [0-9]+ deleted, [0-9]+ removed after import$'
counts() {
    grep -oE "$SUMMARY_RE" "${1:-$OUT}" | sed -E 's/^.*: ([0-9]+ copied, )/\1/' | awk -F', ' '
        { pairs++
          for (i = 1; i <= NF; i++) { split($i, w, " "); t[w[2]] += w[1] } }
        END { printf "copied=%d unchanged=%d skipped=%d conflicts=%d failed=%d deleted=%d removed=%d pairs=%d\n",
              t["copied"], t["unchanged"], t["skipped"], t["conflicts"], t["failed"], t["deleted"],
              t["removed"], pairs }'
}

# expect_counts KEY=N...: the summary has these numbers (others: any)
expect_counts() {
    have=$(counts)
    for kv in "$@"; do
        case " $have " in
            *" $kv "*) ;;
            *) cat "$OUT" >&2; fail "summary: $have; expected $kv" ;;
        esac
    done
}

# mkfile PATH SIZE [MTIME]: SIZE random bytes, with a fixed modification
# time (seconds since the epoch) so changes are seen whatever the clock
mkfile() {
    mkdir -p "$(dirname "$1")"
    head -c "$2" /dev/urandom >"$1"
    if [ $# -ge 3 ]; then touch -d "@$3" "$1"; fi
}

# mktext PATH TEXT [MTIME]
mktext() {
    mkdir -p "$(dirname "$1")"
    printf '%s\n' "$2" >"$1"
    if [ $# -ge 3 ]; then touch -d "@$3" "$1"; fi
}

# same A B: byte-identical files
same() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}

# same_tree A B: the same files with the same bytes, nothing more
same_tree() {
    diff -r "$1" "$2" >"$T/diff.out" 2>&1 || { cat "$T/diff.out" >&2; fail "trees $1 and $2 differ"; }
}

# files DIR: the sorted relative paths of the files in DIR
files() {
    (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

# no_partial DIR...: no temporary file of ferry (download part files,
# upload part objects, objects set aside) nor of the device left
no_partial() {
    for d in "$@"; do
        left=$(find "$d" \( -name '.*.ferry-part' -o -name '.ferry-part-*' -o -name '.ferry-old-*' \
            -o -name '.ferry-vdev-incoming.*' \) | head -5)
        [ -z "$left" ] || fail "temporary files left in $d: $left"
    done
}

# db_ok: the state store passes SQLite's integrity check
db_ok() {
    r=$(sqlite3 "$DB" 'PRAGMA integrity_check;')
    [ "$r" = ok ] || fail "state store: integrity_check says: $r"
}

# db_dump: the state store's rows, for before/after comparisons
db_dump() {
    if [ -f "$DB" ]; then
        sqlite3 "$DB" 'SELECT device, pair, path, has_remote, has_local, rsize, rmtime, lsize, lmtime, hash,
                       conflict, synced_at FROM files ORDER BY device, pair, path;'
    fi
}

# conf TEXT: the user's sync.conf
conf() {
    printf '%s\n' "$1" >"$CONF"
}

# snapshot DIR NAME: a copy of DIR (bytes, times) under $T/snap/NAME
snapshot() {
    rm -rf "$T/snap/$2"
    mkdir -p "$T/snap"
    cp -a "$1" "$T/snap/$2"
}
