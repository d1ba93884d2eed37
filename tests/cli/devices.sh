#!/bin/bash
# Choosing a device: with one it is chosen automatically; with two, a
# command without -d names them in one line and exits 2; -d SERIAL,
# -d BUS:ADDRESS, -d NAME (when it is unambiguous) and FERRY_DEVICE pick
# one, and each copy lands on the device chosen.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

printf 'one\n' >"$T/up.txt"

# two devices, each with its storage in $DEV/device<K>
cat >"$T/two.sh" <<'EOS'
set -u
run() { # NAME ARGS...: ferry's output and status in $T/NAME.*
    n=$1
    shift
    rc=0
    "$FERRY" "$@" >"$T/$n.out" 2>"$T/$n.err" || rc=$?
    echo "$rc" >"$T/$n.rc"
}
run devices devices
run devjson devices --json
run nod ls /
run name -d "Virtual MTP device" ls /
run nomatch -d NOSUCH ls /
run info2 -d FERRY0002 info
addr=$(sed -n 's/^\([0-9]*:[0-9]*\) .* FERRY0002 .*/\1/p' "$T/devices.out")
run byaddr -d "$addr" put "$T/up.txt" /by-address.txt
run byserial -d FERRY0001 put "$T/up.txt" /by-serial.txt
FERRY_DEVICE=FERRY0002 run byenv put "$T/up.txt" /by-env.txt
FERRY_DEVICE=FERRY0002 run envoverride -d FERRY0001 put "$T/up.txt" /by-option.txt
EOS
export T
step "two devices"
vdev --link none -n 2 -s "Internal storage=$DEV" -- bash "$T/two.sh" || fail "ferry-vdev -n 2 failed"

check() { # NAME RC
    rc=$(cat "$T/$1.rc")
    cp "$T/$1.out" "$T/out"
    grep -v CRITICAL "$T/$1.err" >"$T/err" || true
    expect_rc "$2"
}

check devices 0
[ "$(wc -l <"$T/out")" = 2 ] || { show; fail "two devices, two lines"; }
out_has ' FERRY0001 '
out_has ' FERRY0002 '
check devjson 0
[ "$(json "$T/out" 'sorted(x["serial"] for x in d)')" = "['FERRY0001', 'FERRY0002']" ] || fail "devices --json"

step "no -d with two devices: one line naming them, exit 2"
check nod 2
err_one_line
err_has 'several devices are connected \(FERRY000[12] at [0-9]+:[0-9]+, FERRY000[12] at [0-9]+:[0-9]+\): choose one with -d'
step "-d NAME matching both: exit 2"
check name 2
err_one_line
err_has 'several devices match "Virtual MTP device"'
step "-d matching none: exit 3"
check nomatch 3
err_one_line
err_has 'no device matches "NOSUCH"'

step "-d SERIAL, -d BUS:ADDRESS, FERRY_DEVICE, -d over FERRY_DEVICE"
check info2 0
out_has '^Serial: +FERRY0002$'
check byaddr 0
check byserial 0
check byenv 0
check envoverride 0
same "$T/up.txt" "$DEV/device2/by-address.txt"
same "$T/up.txt" "$DEV/device1/by-serial.txt"
same "$T/up.txt" "$DEV/device2/by-env.txt"
same "$T/up.txt" "$DEV/device1/by-option.txt"
[ "$(find "$DEV" -type f | wc -l)" = 4 ] || { find "$DEV" >&2; fail "a copy landed twice"; }

step "one device: chosen without -d; -d NAME and -d SERIAL work too"
rm -rf "$DEV"
mkdir -p "$DEV"
fy put "$T/up.txt" /auto.txt
expect_rc 0
fy -d "Virtual MTP device" ls /
expect_rc 0
out_has '^auto.txt$'
fy -d FERRY0001 ls /
expect_rc 0
fy --device=FERRY0001 ls /
expect_rc 0
fy -d FERRY0009 ls /
expect_rc 3
err_one_line

echo "PASS"
