#!/bin/bash
# Every subcommand of ferry against a virtual device, with what it prints
# and its exit status: devices, info, df, ls (-l, -R, --json), tree,
# stat, get and put (-r, -p, -n; into a folder, to a new name), mkdir
# (-p), mv, rm (-r); remote paths with and without the storage's name.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

mkdir -p "$DEV/DCIM/Camera" "$DEV/Music" "$DEV/Empty"
mkrand "$DEV/DCIM/Camera/IMG_0001.jpg" 100000
mkrand "$DEV/DCIM/Camera/IMG_0002.jpg" 50000
mkrand "$DEV/Music/song.mp3" 300000
printf 'hello\n' >"$DEV/notes.txt"
: >"$DEV/empty.txt"
touch -d '2001-02-03 04:05:06 UTC' "$DEV/notes.txt"
cp -a "$DEV" "$T/orig"

step "devices"
fy devices
expect_rc 0
out_has '^1:[0-9]+ +1209:4d54 +FERRY0001 +ferry Virtual MTP device$'
[ "$(wc -l <"$T/out")" = 1 ] || { show; fail "one device, one line"; }
fy devices --json
expect_rc 0
[ "$(json "$T/out" 'd[0]["serial"]')" = FERRY0001 ] || fail "devices --json: serial"
[ "$(json "$T/out" 'len(d)')" = 1 ] || fail "devices --json: count"
fy --json devices
expect_rc 0
json "$T/out" 'd[0]["vid"]' | grep -qx 1209 || fail "--json devices"

step "info"
fy info
expect_rc 0
out_has '^Manufacturer: +ferry$'
out_has '^Serial: +FERRY0001$'
out_has '^Battery: +[0-9]+%$'
fy info --json
expect_rc 0
[ "$(json "$T/out" 'd["serial"]')" = FERRY0001 ] || fail "info --json"

step "df"
fy df
expect_rc 0
out_has '^Storage +Size +Used +Free +Use%$'
out_has '^Internal storage '
STORAGE_OPTS=",capacity=10M"
fy df --json
STORAGE_OPTS=""
expect_rc 0
[ "$(json "$T/out" 'd[0]["name"]')" = "Internal storage" ] || fail "df --json: name"
cap=$(json "$T/out" 'd[0]["capacity"]')
free=$(json "$T/out" 'd[0]["free"]')
[ "$cap" -ge $((10 << 20)) ] && [ "$free" -lt "$cap" ] || fail "df --json: capacity $cap free $free"

step "ls"
fy ls
expect_rc 0
printf 'DCIM/\nEmpty/\nMusic/\nempty.txt\nnotes.txt\n' >"$T/want"
diff "$T/want" "$T/out" || fail "ls /"
for p in / "/Internal storage" "/Internal storage/" "Internal storage"; do
    fy ls "$p"
    expect_rc 0
    diff "$T/want" "$T/out" >/dev/null || { show; fail "ls '$p' is not the top"; }
done
fy ls /DCIM/Camera
expect_rc 0
printf 'IMG_0001.jpg\nIMG_0002.jpg\n' | diff - "$T/out" || fail "ls /DCIM/Camera"
fy ls "/Internal storage/DCIM/Camera/IMG_0001.jpg"
expect_rc 0
printf 'IMG_0001.jpg\n' | diff - "$T/out" || fail "ls of a file"
fy ls -l /
expect_rc 0
out_has '^- +6  2001-02-03 [0-9:]+  notes.txt$'
out_has '^- +0  [0-9-]+ [0-9:]+  empty.txt$'
out_has '^d +-  [0-9-]+ [0-9:]+  DCIM$'
fy ls -R /DCIM
expect_rc 0
out_has '^/DCIM:$'
out_has '^/DCIM/Camera:$'
out_has '^IMG_0002.jpg$'
fy ls -lR /
expect_rc 0
out_has '^- +300000  .*  song.mp3$'
fy ls --json /
expect_rc 0
[ "$(json "$T/out" 'sorted(o["name"] for o in d)')" = "['DCIM', 'Empty', 'Music', 'empty.txt', 'notes.txt']" ] ||
    fail "ls --json"
fy ls -R --json /
expect_rc 0
[ "$(json "$T/out" '[o["size"] for o in d if o["path"] == "/DCIM/Camera/IMG_0001.jpg"]')" = "[100000]" ] ||
    fail "ls -R --json: no /DCIM/Camera/IMG_0001.jpg of 100000 bytes"
[ "$(json "$T/out" 'len(d)')" = 9 ] || fail "ls -R --json: not 9 objects"
fy ls /Music /notes.txt
expect_rc 0
out_has '^/Music:$'
out_has '^notes.txt$'

step "tree"
fy tree
expect_rc 0
head -n 1 "$T/out" | grep -qx '/' || fail "tree: first line"
out_has '^├── DCIM$'
out_has '^│   └── Camera$'
out_has '^│       ├── IMG_0001.jpg$'
out_has '^4 folders, 5 files$'
fy tree /DCIM
expect_rc 0
out_has '^1 folders, 2 files$'

step "stat"
fy stat /notes.txt /DCIM
expect_rc 0
out_has '^  Path: /notes.txt$'
out_has '^  Type: file$'
out_has '^  Size: 6$'
out_has '^  Type: folder$'
fy stat --json /Music/song.mp3
expect_rc 0
[ "$(json "$T/out" 'd[0]["size"]')" = 300000 ] || fail "stat --json size"
[ "$(json "$T/out" 'd[0]["path"]')" = /Music/song.mp3 ] || fail "stat --json path"
[ "$(json "$T/out" 'd[0]["mtime"] > 0')" = True ] || fail "stat --json mtime"

step "get: a file into a folder, to a new name, -p, -n, several"
L=$T/local
mkdir -p "$L"
fy get /notes.txt "$L"
expect_rc 0
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || { show; fail "get is not quiet off a terminal"; }
same "$DEV/notes.txt" "$L/notes.txt"
fy get /Music/song.mp3 "$L/renamed.mp3"
expect_rc 0
same "$DEV/Music/song.mp3" "$L/renamed.mp3"
fy get -p /notes.txt "$L/timed.txt"
expect_rc 0
[ "$(stat -c %Y "$L/timed.txt")" = "$(stat -c %Y "$DEV/notes.txt")" ] || fail "get -p did not keep the time"
echo local >"$L/keep.txt"
fy get -n /notes.txt "$L/keep.txt"
expect_rc 0
grep -qx local "$L/keep.txt" || fail "get -n replaced a local file"
fy get /notes.txt "$L/keep.txt"
expect_rc 0
same "$DEV/notes.txt" "$L/keep.txt"
fy get /notes.txt /empty.txt "/Internal storage/DCIM/Camera/IMG_0002.jpg" "$L/several"
expect_rc 5
err_one_line
err_has "get: $L/several: no such folder"
fy get /notes.txt /empty.txt "$L/keep.txt"
expect_rc 2
err_has "get: $L/keep.txt: not a folder"
mkdir "$L/several"
fy get /notes.txt /empty.txt "/Internal storage/DCIM/Camera/IMG_0002.jpg" "$L/several"
expect_rc 0
same "$DEV/empty.txt" "$L/several/empty.txt"
same "$DEV/DCIM/Camera/IMG_0002.jpg" "$L/several/IMG_0002.jpg"
fy get /DCIM "$L"
expect_rc 1
err_one_line
err_has 'get /DCIM: is a folder \(use -r\)'
fy -v get /notes.txt "$L/v.txt"
expect_rc 0
err_has '^ferry: got /notes.txt -> '
no_leftovers "$L"

step "get -r: a tree, into a folder and to a new name"
fy get -r / "$L/all"
expect_rc 0
same_tree "$DEV" "$L/all"
fy get -r /DCIM "$L"
expect_rc 0
same_tree "$DEV/DCIM" "$L/DCIM"
fy get -r -p /DCIM "$L/dcim2"
expect_rc 0
same_tree "$DEV/DCIM" "$L/dcim2"
[ "$(stat -c %Y "$L/dcim2/Camera/IMG_0001.jpg")" = "$(stat -c %Y "$DEV/DCIM/Camera/IMG_0001.jpg")" ] ||
    fail "get -r -p did not keep the time"
no_leftovers "$L"

step "put: a file into a folder, to a new name, replace, -n, -p"
printf 'new\n' >"$T/new.txt"
touch -d '2003-04-05 06:07:08 UTC' "$T/new.txt"
fy put "$T/new.txt" /Music
expect_rc 0
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || { show; fail "put is not quiet off a terminal"; }
same "$T/new.txt" "$DEV/Music/new.txt"
fy put "$T/new.txt" /Music/other.txt
expect_rc 0
same "$T/new.txt" "$DEV/Music/other.txt"
fy put "$T/new.txt" /notes.txt
expect_rc 0
same "$T/new.txt" "$DEV/notes.txt"
cp "$T/orig/notes.txt" "$DEV/notes.txt"
fy put -n "$T/new.txt" /notes.txt
expect_rc 0
same "$T/orig/notes.txt" "$DEV/notes.txt"
fy put -p "$T/new.txt" /Empty
expect_rc 0
[ "$(stat -c %Y "$DEV/Empty/new.txt")" = "$(stat -c %Y "$T/new.txt")" ] || fail "put -p did not keep the time"
rm "$DEV/Empty/new.txt" "$DEV/Music/new.txt" "$DEV/Music/other.txt"
fy put "$T/new.txt" "$L/keep.txt" /Nowhere
expect_rc 5
err_one_line
fy put "$L" /
expect_rc 1
err_has "put $L: is a folder \(use -r\)"
fy put "$T/new.txt" "/Internal storage/DCIM/"
expect_rc 0
same "$T/new.txt" "$DEV/DCIM/new.txt"
rm "$DEV/DCIM/new.txt"
no_leftovers "$DEV"

step "put -r: a tree, into a folder and to a new name"
fy put -r "$T/orig/DCIM" /Music
expect_rc 0
same_tree "$T/orig/DCIM" "$DEV/Music/DCIM"
fy put -r "$T/orig/DCIM" /Copy
expect_rc 0
same_tree "$T/orig/DCIM" "$DEV/Copy"
fy -v put -r "$T/orig" /
expect_rc 0
err_has "^ferry: put $T/orig/Music/song.mp3 -> /orig/Music/song.mp3$"
err_has '^ferry: sent 5 files '
same_tree "$T/orig" "$DEV/orig"
rm -rf "$DEV/Music/DCIM" "$DEV/Copy" "$DEV/orig"
no_leftovers "$DEV"

step "mkdir"
fy mkdir /New
expect_rc 0
[ -d "$DEV/New" ] || fail "mkdir /New"
fy mkdir /New
expect_rc 1
err_one_line
err_has 'mkdir /New: exists'
fy mkdir /A/B/C
expect_rc 5
err_one_line
fy mkdir -p /A/B/C "/Internal storage/New"
expect_rc 0
[ -d "$DEV/A/B/C" ] || fail "mkdir -p"
fy mkdir /notes.txt
expect_rc 1
err_has 'a file of that name exists'

step "mv"
fy mv /New /Renamed
expect_rc 0
[ -d "$DEV/Renamed" ] && [ ! -e "$DEV/New" ] || fail "mv: rename"
fy mv /Renamed /A/B
expect_rc 0
[ -d "$DEV/A/B/Renamed" ] || fail "mv: into a folder"
fy mv /empty.txt /A/moved.txt
expect_rc 0
[ -f "$DEV/A/moved.txt" ] && [ ! -e "$DEV/empty.txt" ] || fail "mv: move and rename"
mv "$DEV/A/moved.txt" "$DEV/empty.txt"
fy mv /notes.txt /Music/song.mp3
expect_rc 1
err_one_line
err_has 'exists'
fy mv /nothing /x
expect_rc 5
err_one_line
fy mv /notes.txt /Nowhere/x
expect_rc 5
err_one_line

step "rm"
fy rm /A
expect_rc 1
err_one_line
err_has 'rm /A: is a folder \(use -r\)'
fy rm -r /A
expect_rc 0
[ ! -e "$DEV/A" ] || fail "rm -r"
cp "$DEV/notes.txt" "$T/notes.bak"
fy rm /notes.txt "/Internal storage/empty.txt"
expect_rc 0
[ ! -e "$DEV/notes.txt" ] && [ ! -e "$DEV/empty.txt" ] || fail "rm of two files"
fy rm /
expect_rc 1
err_has 'will not delete a whole storage'
fy rm /nothing /Music/song.mp3
expect_rc 5
[ ! -e "$DEV/Music/song.mp3" ] || fail "rm did not go on after a missing file"
cp "$T/notes.bak" "$DEV/notes.txt"

step "two storages: paths start with the storage's name"
mkdir -p "$T/sd"
echo card >"$T/sd/card.txt"
VDEV_OPTS=(-s "SD card=$T/sd")
fy ls
expect_rc 0
printf 'Internal storage/\nSD card/\n' | diff - "$T/out" || fail "ls with two storages"
fy ls "/SD card"
expect_rc 0
out_has '^card.txt$'
fy get "/SD card/card.txt" "$L/card.txt"
expect_rc 0
same "$T/sd/card.txt" "$L/card.txt"
fy put "$T/new.txt" "/SD card/"
expect_rc 0
same "$T/new.txt" "$T/sd/new.txt"
fy ls /notes.txt
expect_rc 5
fy tree
expect_rc 0
out_has '^└── SD card$'
out_has '^    ├── card.txt$'
out_has '^    └── new.txt$'
fy ls -R --json
expect_rc 0
[ "$(json "$T/out" '[o["path"] for o in d if o["name"] == "card.txt"]')" = "['/SD card/card.txt']" ] ||
    fail "ls -R --json over two storages"
VDEV_OPTS=()

step "300 files into one folder, events trailing: the folder is listed a handful of times"
# A device that polls its event endpoint slowly (bInterval 9: one event
# per 32 ms) sends the echoes of ferry's own uploads long after them; they
# must still be told from foreign changes, or every late echo makes ferry
# list the growing folder again.
STORAGE_OPTS=""
rm -rf "${DEV:?}"/* "$T/many"
mkdir -p "$T/many"
for i in $(seq 1 300); do printf '%s' "$i" >"$T/many/f$i.txt"; done
rc=0
vdev --link usb2 --int-interval 9 -s "Internal storage=$DEV" -S "$T/stats.json" -- "$FERRY" put -r "$T/many" / \
    >"$T/out" 2>"$T/err" || rc=$?
expect_rc 0
[ "$(find "$DEV/many" -type f | wc -l)" = 300 ] || fail "not 300 files on the device"
lists=$(json "$T/stats.json" 'd["devices"][0]["operations"].get("GetObjectPropList", 0)')
[ "$lists" -le 6 ] || fail "GetObjectPropList sent $lists times for one folder of 300 uploads"

echo "PASS"
