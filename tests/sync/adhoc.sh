#!/bin/bash
# Ad hoc pairs (--pull, --push, --both) run with the same state store and
# the same guarantees as configured ones: a rerun copies nothing, --delete,
# --include/--exclude and --remove-after-import act as the keys do, a
# relative local folder is taken from the current folder; progress is
# drawn when asked (--progress, as on a terminal). --dry-run says
# what would happen (the same numbers the real run then gives) and changes
# nothing: not the files, not their times, not the state store (not even
# making one). Wrong arguments are one error and status 2.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

# tree_state DIR...: every file and folder with size, time and checksum
tree_state() {
    for d in "$@"; do
        (cd "$d" && find . -printf '%y %p %s %T@\n' | LC_ALL=C sort)
        (cd "$d" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r md5sum)
    done
}

mkfile "$DEV/A/a1.bin" 10000 1700000000
mkfile "$DEV/A/sub/a2.bin" 20000 1700000001
mkfile "$DEV/A/skip.tmp" 300 1700000002
mkfile "$LOC/b/b1.bin" 30000 1700000003
mkfile "$LOC/b/deep/b2.bin" 40000 1700000004

step "--pull DEVICE_PATH LOCAL_DIR, relative, with --exclude"
(cd "$LOC" && fy_ok sync --pull /A pulled --exclude '*.tmp')
expect_counts copied=2 failed=0 pairs=1
[ -f "$LOC/pulled/a1.bin" ] && [ -f "$LOC/pulled/sub/a2.bin" ] && [ ! -e "$LOC/pulled/skip.tmp" ] ||
    { find "$LOC" >&2; fail "--pull --exclude"; }
same "$LOC/pulled/sub/a2.bin" "$DEV/A/sub/a2.bin"
(cd "$LOC" && fy_ok sync --pull /A pulled --exclude '*.tmp')
expect_counts copied=0 unchanged=2

step "--push LOCAL_DIR DEVICE_PATH, with --include"
fy_ok sync --push "$LOC/b" /B --include 'b1.*'
expect_counts copied=1 failed=0
[ -f "$DEV/B/b1.bin" ] && [ ! -e "$DEV/B/deep" ] || { find "$DEV/B" >&2; fail "--push --include"; }
fy_ok sync --push "$LOC/b" /B --include 'b1.*'
expect_counts copied=0 unchanged=1

step "--both DEVICE_PATH LOCAL_DIR, --delete"
fy_ok sync --both /A "$LOC/both"
expect_counts copied=3 failed=0
same_tree "$DEV/A" "$LOC/both"
mkfile "$LOC/both/new.bin" 5000 1700000100
rm "$DEV/A/skip.tmp"
fy_ok sync --both /A "$LOC/both" --delete
expect_counts copied=1 deleted=1 failed=0
same_tree "$DEV/A" "$LOC/both"
fy_ok sync --both /A "$LOC/both" --delete
expect_counts copied=0 deleted=0

step "progress: drawn with --progress (as on a terminal), one summary at the end"
mkfile "$DEV/P/big.bin" 3000000 1700000050
VDEV_LINK=usb2 fy -- --progress sync --pull /P "$LOC/p"
expect_rc 0
tr '\r' '\n' <"$OUT" | grep -qE '^.*big\.bin +\[[-#]+\] +[0-9]+%' ||
    { cat -v "$OUT" >&2; fail "no progress line for big.bin"; }
tr '\r' '\n' <"$OUT" | grep -qE '[0-9]+/1 files +\[' || { cat -v "$OUT" >&2; fail "no progress line for the job"; }
expect_counts copied=1 pairs=1

step "--remove-after-import"
mkfile "$DEV/In/i1.bin" 100000 1700000200
mkfile "$DEV/In/i2.bin" 200000 1700000201
snapshot "$DEV/In" in
fy_ok sync --pull /In "$LOC/in" --remove-after-import
expect_counts copied=2 removed=2 failed=0
same_tree "$T/snap/in" "$LOC/in"
[ -z "$(files "$DEV/In")" ] || fail "files left on the device"

step "--dry-run: the numbers of the real run, and nothing changes"
# pending: new on both sides, changed on both, a conflict, deletions
mkfile "$DEV/A/dev-new.bin" 1000 1700001000
mkfile "$DEV/A/a1.bin" 10001 1700001001
mkfile "$LOC/both/loc-new.bin" 2000 1700001002
mkfile "$LOC/both/sub/a2.bin" 20001 1700001003
mkfile "$DEV/A/new.bin" 5001 1700001004
mkfile "$LOC/both/new.bin" 5002 1700001005
mkfile "$DEV/In/i3.bin" 3000 1700001007
rm "$DEV/B/b1.bin"
tree_state "$DEV" "$LOC" >"$T/before.tree"
db_dump >"$T/before.db"
for args in "--both /A $LOC/both --delete" "--pull /In $LOC/in --remove-after-import" "--push $LOC/b /B --include b1.*"; do
    # shellcheck disable=SC2086 # the arguments are words
    fy_ok sync --dry-run $args
    grep -q "(dry run)" "$OUT" || { cat "$OUT" >&2; fail "no dry run summary"; }
    counts >"$T/dry.counts"
    tree_state "$DEV" "$LOC" >"$T/after.tree"
    db_dump >"$T/after.db"
    cmp -s "$T/before.tree" "$T/after.tree" || { diff "$T/before.tree" "$T/after.tree" >&2; fail "--dry-run $args changed files"; }
    cmp -s "$T/before.db" "$T/after.db" || { diff "$T/before.db" "$T/after.db" >&2; fail "--dry-run $args changed the state store"; }
    # shellcheck disable=SC2086
    fy_ok sync $args
    counts >"$T/real.counts"
    cmp -s "$T/dry.counts" "$T/real.counts" ||
        { cat "$T/dry.counts" "$T/real.counts" >&2; fail "--dry-run $args: other numbers than the real run"; }
    tree_state "$DEV" "$LOC" >"$T/before.tree"
    db_dump >"$T/before.db"
done
no_partial "$DEV" "$LOC"
db_ok

step "--dry-run with no state store makes none"
rm -rf "$XDG_STATE_HOME/ferry"
fy_ok sync -n --both /A "$LOC/both"
[ ! -e "$DB" ] || fail "a dry run made the state store"
[ ! -e "$XDG_STATE_HOME/ferry" ] || fail "a dry run made the state folder"

step "wrong arguments: status 2"
for args in "--pull /A" "--push $LOC/b" "--pull /A $LOC/x extra" "--push $LOC/b /B --remove-after-import" \
    "--bogus" "stray"; do
    # shellcheck disable=SC2086
    fy -- sync $args
    expect_rc 2
done
echo "PASS"
