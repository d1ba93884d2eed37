#!/bin/bash
# Include and exclude globs of a two-way pair with delete = yes: only
# wanted files cross, in both directions; a pattern without '/' matches
# the file name, one with '/' the path inside the pair; excludes win;
# files a pair does not want are never deleted nor counted, even when they
# were synced before the filters changed.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair pics]
remote = /Pictures
local = $LOC/pics
direction = both
delete = yes
include = *.jpg
include = docs/*
exclude = *.tmp.jpg
exclude = private/*"

P="$LOC/pics"
R="$DEV/Pictures"
for side in "$R" "$P"; do
    s=$([ "$side" = "$R" ] && echo dev || echo loc)
    mkfile "$side/$s-a.jpg" 1000 1700000000
    mkfile "$side/sub/$s-b.jpg" 2000 1700000000
    mkfile "$side/$s-c.png" 3000 1700000000
    mkfile "$side/$s-d.tmp.jpg" 4000 1700000000
    mkfile "$side/private/$s-e.jpg" 5000 1700000000
    mkfile "$side/docs/$s-f.md" 6000 1700000000
    mkfile "$side/docs/deep/$s-g.txt" 7000 1700000000
done
snapshot "$R" dev0
snapshot "$P" loc0

step "only wanted files cross, both ways"
fy_ok sync
expect_counts copied=8 conflicts=0 failed=0 unchanged=0
for s in dev loc; do
    for f in "$s-a.jpg" "sub/$s-b.jpg" "docs/$s-f.md" "docs/deep/$s-g.txt"; do
        [ -f "$R/$f" ] && [ -f "$P/$f" ] || fail "$f did not reach both sides"
        same "$R/$f" "$P/$f"
    done
done
for f in dev-c.png dev-d.tmp.jpg private/dev-e.jpg; do
    [ ! -e "$P/$f" ] || fail "$f (not wanted) arrived here"
    same "$R/$f" "$T/snap/dev0/$f"
done
for f in loc-c.png loc-d.tmp.jpg private/loc-e.jpg; do
    [ ! -e "$R/$f" ] || fail "$f (not wanted) reached the device"
    same "$P/$f" "$T/snap/loc0/$f"
done
fy_ok sync
expect_counts copied=0 unchanged=8 failed=0

step "filters changed: files no longer wanted are left alone, never deleted"
conf "[pair pics]
remote = /Pictures
local = $LOC/pics
direction = both
delete = yes
include = *.jpg
exclude = *.tmp.jpg
exclude = private/*
exclude = sub/*"
rm "$P/sub/dev-b.jpg" "$R/docs/loc-f.md"
fy_ok sync
expect_counts copied=0 deleted=0 failed=0 unchanged=2
[ -f "$R/sub/dev-b.jpg" ] || fail "an excluded file deleted here was deleted on the device"
[ -f "$P/docs/loc-f.md" ] || fail "a file no longer included was deleted here"
[ -f "$R/private/dev-e.jpg" ] && [ -f "$P/private/loc-e.jpg" ] || fail "a file not wanted went"
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
