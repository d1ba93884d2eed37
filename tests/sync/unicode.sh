#!/bin/bash
# Unicode names cross both ways byte for byte (composed and decomposed
# forms stay two names), and a rerun finds them unchanged. Names a device
# may present that are not safe here ("..", "/etc/passwd", control
# characters, two objects of one name) are skipped and counted, and
# nothing lands outside the pair's folder.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

export LC_ALL=C.UTF-8
conf "[pair ünï]
remote = /Dokumente/Ünïcödé
local = $LOC/ünï
direction = both"

U="$LOC/ünï"
R="$DEV/Dokumente/Ünïcödé"
nfc=$(printf 'caf\303\251.txt')
nfd=$(printf 'cafe\314\201.txt')
long=$(printf '%.0sé' $(seq 1 100))
mktext "$R/$nfc" "composed" 1700000000
mktext "$R/$nfd" "decomposed" 1700000001
mktext "$R/日本語/ファイル.txt" "japanese" 1700000002
mktext "$R/emoji 😀 🚀.txt" "emoji" 1700000003
mktext "$U/Ελληνικά/αρχείο.txt" "greek" 1700000004
mktext "$U/$long.txt" "long name, 200 bytes" 1700000005
mktext "$U/with 'quotes' & \"more\" [x] (y) #z.txt" "punctuation" 1700000006
mktext "$U/Straße ß.bin" "german" 1700000007

step "unicode names cross both ways"
fy_ok sync
expect_counts copied=8 failed=0 skipped=0 conflicts=0
same_tree "$R" "$U"
[ "$(files "$U" | wc -l)" -eq 8 ] || fail "not 8 files"
fy_ok sync
expect_counts copied=0 unchanged=8 failed=0

step "names that are not safe here are skipped and counted, nothing escapes"
conf "[pair hostile]
remote = /hostile
local = $LOC/hostile
direction = pull"
mkdir -p "$T/probe"
fy --hostile-names -- sync
expect_counts failed=0
sk=$(counts | sed 's/.*skipped=\([0-9]*\).*/\1/')
[ "$sk" -ge 6 ] || { cat "$OUT" >&2; fail "only $sk names skipped"; }
grep -q "objects have that name" "$OUT" || { cat "$OUT" >&2; fail "duplicates not reported"; }
[ -f "$LOC/hostile/normal.txt" ] || fail "normal.txt did not arrive"
[ ! -e "$LOC/hostile/dup.txt" ] || fail "one of two objects named dup.txt was copied"
[ ! -e "$LOC/escape.txt" ] && [ ! -e "$T/escape.txt" ] || fail "a name escaped the folder"
find "$T" -newer "$T/probe" -type f | grep -v -e "^$LOC/hostile/" -e "^$T/state/" -e "^$OUT$" \
    -e "^$T/run/" -e "^$T/strays$" >"$T/strays" || true
[ ! -s "$T/strays" ] || { cat "$T/strays" >&2; fail "files written outside the pair's folder"; }
n=$(find "$LOC/hostile" -type f | wc -l)
[ "$n" -le 2 ] || { find "$LOC/hostile" >&2; fail "$n files arrived"; }
no_partial "$DEV" "$LOC"
db_ok
echo "PASS"
