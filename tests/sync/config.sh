#!/bin/bash
# The configuration: pairs chosen by the device's serial number or model;
# a device without pairs (or no configuration at all) is nothing to do,
# quietly; --config reads one file instead. Every mistake in the file is
# one error line naming the file and the line, status 2, before any
# device is touched: unknown key, bad values, unknown or malformed
# section, a key outside a section, a pair defined twice, a missing key,
# remove-after-import without pull, a syntax error.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

mkfile "$DEV/Sync/a.bin" 1000 1700000000

step "no configuration: nothing to do, status 0, nothing said"
fy_ok sync
[ ! -s "$OUT" ] || { cat "$OUT" >&2; fail "something was said"; }

step "a pair for another serial number or model: nothing to do"
conf "[pair other]
serial = SOMEONE-ELSE
remote = /Sync
local = $LOC/a
direction = pull

[pair other-model]
model = Pixel 7
remote = /Sync
local = $LOC/b
direction = pull"
fy_ok sync
[ ! -s "$OUT" ] || { cat "$OUT" >&2; fail "something was said"; }
[ ! -e "$LOC/a" ] && [ ! -e "$LOC/b" ] || fail "a pair of another device ran"

step "pairs by serial number, by model (any case), for any device"
conf "[pair by-serial]
serial = FERRY0001
remote = /Sync
local = $LOC/serial
direction = pull

[pair by-model]
model = virtual mtp DEVICE
remote = /Sync
local = $LOC/model
direction = pull

[pair any]
remote = /Sync
local = $LOC/any
direction = pull

[pair not-this-one]
serial = FERRY0002
remote = /Sync
local = $LOC/not
direction = pull"
fy_ok sync
expect_counts copied=3 pairs=3 failed=0
for d in serial model any; do same "$LOC/$d/a.bin" "$DEV/Sync/a.bin"; done
[ ! -e "$LOC/not" ] || fail "the pair of FERRY0002 ran"

step "--config FILE instead of the configured files"
printf '[pair other-file]\nremote = /Sync\nlocal = %s\ndirection = pull\n' "$LOC/other" >"$T/other.conf"
fy_ok sync --config "$T/other.conf"
expect_counts copied=1 pairs=1
same "$LOC/other/a.bin" "$DEV/Sync/a.bin"

# bad LINE TEXT CONFIG: the configuration is refused with one error at LINE
# mentioning TEXT, status 2 (no device session needed)
bad() {
    echo "   - $2"
    printf '%s\n' "$3" >"$CONF"
    RC=0
    timeout 30 "$FERRY" sync >"$OUT" 2>&1 || RC=$?
    expect_rc 2
    [ "$(wc -l <"$OUT")" -eq 1 ] || { cat "$OUT" >&2; fail "not one line for: $2"; }
    grep -qF "ferry: $CONF:$1: " "$OUT" || { cat "$OUT" >&2; fail "the error does not name $CONF:$1"; }
    grep -qF -- "$2" "$OUT" || { cat "$OUT" >&2; fail "the error does not say '$2'"; }
}

step "mistakes: one error naming the file and the line, status 2"
GOOD="[pair p]
remote = /Sync
local = $LOC/p
direction = pull"
bad 5 "unknown key 'colour'" "$GOOD
colour = red"
bad 4 "direction = sideways: expected pull, push or both" "# a comment
[pair p]
remote = /Sync
direction = sideways
local = $LOC/p"
bad 5 "delete = maybe: expected yes or no" "$GOOD
delete = maybe"
bad 6 "remove-after-import = often" "$GOOD

remove-after-import = often"
bad 3 "remote = Sync: a device path starts with '/'" "[pair p]
direction = pull
remote = Sync
local = $LOC/p"
bad 4 "local = relative/dir: an absolute path or ~/... is needed" "[pair p]
direction = pull
remote = /Sync
local = relative/dir"
bad 6 "unknown section [pairs q]" "$GOOD

[pairs q]
remote = /x"
bad 1 "unknown section [photos]" "[photos]
remote = /x"
bad 1 "a key outside a [pair NAME] section" "remote = /x
$GOOD"
bad 6 "[pair p] is already defined in this file" "$GOOD

[pair p]
remote = /y"
bad 5 "[pair q]: 'direction' is missing" "$GOOD
[pair q]
remote = /y
local = $LOC/q"
bad 1 "[pair p]: remove-after-import needs direction = pull" "[pair p]
remote = /Sync
local = $LOC/p
direction = both
remove-after-import = yes"
bad 3 "syntax error" "[pair p]
remote = /Sync
this line has no equals sign
local = $LOC/p
direction = pull"

step "--config with a file that is not there: status 2"
RC=0
timeout 30 "$FERRY" sync --config "$T/none.conf" >"$OUT" 2>&1 || RC=$?
expect_rc 2
grep -qF "$T/none.conf" "$OUT" || { cat "$OUT" >&2; fail "the error does not name the file"; }
db_ok
echo "PASS"
