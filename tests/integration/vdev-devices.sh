#!/bin/sh
# Two virtual devices at once (--devices 2): mtp-detect sees both, each
# with its own serial number and its own storage directory.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-detect

D=$T/device
mkdir -p "$D/device1" "$D/device2"
echo one >"$D/device1/one.txt"
echo two >"$D/device2/two.txt"

step "mtp-detect with two devices"
vdev --link none --devices 2 --serial FIRST01 --stats "$T/stats.json" -s "Internal storage=$D" -- \
    mtp-detect >"$T/detect.txt" 2>&1 || { show "$T/detect.txt"; fail "mtp-detect failed"; }

grep -q "Found 2 device" "$T/detect.txt" || { cat "$T/detect.txt" >&2; fail "mtp-detect did not find two devices"; }
sed -n 's/^ *Serial number: //p' "$T/detect.txt" | sort -u >"$T/serials.txt"
[ "$(wc -l <"$T/serials.txt")" -eq 2 ] || { cat "$T/serials.txt" >&2; fail "the serial numbers are not distinct"; }
grep -qx FIRST01 "$T/serials.txt" || fail "device 1 does not have the --serial given"
grep -qx FERRY0002 "$T/serials.txt" || fail "device 2 is not FERRY0002"

step "each device opened a session and kept its own storage"
if command -v python3 >/dev/null 2>&1; then
    [ "$(json "$T/stats.json" 'len(d["devices"])')" = 2 ] || fail "stats: not two devices"
    for k in 0 1; do
        n=$(json "$T/stats.json" "d['devices'][$k]['operations'].get('OpenSession', 0)")
        [ "$n" -ge 1 ] || fail "device $((k + 1)) got no OpenSession"
    done
fi
[ -f "$D/device1/one.txt" ] && [ -f "$D/device2/two.txt" ] || fail "storage directories changed"
echo PASS
