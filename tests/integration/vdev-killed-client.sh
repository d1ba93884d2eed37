#!/bin/sh
# A client killed in the middle of a transfer, as LAB.md describes it for
# a real responder (umtprd, ../data/usbmon-umtprd/sigint.txt): the device
# keeps streaming the rest of the object on bulk-IN, libmtp then cannot
# open a session, and a host that drains bulk-IN gets the rest of the
# data, the dead GetObject's response, and SessionAlreadyOpen. A client
# killed in the middle of SendObject leaves only the device's hidden
# temporary file, which goes when a host cancels the transaction.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-getfile mtp-sendfile mtp-files
[ -x "$MTP_PROBE" ] || skip "no mtp-probe"

D=$T/device
mkdir -p "$D"
mkrand "$D/big.bin" $((64 << 20))
mkrand "$T/up.bin" $((64 << 20))
export D T

cat >"$T/get.sh" <<'EOS'
set -eu
mtp-files >"$T/files0.txt" 2>&1
mtp-getfile 1 "$T/part.bin" >/dev/null 2>&1 &
pid=$!
# kill it once a few MiB arrived
i=0
while [ "$(stat -c %s "$T/part.bin" 2>/dev/null || echo 0)" -lt $((4 << 20)) ] && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -KILL $pid
wait $pid 2>/dev/null || true
# libmtp reads the stream 512 bytes at a time looking for its response:
# give it a few seconds, then it is killed too
timeout -s KILL 5 mtp-files >"$T/files1.txt" 2>&1 || true
"$MTP_PROBE" drain-open >"$T/drain.txt"
mtp-files >"$T/files2.txt" 2>&1
EOS

step "mtp-getfile killed after 4 MiB of 64 MiB (link usb2)"
vdev --link usb2 -s "Internal=$D" -t "$T/trace.txt" -- sh "$T/get.sh" || fail "the clients failed"
grep -q "Filename: big.bin" "$T/files0.txt" || fail "big.bin is not object 1"
size=$(stat -c %s "$T/part.bin")
[ "$size" -lt $((64 << 20)) ] || fail "mtp-getfile finished before it was killed"

step "libmtp cannot open a session while the device streams"
if grep -q "Filename: big.bin" "$T/files1.txt"; then
    cat "$T/files1.txt" >&2
    fail "mtp-files worked right after the kill: the device did not keep streaming"
fi

step "a host that drains gets the rest, the response and SessionAlreadyOpen"
expect_ge "$T/drain.txt" drained $((16 << 20))
last=$(fact "$T/drain.txt" last_response)
case $last in
    0x2001 | 0x201e) ;;
    *) cat "$T/drain.txt" >&2; fail "no response container at the end of the stream" ;;
esac
open=$(fact "$T/drain.txt" open)
case $open in
    0x2001 | 0x201e) ;;
    *) cat "$T/drain.txt" >&2; fail "OpenSession after the drain: $open" ;;
esac
expect "$T/drain.txt" next 0x2001
grep -q "Filename: big.bin" "$T/files2.txt" || { cat "$T/files2.txt" >&2; fail "mtp-files after the drain"; }

cat >"$T/send.sh" <<'EOS'
set -eu
mtp-sendfile "$T/up.bin" / >/dev/null 2>&1 &
pid=$!
i=0
while [ -z "$(find "$D" -name '.ferry-vdev-incoming.*' -size +4M)" ] && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -KILL $pid
wait $pid 2>/dev/null || true
ls -A "$D" >"$T/during.txt"
"$MTP_PROBE" recover >"$T/recover.txt"
ls -A "$D" >"$T/after.txt"
EOS

step "mtp-sendfile killed in the middle: only a hidden temporary file, then nothing"
vdev --link usb2 -s "Internal=$D" -- sh "$T/send.sh" || fail "the clients failed"
grep -q "^up.bin$" "$T/during.txt" && fail "up.bin appeared before its data was complete"
grep -q "^.ferry-vdev-incoming" "$T/during.txt" || { cat "$T/during.txt" >&2; fail "no temporary file during the upload"; }
expect "$T/recover.txt" cancel_request ok
expect "$T/recover.txt" final_status 0x2001
expect "$T/recover.txt" next 0x2001
[ "$(cat "$T/after.txt")" = big.bin ] || { cat "$T/after.txt" >&2; fail "the storage is not back to big.bin alone"; }
no_partial "$D"
echo PASS
