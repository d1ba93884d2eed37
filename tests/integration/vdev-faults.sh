#!/bin/sh
# Each fault kind of ferry-vdev has an effect a client sees, and the
# device never leaves a partial file of its own: unplug (by operation, by
# byte count, through the control FIFO), stall, noanswer, short,
# malformed, busy, full (a small storage and the fault). The clients must
# fail cleanly: in bounded time, not killed by a signal.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-files mtp-getfile mtp-sendfile mtp-detect aft-mtp-cli
[ -x "$MTP_PROBE" ] || skip "no mtp-probe"

D=$T/device
mkdir -p "$D"
mkrand "$D/one.bin" $((1 << 20))
mkrand "$T/eight.bin" $((8 << 20))
mkrand "$T/two.bin" $((2 << 20))
cp "$D/one.bin" "$T/one.orig"

# clean RC: a client's exit status that is not a crash nor a timeout
clean() {
    [ "$1" -lt 124 ] || fail "$2 ended with status $1 (crash or timeout)"
}

# unchanged: the storage holds exactly one.bin, intact
unchanged() {
    same "$D/one.bin" "$T/one.orig"
    [ "$(find "$D" -mindepth 1 | wc -l)" -eq 1 ] || { find "$D" >&2; fail "$1: the storage changed"; }
}

# getfile FAULT: mtp-getfile of one.bin under FAULT, then mtp-files
getfile() {
    rm -f "$T/out.bin"
    rc=0
    vdev --link none --fault "$1" -s "Internal=$D" -- sh -c '
        timeout 30 mtp-getfile 1 "$1/out.bin" >"$1/getfile.txt" 2>&1; echo $? >"$1/getfile.rc"
        timeout 30 mtp-files >"$1/files.txt" 2>&1; echo $? >"$1/files.rc"' sh "$T" || rc=$?
    clean "$rc" "ferry-vdev"
    clean "$(cat "$T/getfile.rc")" "mtp-getfile"
    clean "$(cat "$T/files.rc")" "mtp-files"
    if [ -f "$T/out.bin" ] && cmp -s "$T/out.bin" "$T/one.orig"; then
        fail "$1: mtp-getfile got the whole file"
    fi
    grep -q "Error getting file" "$T/getfile.txt" || { cat "$T/getfile.txt" >&2; fail "$1: mtp-getfile saw no error"; }
    unchanged "$1"
}

step "unplug@op=GetObject: mtp-getfile fails, the device is gone"
getfile unplug@op=GetObject
grep -q "No Devices have been found" "$T/files.txt" || { cat "$T/files.txt" >&2; fail "the device is still there"; }

step "stall@op=GetObject: mtp-getfile fails, the next client works"
getfile stall@op=GetObject
grep -q "Filename: one.bin" "$T/files.txt" || { cat "$T/files.txt" >&2; fail "mtp-files after a stall"; }

step "short@op=GetObject: the data phase ends early, mtp-getfile fails"
getfile short@op=GetObject
grep -q "Filename: one.bin" "$T/files.txt" || fail "mtp-files after a short data phase"

step "unplug@byte during SendObject: no file, no temporary file"
rc=0
vdev --link none --fault unplug@byte=3M -s "Internal=$D" -t "$T/trace.txt" -- \
    timeout 30 mtp-sendfile "$T/eight.bin" / >"$T/sendfile.txt" 2>&1 || rc=$?
clean "$rc" "mtp-sendfile"
grep -q "SendObject() -> NODEV" "$T/trace.txt" || { cat "$T/trace.txt" >&2; fail "the unplug did not hit SendObject"; }
unchanged "unplug during SendObject"

step "stall@op=SendObject: no file, no temporary file"
rc=0
vdev --link none --fault stall@op=SendObject -s "Internal=$D" -- \
    timeout 30 mtp-sendfile "$T/eight.bin" / >"$T/sendfile.txt" 2>&1 || rc=$?
clean "$rc" "mtp-sendfile"
grep -q "Error sending file" "$T/sendfile.txt" || { cat "$T/sendfile.txt" >&2; fail "mtp-sendfile saw no error"; }
unchanged "stall during SendObject"

step "unplug through the control FIFO: mtp-detect finds nothing"
vdev --link none -s "Internal=$D" -- sh -c '
    [ -p "$FERRY_VDEV_CTL" ] || exit 3
    echo unplug >"$FERRY_VDEV_CTL"
    for i in 1 2 3 4 5 6 7 8 9 10; do
        mtp-detect >"$1/detect.txt" 2>&1 || true
        grep -q "No raw devices found" "$1/detect.txt" && exit 0
        sleep 0.1
    done
    exit 4' sh "$T" || fail "the unplug command of FERRY_VDEV_CTL did not unplug (status $?)"

step "noanswer@op=GetStorageIDs: no answer until the host cancels"
vdev --link none --fault noanswer@op=GetStorageIDs -s "Internal=$D" -- "$MTP_PROBE" noanswer >"$T/probe.txt"
expect "$T/probe.txt" answer none
expect "$T/probe.txt" final_status 0x2001
expect "$T/probe.txt" next 0x2001

step "malformed datasets: the clients fail cleanly and go on"
for f in GetObjectPropList GetStorageInfo GetDeviceInfo GetObjectInfo GetObjectHandles; do
    rc=0
    vdev --link none --fault "malformed@op=$f" -s "Internal=$D" -- sh -c '
        timeout 30 mtp-files >"$1/files.txt" 2>&1; echo $? >"$1/files.rc"
        printf "ls\n" | timeout 30 aft-mtp-cli -b >"$1/aft.txt" 2>&1; echo $? >"$1/aft.rc"' sh "$T" || rc=$?
    clean "$rc" "ferry-vdev (malformed $f)"
    clean "$(cat "$T/files.rc")" "mtp-files (malformed $f)"
    clean "$(cat "$T/aft.rc")" "aft-mtp-cli (malformed $f)"
    # the fault hits one transaction: the second client lists the file
    grep -q "one.bin" "$T/aft.txt" || { cat "$T/aft.txt" >&2; fail "aft-mtp-cli after malformed $f"; }
done
# GetStorageInfo is one transaction mtp-files cannot do without
vdev --link none --fault malformed@op=GetStorageInfo -s "Internal=$D" -- mtp-files >"$T/files.txt" 2>&1 || true
grep -q "Get Storage information failed" "$T/files.txt" || { cat "$T/files.txt" >&2; fail "malformed StorageInfo went unnoticed"; }
unchanged "malformed"

step "busy@op=GetStorageIDs: the client is told"
vdev --link none --fault busy@op=GetStorageIDs -s "Internal=$D" -- mtp-files >"$T/files.txt" 2>&1 || true
grep -q "Get Storage information failed" "$T/files.txt" || { cat "$T/files.txt" >&2; fail "DeviceBusy went unnoticed"; }
vdev --link none --fault busy -s "Internal=$D" -t "$T/trace.txt" -- "$MTP_PROBE" info >"$T/probe.txt"
grep -q "OpenSession(0x1) -> DeviceBusy" "$T/trace.txt" || { cat "$T/trace.txt" >&2; fail "busy without a trigger"; }

step "full: a 1 MiB storage refuses 2 MiB, nothing is left"
mkdir -p "$T/small"
rc=0
vdev --link none -s "Small=$T/small,capacity=1M" -- sh -c '
    timeout 30 mtp-sendfile "$1/two.bin" / >"$1/sendfile.txt" 2>&1
    printf "put %s\n" "$1/two.bin" | timeout 30 aft-mtp-cli -b >"$1/aft.txt" 2>&1' sh "$T" || rc=$?
clean "$rc" "clients on a full storage"
grep -q "Error sending file" "$T/sendfile.txt" || { cat "$T/sendfile.txt" >&2; fail "mtp-sendfile did not fail"; }
grep -q "StoreFull" "$T/aft.txt" || { cat "$T/aft.txt" >&2; fail "aft-mtp-cli was not told StoreFull"; }
[ -z "$(ls -A "$T/small")" ] || { ls -la "$T/small" >&2; fail "the small storage is not empty"; }

step "full@byte: the storage fills up during SendObject, nothing is left"
rc=0
vdev --link none --fault full@byte=1M -s "Internal=$D" -t "$T/trace.txt" -- \
    timeout 30 mtp-sendfile "$T/eight.bin" / >"$T/sendfile.txt" 2>&1 || rc=$?
clean "$rc" "mtp-sendfile"
grep -q "SendObject() -> StoreFull" "$T/trace.txt" || { cat "$T/trace.txt" >&2; fail "no StoreFull for SendObject"; }
unchanged "full during SendObject"
echo PASS
