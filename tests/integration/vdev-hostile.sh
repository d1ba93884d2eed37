#!/bin/sh
# --hostile-names: a folder of objects whose names a careful client must
# refuse or escape ("..", "../escape.txt", "/etc/passwd", "a/b", control
# characters, duplicates, an empty name, ...). They exist only inside the
# device: listing, reading and deleting them never touches the backing
# directory, and writing into their folder fails without leaving anything.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-files mtp-getfile aft-mtp-cli

D=$T/device
mkdir -p "$D"
echo "a real file" >"$D/real.txt"
mkrand "$T/up.bin" 5000
export D

cat >"$T/inner.sh" <<'EOS'
set -eu
mtp-files >"$T/files.txt" 2>&1
id=$(awk '/^File ID:/{id=$3} /^   Filename: \/etc\/passwd$/{print id; exit}' "$T/files.txt")
[ -n "$id" ] || { echo "/etc/passwd not listed" >&2; exit 1; }
mtp-getfile "$id" "$T/passwd.bin" >"$T/getfile.txt" 2>&1
{
    echo "ls hostile"
    echo "get hostile/normal.txt $T/normal.txt"
    echo "put $T/up.bin /hostile"
    echo "rm hostile/dup.txt"
    echo "ls hostile"
    echo "rm hostile"
    echo "ls"
} | aft-mtp-cli -b >"$T/aft.txt" 2>&1
EOS

step "list, read, write into and delete the hostile objects"
vdev --link none --hostile-names -s "Internal=$D" -t "$T/trace.txt" -- sh "$T/inner.sh" ||
    { show "$T/files.txt" "$T/aft.txt"; fail "the clients failed"; }

for name in '..' '../escape.txt' '/etc/passwd' 'a/b' 'normal.txt'; do
    grep -qxF "   Filename: $name" "$T/files.txt" || fail "mtp-files does not list '$name'"
done
[ "$(grep -c '^   Filename: dup.txt$' "$T/files.txt")" -eq 2 ] || fail "not two objects named dup.txt"
grep -q "^hostile object" "$T/passwd.bin" || fail "the object named /etc/passwd did not read as its text"
grep -q "^hostile object" "$T/normal.txt" || fail "aft-mtp-cli could not get hostile/normal.txt"
grep -q "SendObjectInfo(0x10001,0x2) -> AccessDenied" "$T/trace.txt" ||
    { cat "$T/trace.txt" >&2; fail "an upload into the hostile folder was not refused"; }
if grep -q "up.bin" "$T/aft.txt"; then fail "the refused upload is listed"; fi
grep -q "DeleteObject(0x2" "$T/trace.txt" || fail "the hostile folder was not deleted"
grep -q "real.txt" "$T/aft.txt" || fail "the device lost its real file"

step "the backing directory never saw any of it"
[ "$(ls -A "$D")" = real.txt ] || { ls -la "$D" >&2; fail "the backing directory changed"; }
echo PASS
