#!/bin/bash
# Devices: with two devices connected, `ferry sync` runs the pairs of
# each; -d chooses one (serial number, bus:address, or the port path the
# udev unit passes, e.g. 1-2); -d that matches nothing is status 3; an ad
# hoc pair needs one device. One sync per device at a time: a second sync
# for a device that is being synced is refused (status 4) while another
# device syncs alongside. A device that another program holds is retried
# with backoff (1, 2, 4, 8 s): the sync goes ahead once it is free, and
# is reported (status 4) when it stays busy.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

conf "[pair one]
serial = FERRY0001
remote = /Sync
local = $LOC/one
direction = pull

[pair two]
serial = FERRY0002
remote = /Sync
local = $LOC/two
direction = pull"

# with --devices 2, device K keeps its storage in $DEV/deviceK
mkfile "$DEV/device1/Sync/a1.bin" 1000 1700000000
mkfile "$DEV/device2/Sync/a2.bin" 2000 1700000000
mkfile "$DEV/device2/Sync/b2.bin" 3000 1700000000

step "two devices: the pairs of each run"
fy -n 2 -- sync
expect_rc 0
expect_counts copied=3 pairs=2 failed=0
same_tree "$DEV/device1/Sync" "$LOC/one"
same_tree "$DEV/device2/Sync" "$LOC/two"

step "-d chooses one device: serial, bus:address, port path"
mkfile "$DEV/device1/Sync/c1.bin" 100 1700000100
mkfile "$DEV/device2/Sync/c2.bin" 200 1700000100
fy -n 2 -- -d FERRY0002 sync
expect_rc 0
expect_counts copied=1 pairs=1
[ -f "$LOC/two/c2.bin" ] && [ ! -e "$LOC/one/c1.bin" ] || fail "-d FERRY0002"
mkfile "$DEV/device2/Sync/d2.bin" 300 1700000200
fy -n 2 -- -d 1-2 sync
expect_rc 0
expect_counts copied=1 pairs=1
[ -f "$LOC/two/d2.bin" ] && [ ! -e "$LOC/one/c1.bin" ] || fail "-d 1-2"
fy -n 2 -- -d 1-1 sync
expect_rc 0
expect_counts copied=1 pairs=1
[ -f "$LOC/one/c1.bin" ] || fail "-d 1-1"
fy -n 2 -- -d NO-SUCH-DEVICE sync
expect_rc 3
grep -q 'no device matches "NO-SUCH-DEVICE"' "$OUT" || { cat "$OUT" >&2; fail "-d NO-SUCH-DEVICE not reported"; }

step "an ad hoc pair needs one device"
fy -n 2 -- sync --pull /Sync "$LOC/adhoc"
expect_rc 2
grep -q "several devices" "$OUT" || { cat "$OUT" >&2; fail "not told to choose"; }
[ ! -e "$LOC/adhoc" ] || fail "an ad hoc pair ran with two devices"
fy -n 2 -- -d 1:2 sync --pull /Sync "$LOC/adhoc"
expect_rc 0
same_tree "$DEV/device1/Sync" "$LOC/adhoc"

step "one sync per device: a second one is refused, another device syncs alongside"
mkfile "$DEV/device1/Sync/big.bin" $((48 << 20)) 1700000300
mkfile "$DEV/device2/Sync/e2.bin" 400 1700000300
RC=0
VDEV_LINK=usb2 vdev -n 2 -- bash -c '
    "$1" -d FERRY0001 sync >"$2/first.out" 2>&1 & first=$!
    for i in $(seq 1 100); do
        [ -e "$3/.big.bin.ferry-part" ] && break
        sleep 0.05
    done
    "$1" -d FERRY0001 sync >"$2/second.out" 2>&1; echo $? >"$2/second.rc"
    "$1" -d FERRY0002 sync >"$2/other.out" 2>&1; echo $? >"$2/other.rc"
    wait $first; echo $? >"$2/first.rc"' sh "$FERRY" "$T" "$LOC/one" || RC=$?
[ "$RC" -eq 0 ] || fail "the session failed ($RC)"
[ "$(cat "$T/second.rc")" = 4 ] || { cat "$T/second.out" >&2; fail "the second sync was not refused with status 4"; }
grep -q "another ferry sync is running for FERRY0001" "$T/second.out" || { cat "$T/second.out" >&2; fail "no message"; }
[ "$(cat "$T/other.rc")" = 0 ] || { cat "$T/other.out" >&2; fail "the other device's sync did not run"; }
[ -f "$LOC/two/e2.bin" ] || fail "e2.bin did not arrive"
[ "$(cat "$T/first.rc")" = 0 ] || { cat "$T/first.out" >&2; fail "the first sync failed"; }
same "$LOC/one/big.bin" "$DEV/device1/Sync/big.bin"
rm "$DEV/device1/Sync/big.bin" "$LOC/one/big.bin"

step "a device held by another program: retried, then the sync goes ahead"
if command -v aft-mtp-cli >/dev/null 2>&1; then
    mkfile "$DEV/device1/Sync/f1.bin" 500 1700000400
    RC=0
    vdev -n 2 -- bash -c '
        mkfifo "$2/hold"
        aft-mtp-cli -b <"$2/hold" >"$2/aft.out" 2>&1 & holder=$!
        exec 3>"$2/hold"
        sleep 1
        "$1" sync >"$2/held.out" 2>&1 3>&- & f=$!
        sleep 3
        exec 3>&-
        wait $f; echo $? >"$2/held.rc"
        wait $holder' sh "$FERRY" "$T" || RC=$?
    [ "$(cat "$T/held.rc")" = 0 ] || { cat "$T/held.out" "$T/aft.out" >&2; fail "the sync did not go ahead"; }
    grep -q "in use by another program" "$T/held.out" || { cat "$T/held.out" >&2; fail "the holder was not seen"; }
    grep -q "retrying in 1 s" "$T/held.out" || { cat "$T/held.out" >&2; fail "no retry"; }
    [ -f "$LOC/one/f1.bin" ] || fail "f1.bin did not arrive"

    step "a device that stays held: reported, status 4"
    mkfile "$DEV/device1/Sync/g1.bin" 500 1700000500
    rm -f "$T/hold"
    vdev -n 2 -- bash -c '
        mkfifo "$2/hold"
        aft-mtp-cli -b <"$2/hold" >"$2/aft.out" 2>&1 & holder=$!
        exec 3>"$2/hold"
        sleep 1
        "$1" sync >"$2/held.out" 2>&1 3>&-; echo $? >"$2/held.rc"
        exec 3>&-
        wait $holder' sh "$FERRY" "$T" || true
    [ "$(cat "$T/held.rc")" = 4 ] || { cat "$T/held.out" >&2; fail "status $(cat "$T/held.rc"), expected 4"; }
    grep -q "retrying in 8 s" "$T/held.out" || { cat "$T/held.out" >&2; fail "no backoff up to 8 s"; }
    grep -q "stayed in use by another program" "$T/held.out" || { cat "$T/held.out" >&2; fail "not reported"; }
    [ ! -e "$LOC/one/g1.bin" ] || fail "g1.bin arrived from a held device"
else
    echo "(aft-mtp-cli is not installed: the busy device is not tested)"
fi
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
