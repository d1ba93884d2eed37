#!/bin/bash
# ferry(1) agrees with the tool: every command of `ferry --help` and
# every option of `ferry help CMD` is in the man page, every exit status
# of tools/ferry/cli.h is in its table, and the page renders without
# warnings.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

SRCDIR=${FERRY_SRCDIR:-$FERRY_CLI_SRCDIR/../..}
MAN=$SRCDIR/tools/ferry/ferry.1
[ -f "$MAN" ] || fail "no man page at $MAN"

# the page as text, without roff escapes for "-"
sed -e 's/\\-/-/g' -e 's/\\fB//g; s/\\fR//g; s/\\fI//g' "$MAN" >"$T/man.txt"

step "every command is in the synopsis and has an entry"
nodev --help
expect_rc 0
cmds=$(sed -n '/^Commands:/,/^`/p' "$T/out" | awk '/^  [a-z]/ { print $1 }')
[ -n "$cmds" ] || fail "no commands in ferry --help"
for c in $cmds help; do
    grep -Eq "^\.B ferry $c( |$)" "$T/man.txt" || fail "ferry $c is not in the synopsis"
done
for c in $cmds; do
    grep -Eq "^\.B $c( |$)" "$T/man.txt" || fail "ferry(1) has no entry for $c"
done

step "every option of every command is in the page"
for c in $cmds; do
    [ "$c" = sync ] && continue # documented by ferry sync --help and docs/SYNC.md
    nodev help "$c"
    expect_rc 0
    for o in $(grep -oE '(^| |\[)--?[a-zA-Z][a-z-]*' "$T/out" | tr -d ' [' | sort -u); do
        grep -Fq -- "$o" "$T/man.txt" || fail "ferry $c: $o is not in ferry(1)"
    done
done
nodev --help
for o in $(sed -n '/^Global options/,/^$/p' "$T/out" | grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' | tr -d ' ,' |
    sort -u); do
    grep -Fq -- "$o" "$T/man.txt" || fail "global option $o is not in ferry(1)"
done

step "every exit status is in the table"
codes=$(grep -oE '^ +EX_[A-Z_]+ = [0-9]+' "$SRCDIR/tools/ferry/cli.h" | awk '{ print $3 }')
[ -n "$codes" ] || fail "no exit codes in cli.h"
for n in $codes; do
    sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$T/man.txt" | grep -qx "\.B $n" || fail "exit status $n is not in ferry(1)"
done
# and ferry --help names them all too (the signals as "129/130/143")
for n in $codes; do
    [ "$n" -ge 129 ] || grep -Eq "(^|[ ,])$n [a-z]" "$T/out" || fail "ferry --help does not explain exit $n"
done

step "the page names what is left after SIGKILL, and FERRY_DEVICE"
grep -q 'ferry-part' "$T/man.txt" || fail "no part file names"
grep -q '^\.B FERRY_DEVICE' "$T/man.txt" || fail "FERRY_DEVICE is not in ENVIRONMENT"
for s in NAME SYNOPSIS DESCRIPTION "REMOTE PATHS" COMMANDS "GLOBAL OPTIONS" PROGRESS "INTERRUPTS AND WHAT IS LEFT" \
    "UNTRUSTED DEVICES" "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    grep -q "^\.SH $s\$" "$T/man.txt" || fail "no section $s"
done

step "it renders without warnings"
if command -v groff >/dev/null 2>&1; then
    groff -man -ww -z -t "$MAN" 2>"$T/groff.err" || true
    [ ! -s "$T/groff.err" ] || { cat "$T/groff.err" >&2; fail "groff warns"; }
    groff -man -Tutf8 "$MAN" 2>/dev/null | sed 's/.\x08//g' | grep -q 'INTERRUPTS AND WHAT IS LEFT' || fail "does not render"
else
    echo "(no groff: not rendered)"
fi

echo "PASS"
