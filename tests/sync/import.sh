#!/bin/bash
# remove-after-import: a pull pair that deletes each file from the device
# once its copy here is complete and its checksum matches. Files leave the
# device only then: a transfer that fails (short data phase, pulled
# cable) or a copy that cannot be made here keeps the file on the device,
# and a rerun finishes the job. A file already here with the device's
# size and time is compared by its bytes (read from the device) before the
# device's copy goes. A new device file under the name of an
# imported one (a camera's counter that starts again) never overwrites the
# imported copy: both are kept. Every imported file is compared with the
# device's original, kept aside from the backing directory.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair camera]
remote = /DCIM/Camera
local = ~/Pictures/Phone
direction = pull
remove-after-import = yes"

P="$HOME/Pictures/Phone"
C="$DEV/DCIM/Camera"
mkfile "$C/IMG_0001.jpg" 1500000 1700000000
mkfile "$C/IMG_0002.jpg" 700000 1700000100
mkfile "$C/IMG_0003.jpg" 2500000 1700000200
mkfile "$C/VID/VID_0001.mp4" 4000000 1700000300
mkfile "$C/tiny.txt" 1 1700000400
snapshot "$C" orig

# imported PATH...: PATH is here, equal to the device's original, and no
# longer on the device
imported() {
    for p in "$@"; do
        [ -f "$P/$p" ] || fail "$p was not imported"
        same "$P/$p" "$T/snap/orig/$p"
        [ ! -e "$C/$p" ] || fail "$p is still on the device"
    done
}

# kept PATH...: PATH is still on the device, intact
kept() {
    for p in "$@"; do
        [ -f "$C/$p" ] || fail "$p left the device"
        same "$C/$p" "$T/snap/orig/$p"
    done
}

step "a failed transfer (short data phase) keeps the file on the device"
fy --fault short@op=GetObject#2 -- sync
expect_rc 8
expect_counts failed=1 copied=4 removed=4
n=0
for p in $(files "$T/snap/orig"); do
    if [ -f "$C/$p" ]; then
        kept "$p"
        [ ! -e "$P/$p" ] || fail "$p: on the device and here after a failed transfer"
        n=$((n + 1))
    else
        imported "$p"
    fi
done
[ "$n" -eq 1 ] || fail "$n files kept on the device, expected 1"
no_partial "$DEV" "$HOME"
db_ok

step "rerun: the rest is imported and removed"
fy_ok sync
expect_counts copied=1 removed=1 failed=0
imported $(files "$T/snap/orig")
[ -z "$(files "$C")" ] || fail "files left on the device"
fy_ok sync
expect_counts copied=0 removed=0 failed=0

step "a pulled cable in the middle: what was verified left the device, the rest stays"
mkfile "$C/B/big1.bin" 3000000 1700001000
mkfile "$C/B/big2.bin" 3000000 1700001001
mkfile "$C/B/big3.bin" 3000000 1700001002
snapshot "$C" orig
fy --fault unplug@byte=4500k -- sync
[ "$RC" -ne 0 ] || { cat "$OUT" >&2; fail "the sync did not see the cable go"; }
imported B/big1.bin
kept B/big2.bin B/big3.bin
[ ! -e "$P/B/big2.bin" ] || fail "big2.bin arrived although the cable went"
no_partial "$DEV" "$HOME"
db_ok
fy_ok sync
expect_counts copied=2 removed=2 failed=0
imported B/big1.bin B/big2.bin B/big3.bin

step "a copy that cannot be made here keeps the file on the device"
mkfile "$C/D/IMG_0100.jpg" 5000 1700002000
mkfile "$C/E/IMG_0101.jpg" 6000 1700002001
snapshot "$C" orig
mktext "$P/D" "a file where the folder D should be"
fy -- sync
expect_rc 1
expect_counts copied=1 removed=1 failed=1
kept D/IMG_0100.jpg
imported E/IMG_0101.jpg
rm "$P/D"
fy_ok sync
expect_counts copied=1 removed=1 failed=0
imported D/IMG_0100.jpg

step "a new device file under an imported name: both kept, nothing overwritten"
snapshot "$P" before
mkfile "$C/IMG_0001.jpg" 900000 1700003000
cp -p "$C/IMG_0001.jpg" "$T/new0001"
fy_ok sync
expect_counts copied=0 conflicts=1 removed=1 failed=0
same "$P/IMG_0001.jpg" "$T/snap/before/IMG_0001.jpg"
cn=$(find "$P" -name 'IMG_0001 (conflict FERRY0001 *).jpg')
[ -n "$cn" ] || { ls -la "$P" >&2; fail "the new IMG_0001.jpg was not imported beside the old one"; }
same "$cn" "$T/new0001"
[ ! -e "$C/IMG_0001.jpg" ] || fail "the new IMG_0001.jpg is still on the device"
fy_ok sync
expect_counts copied=0 conflicts=0 removed=0 failed=0

step "a file here with the device's size and time: the device's bytes decide"
mkfile "$C/F/other.jpg" 4000 1700004000
mkfile "$C/F/ident.jpg" 5000 1700004001
snapshot "$C" orig
mkfile "$P/F/other.jpg" 4000 1700004000 # same size and time, other bytes
cp -p "$C/F/ident.jpg" "$P/F/ident.jpg"
cp -p "$P/F/other.jpg" "$T/other.here"
fy_ok sync
expect_counts copied=0 conflicts=1 removed=2 failed=0
same "$P/F/other.jpg" "$T/other.here"
cn=$(find "$P/F" -name 'other (conflict FERRY0001 *).jpg')
[ -n "$cn" ] || { ls -la "$P/F" >&2; fail "the device's other.jpg was taken for the one here"; }
same "$cn" "$T/snap/orig/F/other.jpg"
imported F/ident.jpg
[ ! -e "$C/F/other.jpg" ] || fail "other.jpg is still on the device"
snapshot "$P" before

step "delete = yes does not delete imported files here"
conf "[pair camera]
remote = /DCIM/Camera
local = ~/Pictures/Phone
direction = pull
delete = yes
remove-after-import = yes"
fy_ok sync
expect_counts deleted=0 failed=0
same "$P/IMG_0001.jpg" "$T/snap/before/IMG_0001.jpg"
[ "$(files "$P" | wc -l)" -eq 14 ] || { files "$P" >&2; fail "not 14 files here"; }
no_partial "$DEV" "$HOME"
db_ok
echo "PASS"
