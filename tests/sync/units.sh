#!/bin/bash
# The systemd units of the plug-in start and their installation:
#   - the system and the user unit, made from their templates with
#     ExecStart pointing at the built ferry and instantiated for a device
#     (ferry-sync@1-1.service), pass `systemd-analyze verify` with no
#     word said (a warning is a failure; a broken copy must fail, which
#     shows the check bites);
#   - the instance runs what the unit says: `ferry -d 1-1 sync --system`
#     (or --user) does nothing for a device without pairs, and syncs the
#     pairs of its own configuration file only;
#   - `make install DESTDIR=...` puts 70-ferry.rules in udev's rules folder
#     and the units in systemd's system and user unit folders, the folders
#     pkg-config names for udev and systemd (unless configure was told
#     otherwise), with ExecStart naming the ferry that make install put
#     in bindir.
# Environment (make check sets it): FERRY_TOP_SRCDIR, FERRY_TOP_BUILDDIR,
# FERRY_UDEVRULESDIR, FERRY_SYSTEMD_SYSTEM_UNIT_DIR,
# FERRY_SYSTEMD_USER_UNIT_DIR.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

SRC=${FERRY_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
U="$SRC/udev"
[ -f "$U/ferry-sync@.service.in" ] || fail "no unit templates in $U"

# unit TEMPLATE OUT: the unit with ExecStart at the built ferry
unit() {
    mkdir -p "$(dirname "$2")"
    sed -e "s|{{bindir}}|$(dirname "$FERRY")|g" -e "s|{{sysconfdir}}|/etc|g" "$1" >"$2"
    ! grep -q '{{' "$2" || fail "$2: a {{placeholder}} is left"
}

# verify [--user] FILE: systemd-analyze verify says nothing, status 0
verify() {
    rc=0
    systemd-analyze "$@" >"$T/verify.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] && [ ! -s "$T/verify.out" ] || { cat "$T/verify.out" >&2; fail "systemd-analyze $*: status $rc"; }
}

if command -v systemd-analyze >/dev/null 2>&1; then
    step "systemd-analyze verify: the system and the user unit, instantiated"
    unit "$U/ferry-sync@.service.in" "$T/units/system/ferry-sync@1-1.service"
    unit "$U/ferry-sync-user@.service.in" "$T/units/user/ferry-sync@1-1.service"
    verify verify --man=no "$T/units/system/ferry-sync@1-1.service"
    verify --user verify --man=no "$T/units/user/ferry-sync@1-1.service"
    grep -qx "ExecStart=$(dirname "$FERRY")/ferry -d %I sync --system" "$T/units/system/ferry-sync@1-1.service" ||
        fail "the system unit does not run ferry -d %I sync --system"
    grep -qx "ExecStart=$(dirname "$FERRY")/ferry -d %I sync --user" "$T/units/user/ferry-sync@1-1.service" ||
        fail "the user unit does not run ferry -d %I sync --user"
    step "a broken unit fails the check"
    sed 's/^Type=oneshot/Type=oneshut/' "$T/units/system/ferry-sync@1-1.service" >"$T/units/broken@1-1.service"
    rc=0
    systemd-analyze verify --man=no "$T/units/broken@1-1.service" >"$T/verify.out" 2>&1 || rc=$?
    [ "$rc" -ne 0 ] || [ -s "$T/verify.out" ] || fail "systemd-analyze verify took a broken unit"
else
    echo "(systemd-analyze is not installed: the units are not verified)"
fi

step "what the units run: a device without pairs is nothing to do; each reads its own file"
fy_ok -d 1-1 sync --user
[ ! -s "$OUT" ] || { cat "$OUT" >&2; fail "ferry -d 1-1 sync --user said something without pairs"; }
mkfile "$DEV/Sync/a.bin" 1000 1700000000
conf "[pair mine]
remote = /Sync
local = $LOC/mine
direction = pull"
fy_ok -d 1-1 sync --user
expect_counts copied=1 pairs=1
fy_ok -d 1-1 sync --system
grep -q "sync mine" "$OUT" && fail "the system unit's command ran the user's pair"

if [ -n "${FERRY_TOP_BUILDDIR:-}" ] && [ -f "$FERRY_TOP_BUILDDIR/Makefile" ]; then
    step "make install DESTDIR=...: the rule and the units where pkg-config says"
    D="$T/inst"
    rc=0
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$FERRY_TOP_BUILDDIR" install DESTDIR="$D" \
        >"$T/install.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || { tail -30 "$T/install.out" >&2; fail "make install failed ($rc)"; }
    : "${FERRY_UDEVRULESDIR:?}" "${FERRY_SYSTEMD_SYSTEM_UNIT_DIR:?}" "${FERRY_SYSTEMD_USER_UNIT_DIR:?}"
    rules="$D$FERRY_UDEVRULESDIR/70-ferry.rules"
    sys="$D$FERRY_SYSTEMD_SYSTEM_UNIT_DIR/ferry-sync@.service"
    user="$D$FERRY_SYSTEMD_USER_UNIT_DIR/ferry-sync@.service"
    [ -f "$rules" ] || { find "$D" -name '*ferry*' >&2; fail "70-ferry.rules is not in $FERRY_UDEVRULESDIR"; }
    same "$rules" "$U/70-ferry.rules"
    for f in "$sys" "$user"; do
        [ -f "$f" ] || { find "$D" -name '*ferry*' >&2; fail "$f was not installed"; }
        ! grep -q '{{' "$f" || fail "$f: a {{placeholder}} is left"
        exe=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$f")
        [ -x "$D$exe" ] || fail "$f: ExecStart names $exe, which make install did not install"
    done
    grep -q "sync --system$" "$sys" || fail "the installed system unit does not run sync --system"
    grep -q "sync --user$" "$user" || fail "the installed user unit does not run sync --user"
    if command -v pkg-config >/dev/null 2>&1; then
        told=$("$FERRY_TOP_BUILDDIR/config.status" --config 2>/dev/null || true)
        # check_dir WHAT CONFIGURED PKG VAR OPTION
        check_dir() {
            want=$(pkg-config --variable="$4" "$3" 2>/dev/null || true)
            if [ -z "$want" ]; then
                echo "($3.pc has no $4: $1 not compared)"
            elif case "$told" in *"$5"*) true ;; *) false ;; esac; then
                echo "(configure was given $5: $1 not compared with pkg-config)"
            elif [ "$2" != "$want" ]; then
                fail "$1 went to $2, pkg-config $3 says $want"
            fi
        }
        [ "$(basename "$FERRY_UDEVRULESDIR")" = rules.d ] || fail "the rule is not in a rules.d folder"
        check_dir "the rule" "$(dirname "$FERRY_UDEVRULESDIR")" udev udevdir --with-udevdir
        check_dir "the system unit" "$FERRY_SYSTEMD_SYSTEM_UNIT_DIR" systemd systemdsystemunitdir \
            --with-systemdsystemunitdir
        check_dir "the user unit" "$FERRY_SYSTEMD_USER_UNIT_DIR" systemd systemduserunitdir --with-systemduserunitdir
    fi
else
    echo "(no build tree: make install is not checked)"
fi
echo "PASS"
