#!/bin/bash
# A configured two-way pair: the first sync merges both folders (files on
# both sides with the same bytes are recorded, different ones are a
# conflict); a rerun copies nothing; new and changed files on each side
# go to the other; a deletion is not taken for a file that is new on the
# other side (delete = no: remembered, not propagated; delete = yes:
# propagated, but a change on the other side wins); a file changed on both
# sides keeps both versions on both sides, nothing is overwritten, and
# reruns copy nothing.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair notes]
remote = /Internal storage/Notes
local = $LOC/notes
direction = both"

N="$LOC/notes"
R="$DEV/Notes"
mktext "$R/d1.txt" "device one" 1700000000
mkfile "$R/sub/d2.bin" 200000 1700000010
mktext "$R/same.txt" "the same on both" 1700000020
mktext "$R/diff.txt" "the device's version" 1700000030
mktext "$N/l1.txt" "local one" 1700000040
mkfile "$N/sub/l2.bin" 300000 1700000050
cp -p "$R/same.txt" "$N/same.txt"
mktext "$N/diff.txt" "this computer's version" 1700000060
cp -p "$R/diff.txt" "$T/diff.dev"
cp -p "$N/diff.txt" "$T/diff.loc"

# expect_both PATH...: the file is on both sides with the same bytes
expect_both() {
    for p in "$@"; do
        [ -f "$R/$p" ] || fail "$p is not on the device"
        [ -f "$N/$p" ] || fail "$p is not here"
        same "$R/$p" "$N/$p"
    done
}

# conflict_copies NAME STEM EXT: the device's version of NAME is here as
# "STEM (conflict FERRY0001 ...)EXT" and this computer's is on the device
# as "STEM (conflict HOST ...)EXT"; prints nothing, sets CL and CR
conflict_copies() {
    CL=$(find "$N" -name "$2 (conflict FERRY0001 *)$3")
    CR=$(find "$R" -name "$2 (conflict $(hostname) *)$3")
    [ -n "$CL" ] && [ "$(printf '%s\n' "$CL" | wc -l)" -eq 1 ] || { find "$N" >&2; fail "$1: not one conflict copy here"; }
    [ -n "$CR" ] && [ "$(printf '%s\n' "$CR" | wc -l)" -eq 1 ] || { find "$R" >&2; fail "$1: not one conflict copy on the device"; }
}

step "first sync: both folders merged, a difference is a conflict"
fy_ok sync
expect_counts copied=4 unchanged=1 conflicts=1 failed=0 pairs=1
expect_both d1.txt sub/d2.bin same.txt l1.txt sub/l2.bin
same "$R/diff.txt" "$T/diff.dev"
same "$N/diff.txt" "$T/diff.loc"
conflict_copies diff.txt diff .txt
same "$CL" "$T/diff.dev"
same "$CR" "$T/diff.loc"
no_partial "$DEV" "$LOC"
db_ok

step "rerun: nothing copied, no new conflict"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
conflict_copies diff.txt diff .txt

step "new and changed files on each side go to the other"
mktext "$R/sub/d3.txt" "new on the device" 1700001000
mktext "$R/d1.txt" "device one, changed" 1700001010
mktext "$N/l3 new.txt" "new here" 1700001020
mkfile "$N/sub/l2.bin" 300001 1700001030
fy_ok sync
expect_counts copied=4 conflicts=0 failed=0
expect_both d1.txt sub/d3.txt "l3 new.txt" sub/l2.bin
grep -q "changed" "$N/d1.txt" || fail "the device's change did not arrive"
fy_ok sync
expect_counts copied=0 failed=0

step "delete = no: deletions are remembered, not taken for new files"
rm "$N/l1.txt" "$R/sub/d3.txt"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0
[ ! -e "$N/l1.txt" ] || fail "l1.txt deleted here came back from the device"
[ ! -e "$R/sub/d3.txt" ] || fail "d3.txt deleted on the device came back from here"
[ -f "$R/l1.txt" ] && [ -f "$N/sub/d3.txt" ] || fail "a deletion was propagated without delete = yes"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0

step "delete = yes: deletions are propagated both ways"
conf "[pair notes]
remote = /Internal storage/Notes
local = $LOC/notes
direction = both
delete = yes"
rm "$N/sub/l2.bin" "$R/sub/d2.bin"
fy_ok sync
expect_counts copied=0 deleted=2 failed=0
[ ! -e "$R/sub/l2.bin" ] || fail "l2.bin deleted here is still on the device"
[ ! -e "$N/sub/d2.bin" ] || fail "d2.bin deleted on the device is still here"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0

step "delete = yes: a deletion on one side and a change on the other: the change wins"
rm "$N/d1.txt"
mktext "$R/d1.txt" "device one, changed again" 1700002000
mktext "$N/l3 new.txt" "new here, changed" 1700002010
rm "$R/l3 new.txt"
fy_ok sync
expect_counts copied=2 deleted=0 failed=0
expect_both d1.txt "l3 new.txt"
grep -q "changed again" "$N/d1.txt" || fail "d1.txt: the change did not win"
grep -q "new here, changed" "$R/l3 new.txt" || fail "l3 new.txt: the change did not win"

step "changed on both sides: both versions kept on both sides, nothing overwritten"
mktext "$R/same.txt" "same.txt as changed on the device" 1700003000
mktext "$N/same.txt" "same.txt as changed here, longer" 1700003010
cp -p "$R/same.txt" "$T/same.dev"
cp -p "$N/same.txt" "$T/same.loc"
fy_ok sync
expect_counts copied=0 conflicts=1 failed=0
same "$R/same.txt" "$T/same.dev"
same "$N/same.txt" "$T/same.loc"
conflict_copies same.txt same .txt
same "$CL" "$T/same.dev"
same "$CR" "$T/same.loc"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
same "$R/same.txt" "$T/same.dev"
same "$N/same.txt" "$T/same.loc"
step "a conflict interrupted by a pulled cable: the rerun ends as one run would"
mktext "$R/sub/c1.txt" "c1 as changed on the device" 1700004000
mktext "$N/sub/c1.txt" "c1 as changed here, not the same" 1700004010
cp -p "$R/sub/c1.txt" "$T/c1.dev"
cp -p "$N/sub/c1.txt" "$T/c1.loc"
fy --fault unplug@op=SendObjectInfo -- sync
[ "$RC" -ne 0 ] || { cat "$OUT" >&2; fail "the cable was not pulled"; }
no_partial "$DEV" "$LOC"
fy_ok sync
expect_counts conflicts=1 failed=0
conflict_copies c1.txt c1 .txt
same "$CL" "$T/c1.dev"
same "$CR" "$T/c1.loc"
same "$R/sub/c1.txt" "$T/c1.dev"
same "$N/sub/c1.txt" "$T/c1.loc"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
conflict_copies c1.txt c1 .txt

step "a conflict copy a killed run made but did not record: kept where it is, not sent on"
mktext "$R/c2.txt" "c2 as changed on the device" 1700005000
mktext "$N/c2.txt" "c2 as changed here" 1700005010
# what a run killed right after the copy arrived leaves: the copy here,
# and the state store's note that it was being made
stamp=$(date -d @1700005000 '+%Y-%m-%d %H%M%S')
cp -p "$R/c2.txt" "$N/c2 (conflict FERRY0001 $stamp).txt"
sqlite3 "$DB" "INSERT INTO files (device, pair, path, has_remote, has_local, hash, conflict)
    VALUES ('FERRY0001', 'notes', 'c2 (conflict FERRY0001 $stamp).txt', 0, 0, '', 1);"
fy_ok sync
expect_counts conflicts=1 failed=0
conflict_copies c2.txt c2 .txt
[ "$CL" = "$N/c2 (conflict FERRY0001 $stamp).txt" ] || fail "another conflict copy was made: $CL"
[ ! -e "$R/c2 (conflict FERRY0001 $stamp).txt" ] || fail "the conflict copy here was sent to the device"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
