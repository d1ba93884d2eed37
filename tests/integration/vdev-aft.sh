#!/bin/sh
# android-file-transfer's aft-mtp-cli against ferry-vdev: ls, get, put,
# mkdir, rm, with BIG_MIB (16) MiB and a tree of small files both ways, compared
# byte for byte with the device's backing directory. aft-mtp-cli reads its
# commands from standard input in batch mode (-b).
#
# aft-mtp-cli 4.2 creates the folders of a recursive "put DIR" in the
# current folder instead of inside each other, so the tree goes up as
# mkdir + cd + put FILE FOLDER; "get FOLDER" is recursive and right.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need aft-mtp-cli

D=$T/device
L=$T/local
G=$T/got
mkdir -p "$D" "$L" "$G"

# VDEV_BIG_MIB sets the size of the big file (bench/ measures speed)
BIG_MIB=${VDEV_BIG_MIB:-16}
step "prepare $BIG_MIB MiB both ways and two trees of 60 files"
mkrand "$D/big-down.bin" $((BIG_MIB << 20))
mkrand "$L/big-up.bin" $((BIG_MIB << 20))
small_tree "$D/pre" 60
cp -r "$D/pre" "$T/pre-orig"
small_tree "$L/tree" 60
mkrand "$L/doomed.bin" 100000

{
    echo "ls"
    echo "get big-down.bin $G/big-down.bin"
    echo "put $L/big-up.bin"
    echo "get pre $G/pre"
    echo "mkdir up"
    echo "cd up"
    echo "mkdir a"
    echo "mkdir b"
    echo "cd b"
    echo "mkdir c"
    echo "cd /"
    for f in "$L"/tree/a/*; do echo "put $f /up/a"; done
    for f in "$L"/tree/b/*; do [ -f "$f" ] && echo "put $f /up/b"; done
    for f in "$L"/tree/b/c/*; do echo "put $f /up/b/c"; done
    echo "mkdir gone"
    echo "put $L/doomed.bin /gone"
    echo "rm gone"
    echo "rm pre/a/edge1.bin"
    echo "ls-r"
} >"$T/commands.txt"

step "run aft-mtp-cli (link none)"
vdev --link none --stats "$T/stats.json" -s "Internal storage=$D" -- \
    aft-mtp-cli -b <"$T/commands.txt" >"$T/aft.txt" 2>&1 || { show "$T/aft.txt"; fail "aft-mtp-cli failed"; }
if grep -q "^error" "$T/aft.txt"; then
    grep "^error" "$T/aft.txt" >&2
    fail "aft-mtp-cli reported errors"
fi

step "ls listed the device"
grep -q "big-down.bin" "$T/aft.txt" || fail "ls: no big-down.bin"
grep -q "up/b/c/" "$T/aft.txt" || fail "ls-r: no up/b/c"

step "$BIG_MIB MiB both ways, byte-identical"
same "$D/big-down.bin" "$G/big-down.bin"
same "$L/big-up.bin" "$D/big-up.bin"

step "trees both ways, byte-identical"
same_tree "$T/pre-orig" "$G/pre"
same_tree "$L/tree" "$D/up"

step "rm removed a folder with its file, and a file"
[ ! -e "$D/gone" ] || fail "folder gone is still there"
[ ! -e "$D/pre/a/edge1.bin" ] || fail "pre/a/edge1.bin is still there"
[ -e "$D/pre/a/edge2.bin" ] || fail "rm took too much"
no_partial "$D"
echo PASS
