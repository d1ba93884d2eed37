#!/bin/sh
# Each persona of ferry-vdev does what it says, seen from mtp-probe, a
# small libusb host that runs the cancel sequence of CONTRACT.md (discard
# URBs, Cancel Request, drain bulk-IN, poll Get Device Status clearing
# halts, read the event) and prints what it saw as key=value lines.
# The compliant persona is the reference each deviation is compared to.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

[ -x "$MTP_PROBE" ] || skip "no mtp-probe"

D=$T/device
mkdir -p "$D"
mkrand "$D/big.bin" $((48 << 20))

# probe PERSONA OUT SCENARIO [ARG...]: one mtp-probe run on a USB 2 link
probe() {
    persona=$1 out=$2
    shift 2
    vdev --link usb2 --persona "$persona" -s "Internal=$D" -t "$T/trace-$persona.txt" -- \
        "$MTP_PROBE" "$@" >"$out" || { cat "$out" >&2; fail "mtp-probe $* on $persona"; }
}

step "compliant: nothing after the cancel, status OK, no event"
probe compliant "$T/c.txt" cancel big.bin
expect_ge "$T/c.txt" read_before_cancel 65536
expect "$T/c.txt" cancel_request ok
expect_le "$T/c.txt" drained 0
expect "$T/c.txt" in_stalled no
expect "$T/c.txt" halted none
expect "$T/c.txt" final_status 0x2001
expect "$T/c.txt" event none
expect "$T/c.txt" next 0x2001
expect "$T/c.txt" stale_containers 0

step "compliant: a cancel after the whole small object was queued drops its response"
mkrand "$D/small.bin" $((1 << 20))
probe compliant "$T/cq.txt" cancel small.bin
expect "$T/cq.txt" cancel_request ok
expect_le "$T/cq.txt" drained 0
expect "$T/cq.txt" final_status 0x2001
expect "$T/cq.txt" next 0x2001
expect "$T/cq.txt" stale_containers 0
grep -q "tid=[0-9]* cancelled with [0-9]* bytes not read yet" "$T/trace-compliant.txt" ||
    { cat "$T/trace-compliant.txt" >&2; fail "the cancel did not find the queued transaction"; }
rm "$D/small.bin"

step "samsung: keeps streaming megabytes of the cancelled object"
probe samsung "$T/s.txt" cancel big.bin
expect_ge "$T/s.txt" drained $((4 << 20))
expect "$T/s.txt" final_status 0x2001
expect "$T/s.txt" next 0x2001

step "busy: answers Busy to many status polls"
probe busy "$T/b.txt" cancel big.bin
expect_ge "$T/b.txt" busy_polls 40
expect "$T/b.txt" final_status 0x2001
expect "$T/b.txt" next 0x2001
expect_le "$T/c.txt" busy_polls 5

step "gopro: an event after the cancel, no answer until it is read"
probe gopro "$T/g.txt" cancel-cmd-before-event big.bin
expect "$T/g.txt" final_status 0x2001
expect "$T/g.txt" answer_before_event none
expect "$T/g.txt" event 0x4001
expect "$T/g.txt" answer_after_event 0x2001
probe compliant "$T/gc.txt" cancel-cmd-before-event big.bin
expect "$T/gc.txt" answer_before_event 0x2001

step "panasonic: no answer until Get Device Status was polled"
probe panasonic "$T/p.txt" cancel-cmd-early big.bin
expect "$T/p.txt" answer_before_poll none
expect "$T/p.txt" final_status 0x2001
expect "$T/p.txt" answer_after_poll 0x2001
probe compliant "$T/pc.txt" cancel-cmd-early big.bin
expect "$T/pc.txt" answer_before_poll 0x2001

step "android: cancels by stalling both bulk endpoints"
probe android "$T/a.txt" cancel big.bin
expect "$T/a.txt" in_stalled yes
expect "$T/a.txt" halted 0x81,0x02
expect "$T/a.txt" final_status 0x2001
expect "$T/a.txt" next 0x2001

step "android: refuses Get Device Status with wLength < 8"
probe android "$T/as.txt" status-short
expect "$T/as.txt" status4 stall
expect "$T/as.txt" status8 0x2001
probe compliant "$T/cs.txt" status-short
expect "$T/cs.txt" status4 0x2001

step "pixel: a dropped transaction hangs the next one until reopened"
probe pixel "$T/x.txt" drop big.bin
expect "$T/x.txt" answer_after_drop none
expect "$T/x.txt" reopen ok
expect "$T/x.txt" open_after_reopen 0x2001
expect "$T/x.txt" next 0x2001
grep -q "hung until reopened" "$T/trace-pixel.txt" || fail "the pixel trace does not say it hung"

step "pixel: Device Reset kills it until replug"
probe pixel "$T/xr.txt" reset
expect "$T/xr.txt" device_reset ok
expect "$T/xr.txt" open_after_reset none
expect "$T/xr.txt" status_after_reset stall
expect "$T/xr.txt" open_after_reopen none
probe compliant "$T/cr.txt" reset
expect "$T/cr.txt" open_after_reset 0x2001
expect "$T/cr.txt" status_after_reset 0x2001

step "noproplist: no GetObjectPropList in DeviceInfo, OperationNotSupported"
probe noproplist "$T/n.txt" info
expect "$T/n.txt" has_proplist no
probe noproplist "$T/n2.txt" proplist
expect "$T/n2.txt" proplist 0x2005
expect "$T/n2.txt" next 0x2001
probe compliant "$T/nc.txt" info
expect "$T/nc.txt" has_proplist yes
probe compliant "$T/nc2.txt" proplist
expect "$T/nc2.txt" proplist 0x2001
if command -v mtp-files >/dev/null 2>&1; then
    vdev --link none --persona noproplist -s "Internal=$D" -- mtp-files >"$T/files.txt" 2>&1
    grep -q "Filename: big.bin" "$T/files.txt" || { cat "$T/files.txt" >&2; fail "mtp-files on noproplist"; }
fi

step "a cancelled SendObject leaves no file and no temporary file"
for persona in compliant android samsung busy; do
    probe "$persona" "$T/u-$persona.txt" cancel-send "up-$persona.bin" 8000000 3000000
    expect "$T/u-$persona.txt" send_object_info 0x2001
    expect "$T/u-$persona.txt" sent_before_cancel 3000000
    expect "$T/u-$persona.txt" final_status 0x2001
    expect "$T/u-$persona.txt" next 0x2001
    [ ! -e "$D/up-$persona.bin" ] || fail "$persona: up-$persona.bin was left"
    no_partial "$D"
done
[ "$(ls -A "$D")" = big.bin ] || { ls -la "$D" >&2; fail "the storage changed"; }
echo PASS
