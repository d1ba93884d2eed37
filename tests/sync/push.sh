#!/bin/bash
# A configured push pair (here -> device): the first sync makes the device
# folder and copies the local folder there, with modification times; a
# rerun with nothing new copies nothing; new and changed local files are
# sent; a change on the device stays there; a local deletion is
# remembered, not propagated (delete = no), and a new local file under the
# name of a file kept only on the device does not overwrite it; with
# delete = yes a local deletion is propagated, except for a file changed
# on the device.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair music]
remote = /Music/Phone
local = ~/Music
direction = push
"

M="$HOME/Music"
mkfile "$M/one.mp3" 2000000 1700000000
mkfile "$M/Album/two.mp3" 512 1700000100
mkfile "$M/Album/three.mp3" 65536 1700000200
mkdir -p "$DEV"

step "first sync: the device folder is made, the local folder sent, times kept"
fy_ok sync
expect_counts copied=3 unchanged=0 conflicts=0 failed=0 pairs=1
same_tree "$M" "$DEV/Music/Phone"
[ "$(stat -c %Y "$DEV/Music/Phone/Album/two.mp3")" = 1700000100 ] || fail "the modification time was not kept"
no_partial "$DEV" "$M"
db_ok

step "rerun with nothing new: nothing copied"
fy_ok sync
expect_counts copied=0 unchanged=3 failed=0

step "new and changed local files are sent"
mkfile "$M/Album/four.mp3" 300000 1700001000
mkfile "$M/one.mp3" 1000 1700001100
fy_ok sync
expect_counts copied=2 unchanged=2 failed=0
same_tree "$M" "$DEV/Music/Phone"
fy_ok sync
expect_counts copied=0 unchanged=4

step "a change on the device stays there (push pair)"
mktext "$DEV/Music/Phone/Album/two.mp3" "changed on the device" 1700001200
cp "$M/Album/two.mp3" "$T/two.local"
fy_ok sync
expect_counts copied=0 failed=0
grep -q "changed on the device" "$DEV/Music/Phone/Album/two.mp3" || fail "the device's change was overwritten"
same "$M/Album/two.mp3" "$T/two.local"

step "delete = no: a local deletion is remembered, not propagated"
cp "$M/Album/four.mp3" "$T/four.orig"
rm "$M/Album/four.mp3"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0
same "$DEV/Music/Phone/Album/four.mp3" "$T/four.orig"
[ ! -e "$M/Album/four.mp3" ] || fail "the deleted file came back"
fy_ok sync
expect_counts copied=0 deleted=0

step "a new local file under the name of a file kept only on the device: both kept"
mkfile "$M/Album/four.mp3" 4000 1700002000
fy_ok sync
expect_counts copied=0 conflicts=1 failed=0
same "$DEV/Music/Phone/Album/four.mp3" "$T/four.orig"
cn=$(find "$DEV/Music/Phone/Album" -name 'four (conflict * *).mp3')
[ -n "$cn" ] || { ls -la "$DEV/Music/Phone/Album" >&2; fail "no conflict copy on the device"; }
same "$cn" "$M/Album/four.mp3"
fy_ok sync
expect_counts copied=0 conflicts=0 failed=0

step "delete = yes: a local deletion is propagated, not for a file changed on the device"
conf "[pair music]
remote = /Music/Phone
local = ~/Music
direction = push
delete = yes"
rm "$M/one.mp3" "$M/Album/two.mp3"
fy_ok sync
expect_counts deleted=1 failed=0
[ ! -e "$DEV/Music/Phone/one.mp3" ] || fail "one.mp3 was not deleted on the device"
grep -q "changed on the device" "$DEV/Music/Phone/Album/two.mp3" || fail "a file changed on the device was deleted"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0
[ -e "$DEV/Music/Phone/Album/three.mp3" ] || fail "three.mp3 went"
no_partial "$DEV" "$M"
db_ok
echo "PASS"
