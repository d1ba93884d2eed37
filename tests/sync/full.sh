#!/bin/bash
# A full storage leaves no partial file and a next run converges:
#   - pushing more than the device's storage holds (capacity=): the files
#     that fit arrive, the others fail with "storage is full" (status 6),
#     no part object is left, and once there is room a rerun sends the
#     rest;
#   - the storage turning full in the middle of an upload (--fault
#     full@byte=N): the same;
#   - the local disk full (a small tmpfs in a private mount namespace;
#     root only, else not tested): the pull fails with status 6, no part
#     file is left, and with room a rerun brings the rest.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair up]
remote = /Up
local = $LOC/up
direction = push

[pair down]
remote = /Down
local = $LOC/down
direction = pull"

mkfile "$LOC/up/a.bin" 1000000 1700000000
mkfile "$LOC/up/b.bin" 1000000 1700000001
mkfile "$LOC/up/c.bin" 1000000 1700000002
mkfile "$LOC/up/d.bin" 1000000 1700000003

step "more than the storage holds: what fits arrives, the rest fails cleanly"
VDEV_STORAGE_OPTS=,capacity=2500k fy -- sync
expect_rc 6
expect_counts copied=2 failed=2
[ "$(files "$DEV/Up" | wc -l)" -eq 2 ] || { files "$DEV/Up" >&2; fail "not 2 files on the device"; }
for f in $(files "$DEV/Up"); do same "$DEV/Up/$f" "$LOC/up/$f"; done
grep -qi "full" "$OUT" || { cat "$OUT" >&2; fail "the full storage was not reported"; }
no_partial "$DEV" "$LOC"
db_ok

step "with room, a rerun sends the rest"
fy_ok sync
expect_counts copied=2 failed=0
same_tree "$LOC/up" "$DEV/Up"

step "the storage turns full in the middle of an upload"
mkfile "$LOC/up/e.bin" 3000000 1700000010
mkfile "$LOC/up/f.bin" 3000000 1700000011
fy --fault full@byte=1500k -- sync
[ "$RC" -ne 0 ] || { cat "$OUT" >&2; fail "the full storage went unnoticed"; }
expect_counts copied=0 failed=2
[ ! -e "$DEV/Up/e.bin" ] && [ ! -e "$DEV/Up/f.bin" ] || fail "a file arrived on a full storage"
no_partial "$DEV" "$LOC"
db_ok
fy_ok sync
expect_counts copied=2 failed=0
same_tree "$LOC/up" "$DEV/Up"

step "the local disk full"
mkfile "$DEV/Down/one.bin" 600000 1700000100
mkfile "$DEV/Down/two.bin" 600000 1700000101
mkfile "$DEV/Down/three.bin" 600000 1700000102
if [ "$(id -u)" = 0 ] && timeout 30 unshare -m sh -c "mount -t tmpfs -o size=1m tmpfs '$LOC'" 2>/dev/null; then
    mkdir -p "$LOC/down" "$T/full"
    RC=0
    # both runs in one mount namespace, on a tmpfs of 1 MiB, then of 4 MiB
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout -k 10 "$SYNC_TIMEOUT" unshare -m bash -c '
        loc=$1 vdev=$2 dev=$3 ferry=$4 o=$5
        mount -t tmpfs -o size=1m tmpfs "$loc/down"
        run() {
            "$vdev" -q --link none -s "Internal storage=$dev" -- "$ferry" sync >"$o/$1.out" 2>&1
            echo $? >"$o/$1.rc"
            find "$loc/down" -name ".*.ferry-part" >"$o/$1.parts"
            for f in "$loc"/down/*.bin; do
                [ -e "$f" ] || continue
                cmp -s "$f" "$dev/Down/$(basename "$f")" || echo "$f differs"
            done >"$o/$1.diff"
            ls "$loc/down" | wc -l >"$o/$1.n"
        }
        run full
        mount -o remount,size=4m "$loc/down"
        run room' sh "$LOC" "$FERRY_VDEV" "$DEV" "$FERRY" "$T/full" || RC=$?
    [ "$RC" -eq 0 ] || fail "the mount namespace ended with $RC"
    cp "$T/full/full.out" "$OUT"
    RC=$(cat "$T/full/full.rc")
    expect_rc 6
    expect_counts copied=1 failed=2
    [ ! -s "$T/full/full.parts" ] || { cat "$T/full/full.parts" >&2; fail "part files left on the full disk"; }
    [ ! -s "$T/full/full.diff" ] || { cat "$T/full/full.diff" >&2; fail "a partial file on the full disk"; }
    [ "$(cat "$T/full/full.n")" -eq 1 ] || { cat "$OUT" >&2; fail "not 1 file on the 1 MiB disk"; }
    cp "$T/full/room.out" "$OUT"
    RC=$(cat "$T/full/room.rc")
    expect_rc 0
    expect_counts copied=2 failed=0
    [ ! -s "$T/full/room.parts" ] && [ ! -s "$T/full/room.diff" ] || fail "with room: partial files"
    [ "$(cat "$T/full/room.n")" -eq 3 ] || { cat "$OUT" >&2; fail "not 3 files with room"; }
    db_ok
else
    echo "(no tmpfs in a mount namespace here: the full local disk is not tested)"
fi
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
