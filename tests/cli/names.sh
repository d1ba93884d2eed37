#!/bin/bash
# Names both ways: a tree with unicode names (accents, CJK, emoji outside
# the BMP, names as long as the local file system allows), spaces,
# quotes and a leading dash, and empty files and folders, goes to the
# device and comes back identical. Names the device cannot store (not
# UTF-8, control characters, over 254 UTF-16 units) are reported with
# the reason and skipped, not mangled.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

U=$T/unicode
mkdir -p "$U/Dossier été/日本語フォルダ/🎵 music" "$U/empty folder" "$U/-dash"
printf 'a\n' >"$U/Ünïcødé naïve café.txt"
printf 'b\n' >"$U/Dossier été/日本語フォルダ/写真 1.jpg"
mkrand "$U/Dossier été/日本語フォルダ/🎵 music/🎸🎹 song.mp3" 70000
: >"$U/empty.txt"
: >"$U/Dossier été/vide.txt"
printf 'q\n' >"$U/it's \"quoted\" & spaced  .txt"
printf 'd\n' >"$U/-dash/-n.txt"
printf 'ß\n' >"$U/Dossier été/Straße ß.txt"
# as long as ext4 allows: 85 CJK characters are 255 bytes (85 UTF-16 units)
long_cjk=$(printf '語%.0s' $(seq 1 85))
printf 'l\n' >"$U/$long_cjk"
# 63 emoji: 252 bytes, 126 UTF-16 units (surrogate pairs)
long_emoji=$(printf '😀%.0s' $(seq 1 63))
printf 'e\n' >"$U/$long_emoji"

step "put -r of a unicode tree with empty files and folders"
fy put -r "$U" /
expect_rc 0
[ ! -s "$T/err" ] || { show; fail "put -r printed something"; }
same_tree "$U" "$DEV/unicode"
[ -d "$DEV/unicode/empty folder" ] || fail "the empty folder did not arrive"

step "ls and tree print the names as they are (UTF-8, not escaped)"
fy ls "/unicode/Dossier été/日本語フォルダ/🎵 music"
expect_rc 0
out_has '^🎸🎹 song.mp3$'
fy tree /unicode
expect_rc 0
out_has "── $long_emoji\$"
out_has '── Straße ß.txt$'
fy stat "/unicode/it's \"quoted\" & spaced  .txt"
expect_rc 0
out_has '^  Size: 2$'

step "get -r of it back"
fy get -r /unicode "$T/back"
expect_rc 0
same_tree "$U" "$T/back"
[ -d "$T/back/empty folder" ] || fail "the empty folder did not come back"
[ -f "$T/back/empty.txt" ] && [ ! -s "$T/back/empty.txt" ] || fail "the empty file did not come back"
no_leftovers "$T/back" "$DEV"

step "single files with unicode names, both ways, and a leading dash"
fy get "/unicode/Dossier été/日本語フォルダ/写真 1.jpg" "$T/写真.jpg"
expect_rc 0
same "$U/Dossier été/日本語フォルダ/写真 1.jpg" "$T/写真.jpg"
fy put -- "$U/-dash/-n.txt" /-dash.txt
expect_rc 0
same "$U/-dash/-n.txt" "$DEV/-dash.txt"
fy get -- /-dash.txt "$T/dash.txt"
expect_rc 0
same "$U/-dash/-n.txt" "$T/dash.txt"
fy put "$U/empty.txt" "/empty-ü.txt"
expect_rc 0
[ -f "$DEV/empty-ü.txt" ] && [ ! -s "$DEV/empty-ü.txt" ] || fail "an empty file with a unicode name"

step "names the device cannot store: reported with the reason, the rest sent"
B=$T/bad
mkdir -p "$B"
printf 'ok\n' >"$B/fine.txt"
printf 'x\n' >"$B/$(printf 'not-utf8-\377.txt')"
printf 'x\n' >"$B/$(printf 'tab\there.txt')"
printf 'x\n' >"$B/$(printf 'y%.0s' $(seq 1 255))"
mkdir "$B/$(printf 'dir\001x')"
printf 'x\n' >"$B/$(printf 'dir\001x')/inside.txt"
fy put -r "$B" /
expect_rc 1
LC_ALL=C grep -q "$(printf '\377')" "$T/err" && fail "a byte that is not UTF-8 was printed raw"
err_has '^ferry: put .*/bad/not-utf8-\\xff\.txt: skipped: the device cannot store this name \(it is not valid UTF-8\)$'
err_has '^ferry: put .*/bad/tab\\x09here\.txt: skipped: the device cannot store this name \(it contains control characters\)$'
err_has '^ferry: put .*/bad/y{255}: skipped: the device cannot store this name \(longer than 254 UTF-16 units\)$'
err_has '^ferry: put .*/bad/dir\\x01x: skipped with its contents: the device cannot store this name \(it contains control characters\)$'
err_has '^ferry: sent 1 of 4 files \(3 B\); 3 failed$'
printf '%s\n' . ./fine.txt >"$T/want"
(cd "$DEV/bad" && find . | LC_ALL=C sort) | diff "$T/want" - || fail "put -r sent a mangled name"
fy mkdir "/$(printf 'a\tb')"
expect_rc 1
err_one_line
err_has 'the device cannot store this name'
fy mv /bad/fine.txt "/bad/$(printf 'y%.0s' $(seq 1 255))"
expect_rc 1
err_one_line
err_has 'cannot store the name'
no_leftovers "$DEV"

echo "PASS"
