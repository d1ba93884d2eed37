#!/bin/bash
# ferry's help and usage errors: they need no device, say what is wrong
# in one line, print the synopsis, and exit 2; --help of every command
# goes to stdout and exits 0.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

COMMANDS="devices info df ls tree stat get put rm mkdir mv"

step "ferry --help and ferry help list every command"
nodev --help
expect_rc 0
for c in $COMMANDS; do
    grep -Eq "^  $c +[A-Z]" "$T/out" || { show; fail "--help does not list $c"; }
done
out_has '^Exit status: '
cp "$T/out" "$T/help"
nodev help
expect_rc 0
cmp -s "$T/out" "$T/help" || fail "ferry help and ferry --help differ"
nodev -h
expect_rc 0
cmp -s "$T/out" "$T/help" || fail "ferry -h and ferry --help differ"

step "ferry --version"
nodev --version
expect_rc 0
out_has '^ferry [0-9]'
nodev -V
expect_rc 0

step "COMMAND --help and help COMMAND, without a device"
for c in $COMMANDS; do
    nodev "$c" --help
    expect_rc 0
    [ ! -s "$T/err" ] || { show; fail "$c --help wrote to stderr"; }
    head -n 1 "$T/out" | grep -q "^Usage: ferry \[GLOBAL OPTIONS\] $c" || { show; fail "$c --help: no synopsis"; }
    [ "$(wc -l <"$T/out")" -ge 2 ] || { show; fail "$c --help says nothing of what $c does"; }
    cp "$T/out" "$T/help.$c"
    nodev help "$c"
    expect_rc 0
    cmp -s "$T/out" "$T/help.$c" || fail "ferry help $c and ferry $c --help differ"
    nodev "$c" -h
    expect_rc 0
    cmp -s "$T/out" "$T/help.$c" || fail "ferry $c -h and ferry $c --help differ"
done
# every option a synopsis names is explained below it
for c in ls get put rm mkdir; do
    for o in $(head -n 1 "$T/help.$c" | grep -oE '\[-[a-zA-Z]\]|\[--[a-z-]+\]' | tr -d '[]'); do
        grep -Eq "^ +(-[a-zA-Z], )?$o|^ +-[a-zA-Z], $o| $o " <(tail -n +2 "$T/help.$c") ||
            fail "ferry $c --help does not explain $o"
    done
done

step "wrong arguments: one line, the synopsis, exit 2 (no device needed)"
nodev
usage_error
err_has '^ferry: no command given'
nodev bogus
usage_error
err_has '^ferry: no command "bogus"'
nodev help bogus
usage_error
nodev -x ls
usage_error
err_has '^ferry: unknown option -x'
nodev --bogus ls
usage_error
err_has '^ferry: unknown option --bogus'
nodev -d
usage_error
err_has '^ferry: option -d needs an argument'
nodev --json=1 ls
usage_error
err_has 'option --json takes no argument'
for args in "get" "get /a" "put" "put a" "rm" "mkdir" "mv" "mv /a" "mv /a /b /c" "stat" "tree /a /b" \
    "info extra" "df extra" "devices extra" "ls -z" "get -z /a b" "put --bogus a /b" "rm -p /a" \
    "mkdir -r /a" "mv -r /a /b" "tree -l" "stat -l /a"; do
    # shellcheck disable=SC2086 # split on purpose
    nodev $args
    usage_error
    c=${args%% *}
    err_has "^ferry: $c: "
    grep -q "^Usage: ferry \[GLOBAL OPTIONS\] $c " "$T/err" || { show; fail "$args: not $c's synopsis"; }
done

step "no device: exit 3 and one line"
for args in "info" "df" "ls" "ls -l /" "tree" "stat /a" "get /a $T" "put $T/help /" "rm /a" "mkdir /a" \
    "mv /a /b"; do
    # shellcheck disable=SC2086
    nodev $args
    expect_rc 3
    err_one_line
    err_has 'no MTP/PTP device is connected'
done
nodev -d FERRY0001 ls
expect_rc 3
err_one_line
nodev devices
expect_rc 0
nodev devices --json
expect_rc 0
out_has '^\[\]$'

echo "PASS"
