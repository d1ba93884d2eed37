#!/bin/sh
# The counters ferry-vdev writes on exit (--stats FILE): valid JSON, and
# plausible: bytes moved cover the file, operations and round trips are
# counted, URBs and ioctls add up, the USB 2 link model paces the data,
# cancels and orphans show, and the command's exit status is kept.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-getfile python3
[ -x "$MTP_PROBE" ] || skip "no mtp-probe"

D=$T/device
mkdir -p "$D"
mkrand "$D/eight.bin" $((8 << 20))

step "mtp-getfile of 8 MiB on a USB 2 link"
vdev --link usb2 --stats "$T/s.json" -s "Internal=$D" -- mtp-getfile 1 "$T/got.bin" >"$T/getfile.txt" 2>&1 ||
    fail "mtp-getfile failed"
same "$D/eight.bin" "$T/got.bin"
python3 -m json.tool "$T/s.json" >/dev/null || fail "the stats are not valid JSON"
python3 - "$T/s.json" <<'EOS' || fail "implausible counters"
import json, sys
s = json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        print("stats:", what, file=sys.stderr)
        print(json.dumps(s, indent=2), file=sys.stderr)
        sys.exit(1)
size = 8 << 20
check(s["exit_status"] == 0, "exit_status")
check(s["link"] == "usb2", "link")
check(len(s["devices"]) == 1, "one device")
d = s["devices"][0]
check(d["persona"] == "compliant" and d["serial"] == "FERRY0001", "identity")
ops = d["operations"]
check(ops.get("GetObject") == 1, "one GetObject")
check(ops.get("OpenSession", 0) >= 1, "OpenSession counted")
check(d["round_trips"] == sum(ops.values()), "round trips = operations")
check(d["bytes"]["to_host"] >= size, "bytes to the host cover the file")
check(d["bytes"]["from_host"] >= 12 * d["round_trips"], "a command container per round trip")
u = d["urbs"]
check(u["bulk_in"] >= size // (1 << 20), "bulk-IN URBs")
check(u["bulk_out"] >= d["round_trips"], "bulk-OUT URBs")
check(d["ioctls"] >= u["bulk_in"] + u["bulk_out"], "ioctls cover the URBs")
# 53.248 MB/s of payload at most on USB 2
check(d["busy_ms"] >= size / 53.248e6 * 1e3 * 0.99, "link time of USB 2")
check(s["elapsed_ms"] >= d["busy_ms"], "elapsed >= link time")
check(d["cancel_requests"] == 0 and d["orphans"] == 0, "no cancel, no orphan")
mbs = size / 1e6 / (s["elapsed_ms"] / 1e3)
check(mbs <= 53.3, "faster than USB 2 allows: %.1f MB/s" % mbs)
print("8 MiB mtp-getfile on usb2: %.1f MB/s over the whole run, %.0f ioctls/MiB" % (mbs, d["ioctls"] / 8))
EOS

step "a cancel and an orphan are counted"
vdev --link none --stats "$T/c.json" -s "Internal=$D" -- sh -c '
    "$1" cancel eight.bin >/dev/null && "$1" cancel-send orphan.bin 4000000 1000000 >/dev/null' sh "$MTP_PROBE" ||
    fail "mtp-probe failed"
[ "$(json "$T/c.json" 'd["devices"][0]["cancel_requests"]')" -ge 2 ] || fail "cancel requests not counted"
[ "$(json "$T/c.json" 'd["devices"][0]["urbs"]["discarded"]')" -ge 1 ] || fail "discarded URBs not counted"
[ "$(json "$T/c.json" 'd["devices"][0]["orphans"]')" -eq 1 ] || fail "the orphan of the cancelled upload"
[ "$(json "$T/c.json" 'd["devices"][0]["events"]')" -ge 1 ] || fail "events not counted"

step "the command's exit status, also through a signal"
rc=0
vdev --stats "$T/e.json" -- sh -c 'exit 3' || rc=$?
[ "$rc" -eq 3 ] || fail "exit status $rc, expected 3"
[ "$(json "$T/e.json" 'd["exit_status"]')" -eq 3 ] || fail "exit_status in the stats"
rc=0
vdev --stats "$T/k.json" -- sh -c 'kill -TERM $$' || rc=$?
[ "$rc" -eq 143 ] || fail "exit status $rc, expected 143"
[ "$(json "$T/k.json" 'd["exit_status"]')" -eq 143 ] || fail "exit_status after a signal"
echo PASS
