#!/bin/sh
# Measurements for the record (not part of make check): 64 MiB downloads
# with mtp-getfile and aft-mtp-cli on the unpaced and the USB 2 link, with
# MB/s from the wall clock around the client and ioctls per MiB from the
# --stats counters (the whole client run: open, listing, transfer, close).
#
#   FERRY_VDEV=BUILD/ferry-vdev sh tests/integration/vdev-measure.sh [RUNS]
. "${FERRY_TESTS_SRCDIR:-$(dirname "$0")}/lib.sh"

need mtp-getfile aft-mtp-cli python3
RUNS=${1:-1}
D=$T/device
mkdir -p "$D"
mkrand "$D/big.bin" $((64 << 20))

# one LINK CLIENT: prints "client link MB/s ioctls/MiB URBs-in"
one() {
    rm -f "$T/got.bin"
    case $2 in
        mtp-getfile) set -- "$1" mtp-getfile 1 "$T/got.bin" ;;
        aft) set -- "$1" sh -c 'printf "get big.bin %s\n" "$1" | aft-mtp-cli -b' sh "$T/got.bin" ;;
    esac
    link=$1
    shift
    vdev --link "$link" --stats "$T/s.json" -s "Internal=$D" -- sh -c '
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$s $e" >"$T/time"' sh "$@"
    same "$D/big.bin" "$T/got.bin"
    python3 - "$T/s.json" "$T/time" "$link" "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["devices"][0]
s, e = map(float, open(sys.argv[2]).read().split())
mib = (d["bytes"]["to_host"] + d["bytes"]["from_host"]) / 2**20
name = "aft-mtp-cli get" if sys.argv[4] == "sh" else "mtp-getfile"
print("%-16s %-5s %7.1f MB/s %7.1f ioctls/MiB %6d bulk-IN URBs (%.0f KiB each)" % (
    name, sys.argv[3], 64 * 2**20 / 1e6 / (e - s), d["ioctls"] / mib, d["urbs"]["bulk_in"],
    d["bytes"]["to_host"] / d["urbs"]["bulk_in"] / 1024))
EOF
}

i=0
while [ "$i" -lt "$RUNS" ]; do
    for link in none usb2; do
        one "$link" mtp-getfile
        one "$link" aft
    done
    i=$((i + 1))
done
