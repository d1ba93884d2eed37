#!/bin/bash
# Errors are one line (what, which path, why) with the documented exit
# status: 3 no device / device gone, 4 device busy (another program has
# it, or it answers Busy), 5 no such file or folder, 6 storage full, 7
# read-only / permission, 8 the device failed, 1 other failures. Nothing
# partial is left behind by any of them.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

mkrand "$DEV/big.bin" $((32 << 20))
printf 'hello\n' >"$DEV/a.txt"
mkdir -p "$DEV/dir"
L=$T/local
mkdir -p "$L"
printf 'up\n' >"$L/up.txt"
cp -a "$DEV" "$T/orig"

step "5: no such file or folder"
for args in "ls /nope" "ls -l /dir/nope" "stat /nope" "tree /nope" "rm /nope" "rm -r /dir/nope" \
    "mv /nope /x" "get /nope $L/" "get -r /nope $L/" "mkdir /nope/x" "put $L/up.txt /nope/x/y" \
    "put $L/nope.txt /"; do
    # shellcheck disable=SC2086
    fy $args
    expect_rc 5
    err_one_line
    err_has 'no such (file or )?folder|No such file'
done
fy ls /a.txt/x
expect_rc 5
err_one_line
err_has '^ferry: ls /a.txt/x: not a folder$'
fy stat /a.txt/
expect_rc 5
err_one_line
err_has '^ferry: stat /a.txt/: not a folder$'
fy stat /dir/
expect_rc 0
fy get /nope /a.txt "$L"
expect_rc 5
err_has '^ferry: get /nope: no such file or folder$'
err_has '^ferry: copied 1 of 2 files \(6 B\); 1 failed$'
[ "$(wc -l <"$T/err")" = 2 ] || { show; fail "one missing file: its line and the summary"; }
same "$DEV/a.txt" "$L/a.txt"

step "7: read-only storage"
STORAGE_OPTS=",ro"
fy put "$L/up.txt" /
expect_rc 7
err_one_line
err_has "^ferry: put $L/up.txt: storage or object is read-only"
fy mkdir /new
expect_rc 7
err_one_line
fy rm /a.txt
expect_rc 7
err_one_line
err_has 'read-only'
fy mv /a.txt /b.txt
expect_rc 7
err_one_line
STORAGE_OPTS=""
diff -r "$T/orig" "$DEV" || fail "the read-only storage changed"

step "7: a local folder ferry may not write"
if [ "$(id -u)" != 0 ]; then
    mkdir "$L/ro"
    chmod 555 "$L/ro"
    fy get /a.txt "$L/ro/"
    expect_rc 7
    err_one_line
    err_has "get /a.txt: permission denied"
    chmod 755 "$L/ro"
    [ -z "$(ls -A "$L/ro")" ] || fail "a file in the folder ferry could not write"
else
    echo "(root: permissions are not enforced; skipped)"
fi

step "3: the device goes away in the middle of a copy"
VDEV_OPTS=(-f unplug@byte=2M)
fy get /big.bin "$L/big.bin"
expect_rc 3
err_one_line
err_has '^ferry: get /big.bin: device is gone'
[ ! -e "$L/big.bin" ] || fail "a partial big.bin after the unplug"
no_leftovers "$L"
VDEV_OPTS=(-f unplug@byte=2M -S "$T/stats.json")
fy put "$T/orig/big.bin" /dir/
expect_rc 3
err_one_line
err_has "^ferry: put $T/orig/big.bin: device is gone"
diff -r "$T/orig" "$DEV" || fail "the device's storage changed"
no_leftovers "$DEV"
VDEV_OPTS=()

step "4: the device is busy with another program"
cat >"$T/busy.sh" <<'EOS'
"$FERRY" get /big.bin "$L/held.bin" &
held=$!
# once the copy is under way
i=0
while [ ! -e "$L/.held.bin.ferry-part" ] && [ $i -lt 200 ]; do
    sleep 0.02
    i=$((i + 1))
done
rc=0
"$FERRY" ls / >"$T/out" 2>"$T/err" || rc=$?
echo "$rc" >"$T/busy.rc"
wait $held
EOS
export L T
vdev --link usb2 -s "Internal storage=$DEV" -- bash "$T/busy.sh" 2>/dev/null || fail "the holder failed"
rc=$(cat "$T/busy.rc")
grep -v CRITICAL "$T/err" >"$T/err.1" || true
mv "$T/err.1" "$T/err"
expect_rc 4
err_one_line
err_has 'is in use by another program'
same "$DEV/big.bin" "$L/held.bin"

step "4: the device answers Busy"
VDEV_OPTS=(-f busy@op=GetObject)
fy get /a.txt "$L/busy.txt"
expect_rc 4
err_one_line
err_has '^ferry: get /a.txt: .*DeviceBusy'
[ ! -e "$L/busy.txt" ] || fail "a file after Busy"
VDEV_OPTS=()

step "8: the device stops answering"
VDEV_OPTS=(-f noanswer@op=GetObject)
fy get /a.txt "$L/noanswer.txt"
expect_rc 8
err_one_line
[ ! -e "$L/noanswer.txt" ] || fail "a file after no answer"
VDEV_OPTS=(-f short@op=GetObject)
fy get /big.bin "$L/short.bin"
expect_rc 8
err_one_line
[ ! -e "$L/short.bin" ] || fail "a file after a short data phase"
VDEV_OPTS=(-f malformed@op=GetObjectInfo)
fy stat /a.txt
[ "$rc" = 8 ] || [ "$rc" = 0 ] || { show; fail "a malformed dataset: exit $rc"; }
VDEV_OPTS=()
no_leftovers "$L"

step "1: other failures (exists, is a folder, not empty)"
fy mkdir /dir
expect_rc 1
err_one_line
fy get /dir "$L"
expect_rc 1
err_one_line
mkdir -p "$DEV/full/sub"
fy rm /full
expect_rc 1
err_one_line
rmdir "$DEV/full/sub" "$DEV/full"

step "the worst error decides the exit status of several"
fy rm /nope /a.txt
expect_rc 5
[ ! -e "$DEV/a.txt" ] || fail "rm stopped at the first error"
cp "$T/orig/a.txt" "$DEV/a.txt"

echo "PASS"
