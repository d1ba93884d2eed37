#!/bin/bash
# The device is not trusted. ferry-vdev --hostile-names presents a folder
# "hostile" whose objects are named "..", ".", "../escape.txt",
# "/etc/passwd", "a/b", names with control characters and terminal
# escapes, "dup.txt" twice, a 254-byte name, a name with a newline and
# "". `ferry get -r` must write nothing outside its target, refuse and
# report each bad name (escaped: no raw control character reaches the
# terminal), and still copy the good ones. Symlinks planted in the local
# target are not followed out of it.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

VDEV_OPTS=(--hostile-names)
mkdir -p "$DEV/DCIM"
printf 'photo\n' >"$DEV/DCIM/p.jpg"
S=$T/sandbox
mkdir -p "$S/target" "$T/elsewhere"
passwd_sum=$(cksum </etc/passwd)

# no_raw_controls FILE: every line is a ferry message without control bytes
no_raw_controls() {
    if LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$1" >/dev/null; then
        cat -A "$1" >&2
        fail "raw control characters in $1"
    fi
}

step "ls, tree, stat and ls --json show the names escaped"
fy ls -l /hostile
expect_rc 0
no_raw_controls "$T/out"
out_has 'ctrl\\x01\\x1b\[31mred$'
out_has 'nl\\x0aname$'
out_has ' \.\./escape\.txt$'
[ "$(grep -c ' dup\.txt$' "$T/out")" = 2 ] || { show; fail "ls does not show both dup.txt"; }
fy tree /hostile
expect_rc 0
no_raw_controls "$T/out"
fy ls --json /hostile
expect_rc 0
python3 - "$T/out" <<'EOP' || fail "ls --json /hostile"
import json, sys
names = sorted(o["name"] for o in json.load(open(sys.argv[1])))
want = ["..", ".", "../escape.txt", "/etc/passwd", "a/b", "dup.txt", "nl\nname", ""]
for w in want:
    assert w in names, w
assert any(n.startswith("ctrl\x01\x1b[31m") for n in names)
assert any(len(n.encode()) == 254 for n in names)
assert names.count("dup.txt") == 2
EOP

step "get -r /hostile: nothing outside the target, each bad name reported"
fy get -r /hostile "$S/target"
expect_rc 1
no_raw_controls "$T/err"
# what landed: the good names only, inside the target
(cd "$S" && find . -print | LC_ALL=C sort) >"$T/landed"
long=$(printf 'x%.0s' $(seq 1 254))
printf '%s\n' . ./target ./target/hostile ./target/hostile/normal.txt "./target/hostile/$long" |
    LC_ALL=C sort >"$T/want"
diff "$T/want" "$T/landed" || fail "get -r /hostile wrote something else"
[ "$(cksum </etc/passwd)" = "$passwd_sum" ] || fail "/etc/passwd changed"
[ -z "$(find "$T" -name escape.txt)" ] || fail "escape.txt was written"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "something landed in $T/elsewhere"
for name in '\.\.' '\.' '\.\./escape\.txt' '/etc/passwd' 'a/b' 'ctrl\\x01\\x1b\[31mred' 'nl\\x0aname' ''; do
    grep -Eq "^ferry: get /hostile/$name: skipped: " "$T/err" || { show; fail "no report for '$name'"; }
done
[ "$(grep -c '^ferry: get /hostile/dup.txt: skipped: another object in this folder has the same name$' \
    "$T/err")" = 2 ] || { show; fail "both dup.txt are not reported"; }
err_has '^ferry: copied 2 of 12 files \([0-9]+ B\); 10 failed$'
no_leftovers "$S"

step "get of one hostile object into a folder is refused too"
for name in .. ../escape.txt /etc/passwd a/b; do
    # the path cannot name them; resolve by id through a listing is not
    # possible from the command line: a path with them is refused
    fy get "/hostile/$name" "$S/target/"
    [ "$rc" != 0 ] || { show; fail "get /hostile/$name succeeded"; }
done
(cd "$S" && find . -print | LC_ALL=C sort) >"$T/landed"
diff "$T/want" "$T/landed" || fail "a hostile path wrote something"

step "get -r of the whole storage: the same, and the rest is copied"
rm -rf "$S/target"
mkdir "$S/target"
fy get -r / "$S/target"
expect_rc 1
# the top of the storage arrives as a folder named after the storage
same "$DEV/DCIM/p.jpg" "$S/target/Internal storage/DCIM/p.jpg"
[ -f "$S/target/Internal storage/hostile/normal.txt" ] || fail "normal.txt was not copied"
[ "$(find "$S" -mindepth 1 | wc -l)" = 7 ] || { find "$S" >&2; fail "get -r / wrote something else"; }
[ -z "$(ls -A "$T/elsewhere")" ] || fail "something landed in $T/elsewhere"

step "a symlink in the target where a folder goes is not followed"
rm -rf "$S/target"
mkdir "$S/target"
ln -s "$T/elsewhere" "$S/target/hostile"
ln -s "$T/elsewhere" "$S/target/DCIM"
fy get -r /hostile /DCIM "$S/target"
expect_rc 1
err_has "^ferry: get: $S/target/DCIM: is a symlink \(not followed out of the target\)"
err_has "^ferry: get: $S/target/hostile: is a symlink"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "get -r followed a symlink out of the target"
[ -L "$S/target/DCIM" ] || fail "the symlink was replaced"
rm "$S/target/DCIM" "$S/target/hostile"
mkdir "$S/target/DCIM"
ln -s "$T/elsewhere" "$S/target/DCIM/sub"
mkdir -p "$DEV/DCIM/sub"
printf 'deep\n' >"$DEV/DCIM/sub/deep.txt"
fy get -r /DCIM "$S/target"
expect_rc 1
err_has "^ferry: get: $S/target/DCIM/sub: is a symlink"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "get -r followed a symlink out of the target"
same "$DEV/DCIM/p.jpg" "$S/target/DCIM/p.jpg"
rm -r "$DEV/DCIM/sub"

step "a symlink in the target where a file goes is replaced, not written through"
rm -rf "$S/target"
mkdir -p "$S/target/DCIM"
printf 'precious\n' >"$T/elsewhere/p.jpg"
ln -s "$T/elsewhere/p.jpg" "$S/target/DCIM/p.jpg"
fy get -r /DCIM "$S/target"
expect_rc 0
grep -qx precious "$T/elsewhere/p.jpg" || fail "get wrote through a symlink"
[ -f "$S/target/DCIM/p.jpg" ] && [ ! -L "$S/target/DCIM/p.jpg" ] || fail "p.jpg is not a file"
same "$DEV/DCIM/p.jpg" "$S/target/DCIM/p.jpg"
step "a symlink planted as the part file is not written through"
ln -s "$T/elsewhere/p.jpg" "$S/target/DCIM/.p.jpg.ferry-part"
rm "$S/target/DCIM/p.jpg"
fy get /DCIM/p.jpg "$S/target/DCIM/"
expect_rc 0
grep -qx precious "$T/elsewhere/p.jpg" || fail "get wrote through a symlinked part file"
same "$DEV/DCIM/p.jpg" "$S/target/DCIM/p.jpg"
no_leftovers "$S"
step "a symlink as the target of a single get is replaced, not written through"
ln -s "$T/elsewhere/p.jpg" "$S/link.jpg"
fy get /DCIM/p.jpg "$S/link.jpg"
expect_rc 0
grep -qx precious "$T/elsewhere/p.jpg" || fail "get wrote through the symlink it was given"
same "$DEV/DCIM/p.jpg" "$S/link.jpg"

step "the device answers the next command"
fy ls /hostile
expect_rc 0

echo "PASS"
