#!/bin/bash
# A 1 GiB file (sparse on the local side, a few bytes of data at both ends
# and in the middle) goes to the device and comes back byte-identical, on
# an unpaced link. Sizes past 2^31 and 2^32 - 1 bytes of offsets are the
# point; the bytes are compared with cmp.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

G=$((1 << 30))
f=$T/sparse.bin
truncate -s "$G" "$f"
printf 'start' | dd of="$f" conv=notrunc status=none
printf 'middle' | dd of="$f" bs=1 seek=$((G / 2 + 7)) conv=notrunc status=none
printf 'end' | dd of="$f" bs=1 seek=$((G - 3)) conv=notrunc status=none
[ "$(stat -c %s "$f")" = "$G" ] || fail "the sparse file is not 1 GiB"
avail=$(df -P -k "$T" | awk 'NR == 2 { print $4 }')
[ "$avail" -gt $((3 << 20)) ] || skip "less than 3 GiB free in $T"

step "put of 1 GiB"
VDEV_OPTS=(-S "$T/stats.json")
fy put "$f" /
expect_rc 0
[ "$(stat -c %s "$DEV/sparse.bin")" = "$G" ] || fail "the object is not 1 GiB"
cmp "$f" "$DEV/sparse.bin" || fail "the object differs"
[ "$(json "$T/stats.json" 'd["devices"][0]["bytes"]["from_host"] >= (1 << 30)')" = True ] ||
    fail "less than 1 GiB went over the link"

step "ls -l and stat show the size"
VDEV_OPTS=()
fy ls -l /sparse.bin
expect_rc 0
out_has "^- +$G  "
fy stat --json /sparse.bin
expect_rc 0
[ "$(json "$T/out" 'd[0]["size"]')" = "$G" ] || fail "stat --json size"

step "get of 1 GiB"
rm "$f"
fy get /sparse.bin "$T/back.bin"
expect_rc 0
[ "$(stat -c %s "$T/back.bin")" = "$G" ] || fail "the copy is not 1 GiB"
cmp "$DEV/sparse.bin" "$T/back.bin" || fail "the copy differs"
no_leftovers "$T" "$DEV"

echo "PASS"
