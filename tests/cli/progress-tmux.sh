#!/bin/bash
# The progress display as a person sees it, on a real terminal (tmux, 100
# columns): while `ferry put -r` runs on a USB 2.0 link there is a line
# for the file (name, bar, percent, bytes) and one for the job (files,
# bar, percent, bytes, rate, ETA), within the width, moving forward;
# Ctrl-C (sent as keys) prints the interrupted message, leaves no bar on
# the screen and nothing partial on the device, and ferry exits 130. A
# copy that ends clears its bars; -q draws none.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"

SOCK=$T/tmux.sock
tm() { timeout 10 tmux -S "$SOCK" "$@"; }
cleanup_tmux() {
    tmux -S "$SOCK" kill-server 2>/dev/null || true
    cleanup
}
trap cleanup_tmux EXIT

S=$T/src
mkdir -p "$S/tree"
for i in 1 2 3 4; do
    mkrand "$S/tree/file$i.bin" $((40 << 20))
done

# start NAME COMMAND...: runs COMMAND (under ferry-vdev, usb2) in a 100x20
# terminal; its exit status lands in $T/NAME.exit
start() {
    name=$1
    shift
    {
        echo 'trap : INT' # the wrapper shell outlives Ctrl-C; ferry gets it
        # (timeout --foreground: a timeout in its own process group would
        # keep the terminal's Ctrl-C from ferry)
        printf '%q ' timeout --foreground -k 5 120 "$FERRY_VDEV" -q --link usb2 -s "Internal storage=$DEV" -- "$FERRY" "$@"
        echo
        echo "echo \$? >$T/$name.exit"
    } >"$T/$name.sh"
    rm -f "$T/$name.exit"
    tm new-session -d -s "$name" -x 100 -y 20 "LC_ALL=C.UTF-8 bash $T/$name.sh" \; set-option -t "$name" remain-on-exit on
}
capture() { # NAME FILE: the screen and what scrolled off it (tmux may
    # scroll one line off to say "Pane is dead" when the command ends)
    # (-J: a long message is one line, as it was written)
    tm capture-pane -p -J -S -50 -t "$1" >"$2"
}
wait_exit() { # NAME
    i=0
    while [ ! -e "$T/$1.exit" ] && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -e "$T/$1.exit" ] || fail "$1 did not end"
    cat "$T/$1.exit"
}
bars() { grep -E '\[[#-]{5,}\]' "$1" || true; }

step "put -r on a terminal: a file line and a job line"
start put put -r "$S/tree" /
i=0
while [ $i -lt 100 ]; do
    capture put "$T/screen1"
    grep -Eq '^[0-9]+/4 files .*ETA' "$T/screen1" && grep -Eq '^.*file[0-9]\.bin +\[[#-]+\] +[0-9]+%' "$T/screen1" &&
        ! grep -Eq '^0/4 files .* 0%' "$T/screen1" && break
    sleep 0.1
    i=$((i + 1))
done
cat "$T/screen1"
fileline=$(grep -E 'file[0-9]\.bin +\[' "$T/screen1" | head -n 1)
jobline=$(grep -E '^[0-9]+/4 files ' "$T/screen1" | head -n 1)
[ -n "$fileline" ] || fail "no file line on the screen"
[ -n "$jobline" ] || fail "no job line on the screen"
echo "$fileline" | grep -Eq '^(\.\.\.)?[^ ]*tree/file[1-4]\.bin +\[[#-]+\] +[0-9]{1,3}%  [0-9.]+ (B|kB|MB)/41\.9 MB$' ||
    fail "the file line is not name, bar, percent, bytes: '$fileline'"
echo "$jobline" |
    grep -Eq '^[0-4]/4 files +\[[#-]+\] +[0-9]{1,3}%  [0-9.]+ (B|kB|MB)/167\.8 MB  [0-9.]+ (B|kB|MB)/s  ETA ([0-9]+:[0-9]{2}|--:--)$' ||
    fail "the job line is not files, bar, percent, bytes, rate, ETA: '$jobline'"
# within the width, bars aligned and of one size
awk '{ if (length($0) > 99) exit 1 }' "$T/screen1" || fail "a line reaches the last column"
b1=$(echo "$fileline" | grep -ob '\[' | head -n 1 | cut -d: -f1)
b2=$(echo "$jobline" | grep -ob '\[' | head -n 1 | cut -d: -f1)
[ "$b1" = "$b2" ] || fail "the bars do not start in the same column ($b1, $b2)"
w1=$(echo "$fileline" | grep -oE '\[[#-]+\]')
w2=$(echo "$jobline" | grep -oE '\[[#-]+\]')
[ ${#w1} = ${#w2} ] || fail "the bars are not of one width"
[ "$(bars "$T/screen1" | wc -l)" = 2 ] || fail "not exactly two bars on the screen"

step "the bars move"
pct() { grep -E '^[0-9]+/4 files ' "$1" | sed -E 's/.*\] +([0-9]+)%.*/\1/'; }
p1=$(pct "$T/screen1")
sleep 1
i=0
p2=
while [ -z "$p2" ] && [ $i -lt 20 ]; do # a loaded host may lag the redraw
    capture put "$T/screen2"
    p2=$(pct "$T/screen2")
    [ -n "$p2" ] || sleep 0.1
    i=$((i + 1))
done
[ -n "$p2" ] && [ "$p2" -gt "$p1" ] || { cat "$T/screen2"; fail "the job did not move ($p1% -> $p2%)"; }

step "Ctrl-C: the interrupted message, no bar left, exit 130, nothing partial"
tm send-keys -t put C-c
rc=$(wait_exit put)
capture put "$T/screen3"
cat "$T/screen3"
[ "$rc" = 130 ] || fail "exit $rc after Ctrl-C"
grep -q '^ferry: interrupted: cancelling and cleaning up (nothing half-copied stays)$' "$T/screen3" ||
    fail "no interrupted message"
grep -Eq '^ferry: interrupted: sent [0-3] of 4 files \([0-9.]+ (B|kB|MB)\); not sent: .*tree/file[1-4]\.bin( and [0-9]+ more)?; nothing half-copied was left$' \
    "$T/screen3" || fail "no summary of what was and was not sent"
[ -z "$(bars "$T/screen3")" ] || fail "a progress bar is left on the screen"
no_leftovers "$DEV"
(cd "$DEV" && find . -type f) | while read -r f; do
    cmp -s "$DEV/$f" "$S/$f" || fail "$f on the device is not complete"
done
[ "$(find "$DEV" -type f | wc -l)" -lt 4 ] || fail "Ctrl-C came too late: everything was sent"

step "two Ctrl-C: still nothing partial"
rm -rf "${DEV:?}"/*
start put2 put -r "$S/tree" /
i=0
while [ $i -lt 100 ]; do
    capture put2 "$T/screen4"
    grep -Eq '^[0-9]+/4 files .* [1-9][0-9]?%' "$T/screen4" && break
    sleep 0.1
    i=$((i + 1))
done
tm send-keys -t put2 C-c C-c
rc=$(wait_exit put2)
capture put2 "$T/screen4"
cat "$T/screen4"
[ "$rc" = 130 ] || fail "exit $rc after two Ctrl-C"
[ -z "$(bars "$T/screen4")" ] || fail "a progress bar is left on the screen"
no_leftovers "$DEV"
(cd "$DEV" && find . -type f) | while read -r f; do
    cmp -s "$DEV/$f" "$S/$f" || fail "$f on the device is not complete"
done

step "a copy that ends clears its bars; -q draws none"
rm -rf "${DEV:?}"/*
cp "$S/tree/file1.bin" "$DEV/"
start get get "/file1.bin" "$T/got.bin"
rc=$(wait_exit get)
capture get "$T/screen5"
[ "$rc" = 0 ] || { cat "$T/screen5"; fail "get exit $rc"; }
[ -z "$(bars "$T/screen5")" ] || { cat "$T/screen5"; fail "a bar stays after the copy"; }
same "$S/tree/file1.bin" "$T/got.bin"
rm "$T/got.bin"
start getq -q get "/file1.bin" "$T/got.bin"
seen=
while [ ! -e "$T/getq.exit" ]; do
    capture getq "$T/screen6"
    [ -z "$(bars "$T/screen6")" ] || seen=1
    sleep 0.1
done
[ "$(cat "$T/getq.exit")" = 0 ] || fail "get -q failed"
[ -z "$seen" ] || fail "-q drew a progress bar"
same "$S/tree/file1.bin" "$T/got.bin"

echo "PASS"
