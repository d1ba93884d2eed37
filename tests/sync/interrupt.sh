#!/bin/bash
# Interruption: runs of `ferry sync` killed at a random moment, each
# followed by a clean rerun, must end exactly where one uninterrupted run
# ends. The scenario, on a USB 2.0 paced link so a run takes a moment:
#   - a two-way pair with delete = yes, files of many sizes (empty to
#     10 MiB) on both sides, some the same on both;
#   - a pull pair with remove-after-import.
# A run that ends before the blow is done again with the moment halved.
# Phase 1 is the first sync of both pairs. Phase 2 starts from the result
# of phase 1 with new, changed and deleted files on both sides, and a file
# changed on both (a conflict: both versions kept on both sides). Run i
# interrupts phase 1 or 2 (alternately, four runs each) with one kind of
# interruption, in turn:
#   sigkill  SIGKILL at a random moment, rerun on the same device session
#   sigint   SIGINT at a random moment (ferry cancels and cleans up), rerun
#            on the same device session
#   unplug   the cable pulled at a random moment (ferry-vdev's control
#            FIFO), rerun after a replug
#   byte     the cable pulled once a random number of bytes went over the
#            bus (--fault unplug@byte=N), rerun after a replug
# After each rerun: the device's backing folder and the local folders are
# the same (files, bytes, folders) as after the uninterrupted run of the
# same phase on a fresh copy, so no file is lost; no part file is left on
# either side; the state store passes PRAGMA integrity_check and holds the
# same records as the uninterrupted run's; the rerun reports no failure.
#
# SYNC_INTERRUPT_RUNS (default 20: make check) sets the number of runs;
# the full check is 100:
#   make check TESTS=tests/sync/interrupt.sh SYNC_INTERRUPT_RUNS=100
# SYNC_INTERRUPT_SEED makes the random moments reproducible (printed).
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

RUNS=${SYNC_INTERRUPT_RUNS:-20}
SEED=${SYNC_INTERRUPT_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
echo "runs: $RUNS, seed: $SEED (SYNC_INTERRUPT_SEED=$SEED reproduces the moments)"
VDEV_LINK=usb2

# ------------------------------------------------------------------
# The scenario

S1="$T/start1"
mkdir -p "$S1/dev/Sync" "$S1/dev/Import" "$S1/loc/sync" "$S1/state"
t=1700000000
# files NAME-PREFIX DIR: small, medium and large files in a few folders
files_of() {
    local side=$1 dir=$2 i=0
    for size in 0 1 511 512 4096 16383 65536 100000 300000 1000000 1572864 6291456; do
        case $((i % 3)) in
            0) sub="" ;;
            1) sub="a/" ;;
            *) sub="a/b c/" ;;
        esac
        mkfile "$dir/$sub$side-$i.bin" "$size" $((t + i))
        i=$((i + 1))
    done
}
files_of dev "$S1/dev/Sync"
files_of loc "$S1/loc/sync"
mkfile "$S1/dev/Sync/big/dev-large.bin" $((10 << 20)) $((t + 100))
mkfile "$S1/loc/sync/big/loc-large.bin" $((8 << 20)) $((t + 101))
mkfile "$S1/dev/Sync/ünï/日本.txt" 3000 $((t + 102))
mkfile "$S1/loc/sync/ünï/café.txt" 4000 $((t + 103))
for i in 1 2 3; do
    mkfile "$S1/dev/Sync/same/s$i.bin" $((i * 70000)) $((t + 110 + i))
    mkdir -p "$S1/loc/sync/same"
    cp -p "$S1/dev/Sync/same/s$i.bin" "$S1/loc/sync/same/s$i.bin"
done
mkfile "$S1/dev/Import/IMG_0001.jpg" 2000000 $((t + 200))
mkfile "$S1/dev/Import/IMG_0002.jpg" 3000000 $((t + 201))
mkfile "$S1/dev/Import/sub/IMG_0003.jpg" 100000 $((t + 202))
mkfile "$S1/dev/Import/empty.txt" 0 $((t + 203))

# the phase 2 changes, made the same way each time from these files
MODS="$T/mods"
mkfile "$MODS/dev-new.bin" 3000000 $((t + 300))
mkfile "$MODS/dev-new-small.bin" 700 $((t + 301))
mkfile "$MODS/dev-changed.bin" 1000001 $((t + 302))
mkfile "$MODS/loc-new.bin" 4000000 $((t + 303))
mkfile "$MODS/loc-new-small.bin" 900 $((t + 304))
mkfile "$MODS/loc-changed.bin" 16000 $((t + 305))
mkfile "$MODS/IMG_0004.jpg" 2500000 $((t + 306))
mkfile "$MODS/IMG_0005.jpg" 50000 $((t + 307))
mkfile "$MODS/conf-dev.bin" 150000 $((t + 310))
mkfile "$MODS/conf-loc.bin" 160000 $((t + 311))
# apply_mods DIR: DIR/dev and DIR/loc as phase 1 left them -> phase 2 start
apply_mods() {
    cp -p "$MODS/dev-new.bin" "$1/dev/Sync/a/dev-new.bin"
    cp -p "$MODS/dev-new-small.bin" "$1/dev/Sync/new-dir/dev-new-small.bin" 2>/dev/null ||
        { mkdir -p "$1/dev/Sync/new-dir" && cp -p "$MODS/dev-new-small.bin" "$1/dev/Sync/new-dir/dev-new-small.bin"; }
    cp -p "$MODS/dev-changed.bin" "$1/dev/Sync/dev-9.bin"    # was 1000000 bytes
    rm "$1/dev/Sync/loc-3.bin"                                # made by the other side
    cp -p "$MODS/loc-new.bin" "$1/loc/sync/loc-new.bin"
    cp -p "$MODS/loc-new-small.bin" "$1/loc/sync/a/b c/loc-new-small.bin"
    cp -p "$MODS/loc-changed.bin" "$1/loc/sync/a/dev-4.bin"   # was 4096 bytes
    rm "$1/loc/sync/dev-6.bin" "$1/loc/sync/big/dev-large.bin"
    cp -p "$MODS/IMG_0004.jpg" "$MODS/IMG_0005.jpg" "$1/dev/Import/"
    cp -p "$MODS/conf-dev.bin" "$1/dev/Sync/same/s2.bin"      # changed on both sides:
    cp -p "$MODS/conf-loc.bin" "$1/loc/sync/same/s2.bin"      # a conflict
}

# config DIR: the pairs, with the local side under DIR/loc
config() {
    mkdir -p "$1/config/ferry"
    printf '%s\n' "[pair sync]" "remote = /Sync" "local = $1/loc/sync" "direction = both" "delete = yes" "" \
        "[pair import]" "remote = /Import" "local = $1/loc/import" "direction = pull" \
        "remove-after-import = yes" >"$1/config/ferry/sync.conf"
}

# in DIR COMMAND...: COMMAND with the XDG folders and the device of DIR
in_dir() {
    local d=$1
    shift
    XDG_CONFIG_HOME="$d/config" XDG_STATE_HOME="$d/state" XDG_RUNTIME_DIR="$d/run" DEV="$d/dev" "$@"
}

# state_rows DIR: the state store's records, without their times of sync
state_rows() {
    sqlite3 "$1/state/ferry/sync.db" 'SELECT device, pair, path, has_remote, has_local, rsize, rmtime, lsize,
        lmtime, hash, conflict FROM files ORDER BY device, pair, path;'
}

# expected PHASE: one uninterrupted run from the phase's start; sets
# DUR_PHASE (ms of the ferry run) and BYTES_PHASE (bulk bytes moved)
expected() {
    local e="$T/e$1"
    rm -rf "$e"
    cp -a "$T/start$1" "$e"
    config "$e"
    mkdir -p "$e/run"
    RC=0
    in_dir "$e" vdev -S "$e/stats.json" -- bash -c '
        s=$(date +%s%N); "$1" sync >"$2/out" 2>&1; rc=$?; e=$(date +%s%N)
        echo $(( (e - s) / 1000000 )) >"$2/ms"; exit $rc' sh "$FERRY" "$e" || RC=$?
    [ "$RC" -eq 0 ] || { cat "$e/out" >&2; fail "the uninterrupted run of phase $1 failed ($RC)"; }
    grep -E "$SUMMARY_RE" "$e/out" | sed "s/^/  phase $1: /"
    eval "DUR_$1=$(cat "$e/ms")"
    eval "BYTES_$1=$(( $(sed -n 's/.*"to_host": \([0-9]*\).*/\1/p' "$e/stats.json") + \
        $(sed -n 's/.*"from_host": \([0-9]*\).*/\1/p' "$e/stats.json") ))"
    rm -f "$e/stats.json" "$e/ms" "$e/out"
}

step "the uninterrupted runs"
expected 1
# the result of phase 1: everything on both sides of the two-way pair,
# everything imported and gone from the device
same_tree "$T/e1/dev/Sync" "$T/e1/loc/sync"
files "$S1/dev/Sync" | while IFS= read -r f; do same "$T/e1/loc/sync/$f" "$S1/dev/Sync/$f"; done
files "$S1/loc/sync" | while IFS= read -r f; do same "$T/e1/dev/Sync/$f" "$S1/loc/sync/$f"; done
same_tree "$S1/dev/Import" "$T/e1/loc/import"
[ -z "$(files "$T/e1/dev/Import")" ] || fail "phase 1: files left in Import"
rm -rf "$T/start2"
cp -a "$T/e1" "$T/start2"
rm -rf "$T/start2/config" "$T/start2/run"
apply_mods "$T/start2"
expected 2
diff -r -x same "$T/e2/dev/Sync" "$T/e2/loc/sync" >/dev/null || fail "phase 2: the sides differ"
same "$T/e2/dev/Sync/same/s2.bin" "$MODS/conf-dev.bin"
same "$T/e2/loc/sync/same/s2.bin" "$MODS/conf-loc.bin"
same "$(find "$T/e2/loc/sync/same" -name 's2 (conflict FERRY0001 *).bin')" "$MODS/conf-dev.bin"
same "$(find "$T/e2/dev/Sync/same" -name "s2 (conflict $(hostname) *).bin")" "$MODS/conf-loc.bin"
[ ! -e "$T/e2/loc/sync/loc-3.bin" ] && [ ! -e "$T/e2/dev/Sync/dev-6.bin" ] || fail "phase 2: deletions"
same "$T/e2/dev/Sync/a/dev-4.bin" "$MODS/loc-changed.bin"
same "$T/e2/loc/sync/dev-9.bin" "$MODS/dev-changed.bin"
same "$T/e2/loc/import/IMG_0004.jpg" "$MODS/IMG_0004.jpg"
[ -z "$(files "$T/e2/dev/Import")" ] || fail "phase 2: files left in Import"
echo "  phase 1: ${DUR_1} ms, $BYTES_1 bytes; phase 2: ${DUR_2} ms, $BYTES_2 bytes"

# ------------------------------------------------------------------
# The interrupted runs

rand() { echo $(( (RANDOM * 32768 + RANDOM) % $1 )); }

# check W PHASE: the state W reached equals the uninterrupted run's
check() {
    local w=$1 e="$T/e$2"
    diff -r "$w/dev" "$e/dev" >"$w/diff" 2>&1 || { echo "device folder differs:"; cat "$w/diff"; return 1; }
    diff -r "$w/loc" "$e/loc" >"$w/diff" 2>&1 || { echo "local folders differ:"; cat "$w/diff"; return 1; }
    left=$(find "$w/dev" "$w/loc" \( -name '.*.ferry-part' -o -name '.ferry-part-*' -o -name '.ferry-old-*' \
        -o -name '.ferry-vdev-incoming.*' \) | head -5)
    [ -z "$left" ] || { echo "part files left: $left"; return 1; }
    ic=$(sqlite3 "$w/state/ferry/sync.db" 'PRAGMA integrity_check;' 2>&1)
    [ "$ic" = ok ] || { echo "integrity_check: $ic"; return 1; }
    state_rows "$w" >"$w/rows"
    state_rows "$e" >"$w/rows.expected"
    diff "$w/rows.expected" "$w/rows" >"$w/diff" || { echo "state store differs:"; cat "$w/diff"; return 1; }
    return 0
}

KINDS="sigkill sigint unplug byte"
declare -A N PASS CUT
for k in $KINDS; do N[$k]=0; PASS[$k]=0; CUT[$k]=0; done
failures=0
W="$T/w"
for i in $(seq 0 $((RUNS - 1))); do
    set -- $KINDS
    shift $((i % 4))
    kind=$1
    phase=$(( (i / 4) % 2 + 1 ))
    eval "dur=\$DUR_$phase bytes=\$BYTES_$phase"
    # a run that ended before the blow is done again from the start with
    # the moment halved (three times at most)
    for try in 0 1 2 3; do
        rm -rf "$W"
        cp -a "$T/start$phase" "$W"
        config "$W"
        mkdir -p "$W/run"
        ms=$(( $(rand $((dur * 85 / 100 + 1))) >> try ))
        delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
        fault=()
        what="after ${delay} s"
        if [ "$kind" = byte ]; then
            nb=$(( $(rand "$bytes") + 1 ))
            fault=(--fault "unplug@byte=$nb")
            what="at byte $nb"
            delay=0
        fi
        RC=0
        # the interrupted run; for a signal, the rerun on the same session
        in_dir "$W" vdev "${fault[@]}" -- bash -c '
            "$1" sync >"$2/killed.out" 2>&1 & p=$!
            sleep "$3"
            case $4 in
                sigkill) kill -KILL $p 2>/dev/null ;;
                sigint) kill -INT $p 2>/dev/null ;;
                unplug) echo unplug >"$FERRY_VDEV_CTL" ;;
            esac
            wait $p; echo $? >"$2/killed.rc"
            case $4 in
                sigkill|sigint) "$1" sync >"$2/rerun.out" 2>&1; echo $? >"$2/rerun.rc" ;;
            esac
            exit 0' sh "$FERRY" "$W" "$delay" "$kind" >"$W/session.out" 2>&1 || RC=$?
        if [ "$RC" -eq 0 ] && { [ "$kind" = unplug ] || [ "$kind" = byte ]; }; then
            in_dir "$W" vdev -- bash -c '"$1" sync >"$2/rerun.out" 2>&1; echo $? >"$2/rerun.rc"' sh "$FERRY" "$W" \
                >>"$W/session.out" 2>&1 || RC=$?
        fi
        [ "$RC" -eq 0 ] && [ "$(cat "$W/killed.rc" 2>/dev/null)" = 0 ] || break
    done
    krc=$(cat "$W/killed.rc" 2>/dev/null || echo "?")
    rrc=$(cat "$W/rerun.rc" 2>/dev/null || echo "?")
    N[$kind]=$((N[$kind] + 1))
    [ "$krc" = 0 ] || CUT[$kind]=$((CUT[$kind] + 1))
    why=""
    if [ "$RC" -ne 0 ]; then
        why="device session ended with $RC"
    elif [ "$rrc" != 0 ]; then
        why="the rerun ended with $rrc"
    elif ! grep -qE "$SUMMARY_RE" "$W/rerun.out" || [ "$(counts "$W/rerun.out" | sed 's/.*failed=\([0-9]*\).*/\1/')" != 0 ]; then
        why="the rerun reported failures"
    elif ! check "$W" "$phase" >"$W/check.out"; then
        why="$(head -c 2000 "$W/check.out")"
    fi
    if [ -z "$why" ]; then
        PASS[$kind]=$((PASS[$kind] + 1))
        printf 'run %3d: phase %d, %-7s %-22s killed run: %-3s rerun: ok\n' "$i" "$phase" "$kind" "$what" "$krc"
    else
        failures=$((failures + 1))
        printf 'run %3d: phase %d, %-7s %-22s killed run: %-3s FAILED: %s\n' "$i" "$phase" "$kind" "$what" "$krc" "$why"
        for f in session.out killed.out rerun.out; do
            [ -s "$W/$f" ] && { echo "  --- $f"; sed 's/^/  | /' "$W/$f" | tail -20; }
        done
        rm -rf "$T/failed-$i"
        mv "$W" "$T/failed-$i"
    fi
done

echo
printf '%-8s %5s %12s %6s\n' kind runs interrupted passed
for k in $KINDS; do
    printf '%-8s %5d %12d %6d\n' "$k" "${N[$k]}" "${CUT[$k]}" "${PASS[$k]}"
done
echo "(interrupted: the killed run did not end with status 0; the others ended before the blow, four times)"
[ "$failures" -eq 0 ] || fail "$failures of $RUNS interrupted runs did not converge (seed $SEED)"
echo "PASS"
