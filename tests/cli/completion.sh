#!/bin/bash
# The bash completion: sourced in bash it registers `complete -F _ferry
# ferry`, completes the commands of `ferry --help`, each command's
# options from `ferry help CMD`, devices for -d, and remote paths read
# from a (virtual) device; with no device it returns quickly and quietly.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

SRCDIR=${FERRY_SRCDIR:-$FERRY_CLI_SRCDIR/../..}
COMP=$SRCDIR/tools/ferry/ferry.bash-completion
[ -f "$COMP" ] || fail "no completion at $COMP"

# `ferry` on the PATH is the one under test
mkdir -p "$T/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$FERRY" >"$T/bin/ferry"
chmod +x "$T/bin/ferry"
export PATH="$T/bin:$PATH"

# complete.sh WORD...: the candidates bash offers for the last word, one
# a line, sorted
cat >"$T/complete.sh" <<'EOS'
. "$COMP"
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
_ferry ferry "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
EOS
export COMP
comp() {
    rc=0
    timeout 20 bash "$T/complete.sh" "$@" >"$T/out" 2>"$T/err" || rc=$?
    expect_rc 0
    [ ! -s "$T/err" ] || { show; fail "completion printed on stderr"; }
}

step "complete -p ferry"
out=$(bash -c ". \"$COMP\"; complete -p ferry")
[ "$out" = "complete -F _ferry ferry" ] || fail "complete -p ferry: '$out'"

step "the commands, as ferry --help lists them"
nodev --help
(sed -n '/^Commands:/,/^`/p' "$T/out" | awk '/^  [a-z]/ { print $1 }'; echo help) | LC_ALL=C sort >"$T/cmds"
comp ferry ""
diff "$T/cmds" "$T/out" || fail "the completed commands are not ferry's"
comp ferry m
printf 'mkdir\nmv\n' | diff - "$T/out" || fail "ferry m<TAB>"
comp ferry -q -v ""
diff "$T/cmds" "$T/out" || fail "commands after global options"
comp ferry help g
printf 'get\n' | diff - "$T/out" || fail "ferry help g<TAB>"

step "global options, and each command's options as its help lists them"
comp ferry --
for o in --device --quiet --verbose --json --progress --help --version; do
    grep -qx -- "$o" "$T/out" || { show; fail "global option $o is not completed"; }
done
for c in $(grep -v -e help -e sync "$T/cmds"); do
    nodev help "$c"
    grep -oE '(^| |\[)--?[a-zA-Z][a-z-]*' "$T/out" | tr -d ' [' | sort -u >"$T/opts"
    comp ferry "$c" -
    while read -r o; do
        grep -qx -- "$o" "$T/out" || fail "ferry $c $o is not completed"
    done <"$T/opts"
done

step "local files for put"
mkdir -p "$T/files"
: >"$T/files/photo one.jpg"
comp ferry put "$T/files/ph"
grep -qx "$T/files/photo one.jpg" "$T/out" || { show; fail "local file not completed for put"; }

step "no device: quick and quiet"
start=$(date +%s)
comp ferry ls /
[ ! -s "$T/out" ] || { show; fail "candidates without a device"; }
[ $(($(date +%s) - start)) -le 5 ] || fail "completion without a device took too long"

step "remote paths and devices from a virtual device"
mkdir -p "$DEV/DCIM/Camera" "$DEV/Music"
: >"$DEV/DCIM/Camera/a.jpg"
: >"$DEV/notes.txt"
cat >"$T/remote.sh" <<'EOS'
set -u
bash "$T/complete.sh" ferry ls / >"$T/r1"
bash "$T/complete.sh" ferry ls /D >"$T/r2"
bash "$T/complete.sh" ferry get /DCIM/C >"$T/r3"
bash "$T/complete.sh" ferry rm /DCIM/Camera/ >"$T/r4"
bash "$T/complete.sh" ferry -d "" >"$T/r5"
bash "$T/complete.sh" ferry -d FERRY0001 stat /n >"$T/r6"
bash "$T/complete.sh" ferry put "$T/files/photo one.jpg" /M >"$T/r7"
EOS
export T
vdev --link none -s "Internal storage=$DEV" -- bash "$T/remote.sh" 2>"$T/remote.err" || { cat "$T/remote.err" >&2; fail "remote completion failed"; }
printf '/DCIM/\n/Music/\n/notes.txt\n' | diff - "$T/r1" || fail "ferry ls /<TAB>"
printf '/DCIM/\n' | diff - "$T/r2" || fail "ferry ls /D<TAB>"
printf '/DCIM/Camera/\n' | diff - "$T/r3" || fail "ferry get /DCIM/C<TAB>"
printf '/DCIM/Camera/a.jpg\n' | diff - "$T/r4" || fail "ferry rm /DCIM/Camera/<TAB>"
grep -qx FERRY0001 "$T/r5" || { cat "$T/r5" >&2; fail "ferry -d <TAB>: no serial"; }
grep -Eqx '[0-9]+:[0-9]+' "$T/r5" || { cat "$T/r5" >&2; fail "ferry -d <TAB>: no bus:address"; }
printf '/notes.txt\n' | diff - "$T/r6" || fail "ferry -d FERRY0001 stat /n<TAB>"
printf '/Music/\n' | diff - "$T/r7" || fail "ferry put FILE /M<TAB>"

echo "PASS"
