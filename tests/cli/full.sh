#!/bin/bash
# A storage that fills up in the middle of a copy: a clear error per file
# that did not fit, exit 6, and nothing partial on the device (the backing
# folder holds only complete files, no temporary object is left) or on
# the local side. The same for a local disk that fills up during a get
# (a small tmpfs, where a user namespace lets the test mount one).
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

S=$T/src
mkdir -p "$S/tree/sub"
for i in 1 2 3 4 5; do
    mkrand "$S/tree/f$i.bin" $((3 << 20))
done
mkrand "$S/tree/sub/g.bin" $((3 << 20))
mkrand "$S/big.bin" $((24 << 20))

# complete_only: every file on the device is a complete copy of its source
complete_only() {
    no_leftovers "$DEV"
    (cd "$DEV" && find . -type f) | while read -r f; do
        cmp -s "$DEV/$f" "$S/$f" || fail "$f on the device is not a complete copy"
    done
}

step "a 10 MB storage, a 18 MB tree: the files that fit, then StoreFull"
STORAGE_OPTS=",capacity=10M"
VDEV_OPTS=(-S "$T/stats.json")
fy put -r "$S/tree" /
expect_rc 6
err_has "^ferry: put $S/tree/[a-z0-9/]+\.bin: storage is full \(the device answered StoreFull\)$"
err_has '^ferry: sent [0-9] of 6 files \([0-9.]+ MB\); [0-9] failed$'
n=$(find "$DEV" -type f | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "$n files on a 10 MB storage"
complete_only
[ "$(orphans "$T/stats.json")" = 0 ] || fail "orphans on the device"

step "the device fills in the middle of a file's data"
rm -rf "${DEV:?}"/*
STORAGE_OPTS=""
VDEV_OPTS=(-f full@byte=9M -S "$T/stats.json")
fy put "$S/big.bin" /
expect_rc 6
err_one_line
err_has "^ferry: put $S/big.bin: storage is full"
[ -z "$(find "$DEV" -mindepth 1)" ] || { find "$DEV" >&2; fail "something of big.bin is on the device"; }
[ "$(orphans "$T/stats.json")" = 0 ] || fail "orphans on the device"

step "... and in the middle of a tree"
VDEV_OPTS=(-f full@byte=7M -S "$T/stats.json")
fy put -r "$S/tree" /
expect_rc 6
complete_only
[ "$(find "$DEV" -type f | wc -l)" -le 2 ] || fail "files after the storage was full"
[ "$(orphans "$T/stats.json")" = 0 ] || fail "orphans on the device"

step "a replace that does not fit keeps the old object"
rm -rf "${DEV:?}"/*
printf 'old\n' >"$DEV/big.bin"
VDEV_OPTS=(-f full@byte=5M)
fy put "$S/big.bin" /big.bin
expect_rc 6
grep -qx old "$DEV/big.bin" || fail "the old object was lost"
no_leftovers "$DEV"

step "the local disk fills up during a get (a 4 MB tmpfs, where a user namespace allows one)"
mkdir -p "$T/small"
if timeout 10 unshare -rm sh -c "mount -t tmpfs -o size=4m tmpfs '$T/small'" 2>/dev/null; then
    rm -rf "${DEV:?}"/*
    cp "$S/big.bin" "$S/tree/f1.bin" "$DEV/"
    printf 'small\n' >"$DEV/a.txt"
    cat >"$T/small.sh" <<EOS
mount -t tmpfs -o size=4m tmpfs '$T/small' || exit 99
rc=0
timeout -k 5 120 "$FERRY_VDEV" -q --link none -s "Internal storage=$DEV" -- \
    "$FERRY" get /a.txt /big.bin /f1.bin '$T/small/' >'$T/out' 2>'$T/err.all' || rc=\$?
echo \$rc >'$T/small.rc'
ls -A '$T/small' >'$T/small.ls'
for f in \$(ls -A '$T/small'); do cmp -s "$DEV/\$f" "$T/small/\$f" || echo "\$f" >>'$T/small.bad'; done
EOS
    timeout -k 5 150 unshare -rm sh "$T/small.sh" || fail "the tmpfs run failed"
    rc=$(cat "$T/small.rc")
    grep -v -e CRITICAL -e '^$' "$T/err.all" >"$T/err" || true
    expect_rc 6
    err_has '^ferry: get /big.bin: no space left on the local disk'
    # big.bin did not fit and is not there; what fitted after it is
    printf 'a.txt\nf1.bin\n' | diff - "$T/small.ls" || fail "not what fits on the full disk"
    [ ! -e "$T/small.bad" ] || fail "incomplete on the full disk: $(cat "$T/small.bad")"
else
    echo "(no user namespace for a tmpfs: skipped)"
fi

step "the device answers the next command and takes what fits"
VDEV_OPTS=()
fy put "$S/tree/f1.bin" /
expect_rc 0
same "$S/tree/f1.bin" "$DEV/f1.bin"

echo "PASS"
