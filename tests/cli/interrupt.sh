#!/bin/bash
# The interruption test: get and put (a single large file and a tree)
# started under ferry-vdev on a USB 2.0 link, so that transfers take
# time, and killed at a random moment (0-400 ms after the start).
#
# SIGINT runs (INTERRUPT_RUNS, default 200; `make check` runs 40), across
# the personas (INTERRUPT_PERSONAS: how devices behave after a cancel);
# one run in four (at random) sends a second SIGINT shortly after the
# first. After
# each run:
#   - ferry exited 130 (or 0 when it had finished first);
#   - no local part file (.NAME.ferry-part) and no partial target: every
#     local file there is byte-identical to its source;
#   - no part object (.ferry-part-*) and no partial object on the device:
#     the backing folder holds only complete files identical to their
#     sources, and ferry-vdev counts no orphan (an object created that
#     never got its data);
#   - the device answers the next command (`ferry ls`, same session).
# A few SIGTERM and SIGHUP runs (exit 143, 129) check the same
# (INTERRUPT_TERM_RUNS).
#
# SIGKILL runs (INTERRUPT_KILL_RUNS): nothing can clean up, so leftovers
# may remain, but only under the recognisable names (.NAME.ferry-part
# locally, .ferry-part-XXXXXXXX-NAME on the device); nothing that looks
# finished (a real name, locally or in the device's listing) is
# incomplete; and the next run of the same command, into the same
# folder, cleans them up and completes.
#
# INTERRUPT_SEED makes a run repeatable; INTERRUPT_PERSONAS and
# INTERRUPT_MODES narrow it down. The table at the end counts the
# outcomes per persona and mode.
. "${FERRY_CLI_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v python3 >/dev/null || skip "python3 is not installed"
RUNS=${INTERRUPT_RUNS:-200}
KILL_RUNS=${INTERRUPT_KILL_RUNS:-$((RUNS / 5 > 8 ? RUNS / 5 : 8))}
TERM_RUNS=${INTERRUPT_TERM_RUNS:-4}
PERSONAS=${INTERRUPT_PERSONAS:-compliant samsung android pixel gopro panasonic busy}
MODES=${INTERRUPT_MODES:-get-file get-tree put-file put-tree}
SEED=${INTERRUPT_SEED:-$$}
RANDOM=$SEED
read -r -a persona_list <<<"$PERSONAS"
read -r -a mode_list <<<"$MODES"
echo "runs: $RUNS SIGINT, $TERM_RUNS SIGTERM/SIGHUP, $KILL_RUNS SIGKILL; personas: $PERSONAS; seed $SEED"

# a signal's default action in the runs (bash ignores SIGINT in
# background jobs; a terminal does not)
DEFSIG=()
if env --default-signal=INT true 2>/dev/null; then
    DEFSIG=(env --default-signal=INT)
fi

SRC=$T/src          # what put sends, and what the device offers to get
mkdir -p "$SRC/tree/a/b" "$SRC/tree/c" "$SRC/tree/empty"
mkrand "$SRC/small.bin" $((4 << 20))
mkrand "$SRC/mid.bin" $((12 << 20))
mkrand "$SRC/big.bin" $((24 << 20))
mkrand "$SRC/tree/one.bin" $((3 << 20))
mkrand "$SRC/tree/a/two.bin" $((2 << 20))
mkrand "$SRC/tree/a/b/three.bin" $((4 << 20))
mkrand "$SRC/tree/a/b/four.bin" $((1 << 20))
mkrand "$SRC/tree/c/five.bin" $((3 << 20))
: >"$SRC/tree/c/empty.txt"
GETDEV=$T/getdev    # the device's storage for get runs: never changes
cp -a "$SRC" "$GETDEV"
snapshot() { (cd "$1" && find . -printf '%p %y %s %T@\n' | LC_ALL=C sort); }
getdev_snap=$(snapshot "$GETDEV")
PUTDEV=$T/putdev    # the device's storage for put runs: emptied each run
L=$T/local          # get's target folder
export SRC L FERRY
DEFSIG_S="${DEFSIG[*]}"
export DEFSIG_S

cat >"$T/inner.sh" <<'EOS'
# inner.sh MODE FILE SIG DELAY SECOND: one run inside ferry-vdev
mode=$1 file=$2 sig=$3 delay=$4 second=$5
case $mode in
    get-file) args=(get "/$file" "$L/") ;;
    get-tree) args=(get -r /tree "$L/") ;;
    put-file) args=(put "$SRC/$file" /) ;;
    put-tree) args=(put -r "$SRC/tree" /) ;;
esac
# shellcheck disable=SC2086
$DEFSIG_S "$FERRY" "${args[@]}" 2>"$RUN/err" &
pid=$!
(sleep 60 && kill -KILL $pid) 2>/dev/null &
watchdog=$!
sleep "$delay"
kill -"$sig" $pid 2>/dev/null
if [ "$second" != 0 ]; then
    sleep "$second"
    kill -"$sig" $pid 2>/dev/null
fi
wait $pid
echo $? >"$RUN/rc"
kill $watchdog 2>/dev/null
wait $watchdog 2>/dev/null
if [ "$sig" = KILL ]; then
    # what is there before anyone cleans: the listing and the storage
    timeout 60 "$FERRY" ls -R --json / >"$RUN/after.json" 2>"$RUN/after.err"
    echo $? >"$RUN/after.rc"
    (cd "$STORE" && find . -type f -exec cksum {} +) >"$RUN/snap.txt"
    (cd "$L" && find . -type f -exec cksum {} +) >"$RUN/local.txt"
    # the next run of the same command cleans up and completes
    timeout 120 "$FERRY" "${args[@]}" >"$RUN/rerun.out" 2>"$RUN/rerun.err"
    echo $? >"$RUN/rerun.rc"
fi
# the device answers the next command
timeout 60 "$FERRY" ls -R --json / >"$RUN/ls.json" 2>"$RUN/ls.err"
echo $? >"$RUN/ls.rc"
EOS

(cd "$SRC" && find . -type f -exec cksum {} +) >"$T/src.cksum"

# check_complete DIR PREFIX: every file in DIR is identical to
# $SRC/PREFIX/<its path>
check_complete() {
    (cd "$1" && find . -type f) | while read -r f; do
        cmp -s "$1/$f" "$SRC/$2/$f" || fail "run $run: $1/$f is not a complete copy"
    done
}

RUN=$T/run
export RUN
results=$T/results.txt
: >"$results"

# one_run N PERSONA MODE SIG DELAY SECOND
one_run() {
    run=$1 persona=$2 mode=$3 sig=$4 delay=$5 second=$6
    rm -rf "$RUN" "$L" "$PUTDEV"
    mkdir -p "$RUN" "$L" "$PUTDEV"
    case $mode in
        get-*) STORE=$GETDEV ;;
        *) STORE=$PUTDEV ;;
    esac
    export STORE
    file=big.bin
    case $((run % 3)) in
        1) file=mid.bin ;;
        2) file=small.bin ;;
    esac
    vrc=0
    local t0r
    t0r=$(date +%s.%N)
    vdev --link usb2 -p "$persona" -S "$RUN/stats.json" -s "Internal storage=$STORE" -- \
        bash "$T/inner.sh" "$mode" "$file" "$sig" "$delay" "$second" 2>"$RUN/vdev.err" || vrc=$?
    [ "$vrc" = 0 ] || { cat "$RUN/vdev.err" >&2; fail "run $run ($persona $mode $sig): ferry-vdev exit $vrc"; }
    [ -z "${INTERRUPT_TIMES:-}" ] || echo "run $run $persona $mode $sig: $(echo "$(date +%s.%N) - $t0r" | bc) s" >&2
    rc=$(cat "$RUN/rc")
    what="run $run ($persona, $mode $file, SIG$sig after $delay s${second:+, again after $second s})"
    case $sig in
        INT) want=130 ;;
        TERM) want=143 ;;
        HUP) want=129 ;;
        KILL) want=137 ;;
    esac
    [ "$rc" = "$want" ] || [ "$rc" = 0 ] || { cat "$RUN/err" >&2; fail "$what: exit $rc"; }
    [ "$(cat "$RUN/ls.rc")" = 0 ] || { cat "$RUN/ls.err" >&2; fail "$what: the device did not answer ls afterwards"; }
    # ferry's messages: only the interrupt's (in a build tree, libtool's
    # wrapper script and its sed may say something when the signal kills
    # them before ferry runs: not ferry's words)
    if [ "$sig" != KILL ] && grep '^ferry: ' "$RUN/err" |
        grep -v -e '^ferry: interrupted' -e '^ferry: still cleaning up' | grep -q .; then
        cat "$RUN/err" >&2
        fail "$what: unexpected messages"
    fi
    leftovers=0
    if [ "$sig" = KILL ]; then
        kill_checks
    else
        no_leftovers "$L" "$STORE"
        [ -z "$(find "$STORE" -name '.ferry-vdev-incoming.*')" ] || fail "$what: device temporaries left"
        case $mode in
            get-*) check_complete "$L" . ;;
            put-*) check_complete "$STORE" . ;;
        esac
        # no orphan on the device, no part object in the listing
        python3 - "$RUN/stats.json" "$RUN/ls.json" <<'EOP' || fail "$what: something partial on the device"
import json, sys
stats, listing = (json.load(open(f)) for f in sys.argv[1:])
n = sum(x["orphans"] for x in stats["devices"])
assert n == 0, "%d orphans" % n
for o in listing:
    assert not o["name"].startswith(".ferry-part-"), o["path"]
EOP
        if [ "$rc" = 0 ]; then
            case $mode in
                get-file) same "$STORE/$file" "$L/$file" ;;
                get-tree) same_tree "$SRC/tree" "$L/tree" ;;
                put-file) same "$SRC/$file" "$STORE/$file" ;;
                put-tree) same_tree "$SRC/tree" "$STORE/tree" ;;
            esac
        fi
    fi
    [ "$mode" != get-file ] && [ "$mode" != get-tree ] || [ "$(snapshot "$GETDEV")" = "$getdev_snap" ] ||
        fail "$what: get changed the device"
    case $mode in
        get-*) complete=$(find "$L" -type f ! -name '.*.ferry-part' | wc -l) ;;
        put-*) complete=$(find "$STORE" -type f ! -name '.ferry-*' | wc -l) ;;
    esac
    echo "$persona $mode $sig $rc $complete $leftovers $second" >>"$results"
}

kill_checks() {
    [ "$(cat "$RUN/after.rc")" = 0 ] || { cat "$RUN/after.err" >&2; fail "$what: no listing after the kill"; }
    # leftovers only under the recognisable names; what looks finished is complete
    python3 - "$RUN/after.json" "$RUN/snap.txt" "$RUN/local.txt" "$T/src.cksum" "$mode" <<'EOP' ||
import json, os, re, sys
listing, snap, local, src, mode = sys.argv[1:]
def sums(path):
    d = {}
    for line in open(path, encoding="utf-8", errors="surrogateescape"):
        c, s, name = line.rstrip("\n").split(" ", 2)
        d[os.path.normpath(name)] = (c, s)
    return d
src, snap, local = sums(src), sums(snap), sums(local)
part_local = re.compile(r"^\..+\.ferry-part$")
part_dev = re.compile(r"^\.ferry-part-[0-9a-f]{8}-")
tmp_dev = re.compile(r"^\.ferry-vdev-incoming\.")
for name, v in local.items():
    base = os.path.basename(name)
    if part_local.match(base):
        continue
    key = os.path.normpath(name)
    assert src.get(key) == v, "local %s is incomplete or unknown" % name
for name, v in snap.items():
    base = os.path.basename(name)
    if part_dev.match(base) or tmp_dev.match(base):
        continue
    assert src.get(name) == v, "device file %s is incomplete or unknown" % name
for o in json.load(open(listing)):
    if o["folder"] or part_dev.match(o["name"]):
        continue
    key = os.path.normpath("." + o["path"])
    assert snap.get(key) == src.get(key) and key in src, \
        "the device lists %s as a finished file, but it is not complete" % o["path"]
EOP
        fail "$what: something that looks finished is not complete"
    # what the next run has to clean: part files here, part objects there
    leftovers=$(($(grep -c '/\.[^/]*\.ferry-part$' "$RUN/local.txt" || true) +
        $(grep -o '"name": "\.ferry-part-' "$RUN/after.json" | wc -l)))
    [ "$(cat "$RUN/rerun.rc")" = 0 ] || { cat "$RUN/rerun.err" >&2; fail "$what: the next run failed"; }
    no_leftovers "$L" "$STORE"
    case $mode in
        get-file) same "$STORE/$file" "$L/$file" ;;
        get-tree) same_tree "$SRC/tree" "$L/tree" ;;
        put-file) same "$SRC/$file" "$STORE/$file" ;;
        put-tree) same_tree "$SRC/tree" "$STORE/tree" ;;
    esac
    python3 - "$RUN/ls.json" <<'EOP' || fail "$what: the next run left a part object"
import json, sys
for o in json.load(open(sys.argv[1])):
    assert not o["name"].startswith(".ferry-"), o["path"]
EOP
}

np=${#persona_list[@]}
t0=$(date +%s)
total=$((RUNS + TERM_RUNS + KILL_RUNS))
for ((i = 0; i < total; i++)); do
    persona=${persona_list[$((i % np))]}
    mode=${mode_list[$((i % ${#mode_list[@]}))]}
    sig=INT
    [ $i -lt $RUNS ] || sig=TERM
    [ $i -lt $RUNS ] || [ $((i % 2)) = 0 ] || sig=HUP
    [ $i -lt $((RUNS + TERM_RUNS)) ] || sig=KILL
    delay=$(printf '0.%03d' $((RANDOM % 401)))
    second=0
    # a second SIGINT in one run of four (at random: not tied to a mode)
    [ "$sig" != INT ] || [ $((RANDOM % 4)) != 0 ] || second=$(printf '0.%03d' $((RANDOM % 100)))
    one_run "$i" "$persona" "$mode" "$sig" "$delay" "$second"
    if [ $(((i + 1) % 20)) = 0 ]; then
        echo "$((i + 1)) of $total runs ($(($(date +%s) - t0)) s)"
    fi
done

step "outcomes: runs interrupted / finished before the signal, per persona, signal and mode"
python3 - "$results" <<'EOP'
import collections, sys
rows = [l.split() for l in open(sys.argv[1])]
agg = collections.defaultdict(lambda: collections.Counter())
for persona, mode, sig, rc, complete, left, second in rows:
    agg[(persona, sig)][mode + ":" + ("finished" if rc == "0" else "interrupted")] += 1
modes = ["get-file", "get-tree", "put-file", "put-tree"]
print("%-10s %-4s " % ("persona", "sig") + " ".join("%-17s" % m for m in modes))
for (persona, sig), c in sorted(agg.items()):
    cells = ["%2d int / %2d fin   " % (c[m + ":interrupted"], c[m + ":finished"]) for m in modes]
    print("%-10s %-4s " % (persona, sig) + " ".join(cells))
by_sig = collections.Counter((r[2], "finished" if r[3] == "0" else "interrupted") for r in rows)
print("total:", ", ".join("%s %s %d" % (s, o, n) for (s, o), n in sorted(by_sig.items())))
print("SIGINT twice: %d runs" % sum(1 for r in rows if r[6] != "0"))
kills = [r for r in rows if r[2] == "KILL"]
if kills:
    print("SIGKILL: %d of %d runs left part files or part objects (%d in all); the next run cleaned them all"
          % (sum(1 for r in kills if int(r[5])), len(kills), sum(int(r[5]) for r in kills)))
EOP
echo "$total runs in $(($(date +%s) - t0)) s"
echo "PASS"
