#!/bin/bash
# A configured pull pair (device -> here): the first sync copies the device
# folder, with modification times; a rerun with nothing new copies nothing
# (counted in the summary); new and changed files on the device arrive; a
# change here stays here; a deletion on the device is remembered and not
# propagated (delete = no), and a new device file under the name of a file
# kept only here does not overwrite it (both kept); with delete = yes a
# deletion on the device is propagated, except for a file changed here.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "# photos from the phone
[pair photos]
remote = /DCIM
local = $LOC/photos
direction = pull"

mkfile "$DEV/DCIM/a.jpg" 100000 1700000000
mkfile "$DEV/DCIM/Camera/b.jpg" 3000000 1700000100
mkfile "$DEV/DCIM/Camera/empty.txt" 0 1700000200
mkfile "$DEV/Other/outside.bin" 100 1700000300

step "first sync: the device folder arrives, times kept"
fy_ok sync
expect_counts copied=3 unchanged=0 conflicts=0 failed=0 deleted=0 pairs=1
same_tree "$DEV/DCIM" "$LOC/photos"
[ "$(stat -c %Y "$LOC/photos/Camera/b.jpg")" = 1700000100 ] || fail "the modification time was not kept"
[ ! -e "$LOC/photos/outside.bin" ] && [ ! -e "$LOC/Other" ] || fail "a file outside the pair arrived"
no_partial "$DEV" "$LOC"
db_ok
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM files WHERE has_remote AND has_local')" = 3 ] || fail "state: 3 records expected"

step "rerun with nothing new: nothing copied"
fy_ok sync
expect_counts copied=0 unchanged=3 failed=0

step "new and changed files on the device arrive"
mkfile "$DEV/DCIM/Camera/new.jpg" 70000 1700001000
mkfile "$DEV/DCIM/a.jpg" 100000 1700001100 # same size, other bytes and time
fy_ok sync
expect_counts copied=2 unchanged=2 failed=0
same_tree "$DEV/DCIM" "$LOC/photos"
fy_ok sync
expect_counts copied=0 unchanged=4

step "a change here stays here (pull pair)"
mktext "$LOC/photos/Camera/empty.txt" "written here" 1700001200
cp "$DEV/DCIM/Camera/empty.txt" "$T/empty.dev"
fy_ok sync
expect_counts copied=0 failed=0
grep -q "written here" "$LOC/photos/Camera/empty.txt" || fail "the local change was overwritten"
same "$DEV/DCIM/Camera/empty.txt" "$T/empty.dev"

step "delete = no: a deletion on the device is remembered, not propagated"
cp "$LOC/photos/Camera/new.jpg" "$T/new.orig"
rm "$DEV/DCIM/Camera/new.jpg"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0
same "$LOC/photos/Camera/new.jpg" "$T/new.orig"
fy_ok sync
expect_counts copied=0 deleted=0

step "a new device file under the name of a file kept only here: both kept"
mkfile "$DEV/DCIM/Camera/new.jpg" 50000 1700002000
fy_ok sync
expect_counts copied=0 conflicts=1 failed=0
same "$LOC/photos/Camera/new.jpg" "$T/new.orig"
cn=$(find "$LOC/photos/Camera" -name 'new (conflict FERRY0001 *).jpg')
[ -n "$cn" ] || { ls -la "$LOC/photos/Camera" >&2; fail "no conflict copy of the device's new.jpg"; }
same "$cn" "$DEV/DCIM/Camera/new.jpg"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0

step "delete = yes: a deletion on the device is propagated, not for a file changed here"
conf "[pair photos]
remote = /DCIM
local = $LOC/photos
direction = pull
delete = yes"
rm "$DEV/DCIM/a.jpg" "$DEV/DCIM/Camera/empty.txt"
fy_ok sync
expect_counts deleted=1 failed=0
[ ! -e "$LOC/photos/a.jpg" ] || fail "a.jpg was not deleted here"
grep -q "written here" "$LOC/photos/Camera/empty.txt" || fail "a file changed here was deleted"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0
[ -e "$LOC/photos/Camera/b.jpg" ] || fail "b.jpg went"
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
