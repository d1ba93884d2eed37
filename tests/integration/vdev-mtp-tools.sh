#!/bin/sh
# libmtp's mtp-tools against ferry-vdev: detect, folders, files,
# newfolder, delfile, and BIG_MIB (16) MiB plus a tree of 300 small files both
# ways, compared byte for byte with the device's backing directory.
# mtp-tools have no recursive copy: mtp-connect takes many --sendfile
# and --getfile in one session. mtp-sendfile exits 0 even when it fails,
# so only the bytes count.
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-detect mtp-folders mtp-files mtp-getfile mtp-sendfile mtp-newfolder mtp-delfile mtp-connect python3

D=$T/device          # the device's storage
L=$T/local           # the host's files
G=$T/got             # what the host downloaded
mkdir -p "$D" "$L" "$G/pre"

# VDEV_BIG_MIB sets the size of the big file (bench/ measures speed)
BIG_MIB=${VDEV_BIG_MIB:-16}
step "prepare $BIG_MIB MiB both ways and two trees of 300 files"
mkrand "$D/big-down.bin" $((BIG_MIB << 20))
mkrand "$L/big-up.bin" $((BIG_MIB << 20))
small_tree "$D/pre" 300
cp -r "$D/pre" "$T/pre-orig"
small_tree "$L/tree" 300
export D L G T

cat >"$T/inner.sh" <<'EOF'
set -eu
mark() { echo "$(date +%s.%N) $1" >>"$T/marks.txt"; }
mark start
mtp-detect >"$T/detect.txt" 2>&1
mtp-folders >"$T/folders.txt" 2>&1
mtp-files >"$T/files.txt" 2>&1
mark listed

# device -> host: the big file
id=$(awk -v n=big-down.bin '/^File ID:/{id=$3} /^   Filename: /{sub(/^   Filename: /,""); if($0==n){print id; exit}}' "$T/files.txt")
[ -n "$id" ] || { echo "big-down.bin not listed" >&2; exit 1; }
start=$(date +%s.%N)
mtp-getfile "$id" "$G/big-down.bin" >"$T/getfile.txt" 2>&1
end=$(date +%s.%N)
echo "$start $end" >"$T/getfile.time"
mark getfile

# device -> host: the tree, one mtp-connect session
set --
cd "$T/pre-orig"
for f in $(find . -type f | sort); do
    name=${f##*/}
    id=$(awk -v n="$name" '/^File ID:/{id=$3} /^   Filename: /{sub(/^   Filename: /,""); if($0==n){print id; exit}}' "$T/files.txt")
    [ -n "$id" ] || { echo "$f not listed" >&2; exit 1; }
    mkdir -p "$G/pre/${f%/*}"
    set -- "$@" --getfile "$id,$G/pre/$f"
done
cd "$T"
mtp-connect "$@" >"$T/connect-get.txt" 2>&1
mark tree-down

# host -> device: the big file into the root folder
mtp-sendfile "$L/big-up.bin" / >"$T/sendfile.txt" 2>&1
mark sendfile

# host -> device: folders, then the tree
newfolder() {
    mtp-newfolder "$1" "$2" 0 2>&1 | sed -n 's/^New folder created with ID: //p'
}
up=$(newfolder up 0)
a=$(newfolder a "$up")
b=$(newfolder b "$up")
c=$(newfolder c "$b")
[ -n "$up" ] && [ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] || { echo "mtp-newfolder failed" >&2; exit 1; }
set --
for f in "$L"/tree/a/*; do set -- "$@" --sendfile "$f,$a"; done
for f in "$L"/tree/b/*; do [ -f "$f" ] && set -- "$@" --sendfile "$f,$b"; done
for f in "$L"/tree/b/c/*; do set -- "$@" --sendfile "$f,$c"; done
mtp-connect "$@" >"$T/connect-send.txt" 2>&1
mark tree-up

# delete a file and a folder with its files by id (ids stay the same
# for the whole ferry-vdev run, so the first listings tell them)
fid=$(awk -v n=edge0.bin '/^File ID:/{id=$3} /^   Filename: /{sub(/^   Filename: /,""); if($0==n){print id; exit}}' "$T/files.txt")
cid=$(awk '$2 == "c" { print $1; exit }' "$T/folders.txt")
[ -n "$fid" ] && [ -n "$cid" ] || { echo "pre/a/edge0.bin or pre/b/c not listed" >&2; exit 1; }
mtp-delfile -n "$fid" "$cid" >"$T/delfile.txt" 2>&1
mark end
EOF

step "run the clients (link none)"
vdev --link none --stats "$T/stats.json" -s "Internal storage=$D" -- sh "$T/inner.sh" ||
    { show "$T"/*.txt; fail "a client failed"; }

step "mtp-detect saw the device"
grep -q "Manufacturer: ferry" "$T/detect.txt" || fail "mtp-detect: no manufacturer"
grep -q "Serial number: FERRY0001" "$T/detect.txt" || fail "mtp-detect: no serial"
grep -q "Internal storage" "$T/detect.txt" || fail "mtp-detect: no storage"

step "mtp-folders listed the folders"
for f in pre a b c; do
    grep -q "[[:space:]]$f\$" "$T/folders.txt" || fail "mtp-folders: no folder $f"
done

step "$BIG_MIB MiB both ways, byte-identical"
same "$D/big-down.bin" "$G/big-down.bin"
same "$L/big-up.bin" "$D/big-up.bin"

step "300 files both ways, byte-identical"
same_tree "$T/pre-orig" "$G/pre"
same_tree "$L/tree" "$D/up"

step "mtp-delfile removed a file and a folder with its files"
[ ! -e "$D/pre/a/edge0.bin" ] || fail "pre/a/edge0.bin still there"
[ ! -e "$D/pre/b/c" ] || fail "folder pre/b/c still there"
[ -d "$D/pre/b" ] || fail "folder pre/b went too"
[ -f "$D/up/a/edge0.bin" ] || fail "up/a/edge0.bin went too"

step "no temporary file left, counters plausible"
no_partial "$D"
[ "$(json "$T/stats.json" 'd["exit_status"]')" = 0 ] || fail "exit status in stats"
n=$(json "$T/stats.json" 'd["devices"][0]["operations"].get("SendObject", 0)')
[ "$n" -ge 301 ] || fail "SendObject counted $n times"
n=$(json "$T/stats.json" 'd["devices"][0]["operations"].get("GetObject", 0)')
[ "$n" -ge 301 ] || fail "GetObject counted $n times"
python3 - "$T/stats.json" "$T/getfile.time" "$BIG_MIB" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["devices"][0]
start, end = map(float, open(sys.argv[2]).read().split())
big = int(sys.argv[3])
mib = (d["bytes"]["to_host"] + d["bytes"]["from_host"]) / 2**20
print("mtp-getfile %d MiB, link none: %.1f MB/s (%.2f s)" % (big, big * 2**20 / 1e6 / (end - start), end - start))
print("whole run: %d ioctls for %.0f MiB moved: %.1f ioctls/MiB" % (d["ioctls"], mib, d["ioctls"] / mib))
EOF
echo PASS
