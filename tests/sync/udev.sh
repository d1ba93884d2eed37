#!/bin/bash
# The udev rule, through udev's own parser and matching (a line udev
# rejects in 70-ferry.rules fails the test): `udevadm test --action=add`
# on devices presented by umockdev, with only the rules named here visible
# (a private mount namespace binds a folder over /etc/udev/rules.d and an
# empty one over /usr/lib/udev/rules.d; /run and /dev are made private so
# udevadm test writes nothing outside it):
#   - the virtual MTP device of ferry-vdev, with 70-ferry.rules alone (the
#     device says ID_MTP_DEVICE=1 as libmtp's rules would): tagged for
#     systemd and uaccess, SYSTEMD_WANTS=ferry-sync@1-1.service and
#     SYSTEMD_USER_WANTS=ferry-sync@1-1.service;
#   - the same device without that property (ferry-vdev --no-udev-props)
#     and libmtp's real 69-libmtp.rules before ours: udev runs libmtp's
#     mtp-probe, which talks to the virtual device (given ferry-vdev's
#     LD_PRELOAD and UMOCKDEV_DIR, which udev does not pass on), the rules
#     set ID_MTP_DEVICE=1 and ours asks for the units;
#   - without that property and without libmtp's rules: not matched;
#   - a remove event: not matched;
#   - a PTP camera (interface 6/1/1, umockdev-run) with libgphoto2's rules:
#     ID_GPHOTO2=1, matched; a USB stick (mass storage) with libmtp's and
#     libgphoto2's rules: not matched.
# Needs root (mount namespaces, bind and overlay mounts): skipped otherwise.
. "${FERRY_SYNC_TESTS:-$(dirname "$0")}/lib.sh"

SRC=${FERRY_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RULE="$SRC/udev/70-ferry.rules"
[ -f "$RULE" ] || fail "no $RULE"
[ "$(id -u)" = 0 ] || skip "not root: no mount namespace for udevadm test"
for t in udevadm unshare mount umockdev-run; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
done
[ -d /etc/udev/rules.d ] && [ -d /usr/lib/udev/rules.d ] || skip "no /etc/udev/rules.d or /usr/lib/udev/rules.d"
mkdir -p "$T/probe"
timeout 30 unshare -m sh -c "mount -t tmpfs tmpfs '$T/probe' && mkdir '$T/probe/u' '$T/probe/w' '$T/probe/m' &&
    mount -t overlay overlay -o lowerdir=/dev,upperdir='$T/probe/u',workdir='$T/probe/w' '$T/probe/m'" \
    >"$T/probe.out" 2>&1 || { cat "$T/probe.out"; skip "mount namespaces, tmpfs or overlay mounts are not permitted"; }

LIBMTP_RULES=/usr/lib/udev/rules.d/69-libmtp.rules
GPHOTO_RULES=$(ls /usr/lib/udev/rules.d/*-libgphoto2*.rules 2>/dev/null | head -n 1 || true)
MTP_PROBE=/usr/lib/udev/mtp-probe

# utest NAME RULES... -- COMMAND...: COMMAND (which runs udevadm test) in a
# private mount namespace where udev sees only RULES; output in $T/NAME.out
utest() {
    local name=$1 d="$T/ns-$1"
    shift
    mkdir -p "$d/rules" "$d/empty" "$d/ovl"
    while [ "$1" != "--" ]; do
        cp "$1" "$d/rules/"
        shift
    done
    shift
    RC=0
    timeout -k 10 "$SYNC_TIMEOUT" unshare -m bash -c '
        set -e
        d=$1
        shift
        mount -t tmpfs tmpfs "$d/ovl"
        mkdir "$d/ovl/up" "$d/ovl/work"
        mount -t overlay overlay -o lowerdir=/dev,upperdir="$d/ovl/up",workdir="$d/ovl/work" /dev
        mount -t tmpfs tmpfs /run
        mount --bind "$d/rules" /etc/udev/rules.d
        mount --bind "$d/empty" /usr/lib/udev/rules.d
        exec "$@"' sh "$d" "$@" >"$T/$name.out" 2>&1 || RC=$?
    [ "$RC" -eq 0 ] || { cat "$T/$name.out" >&2; fail "$name: status $RC"; }
    grep -q "Reading rules file: /etc/udev/rules.d/70-ferry.rules" "$T/$name.out" ||
        { cat "$T/$name.out" >&2; fail "$name: udevadm did not read 70-ferry.rules"; }
    # the rules parse: udev names the file and line of anything it rejects
    ! grep -E "70-ferry\.rules:[0-9]+" "$T/$name.out" ||
        { cat "$T/$name.out" >&2; fail "$name: udev complained about 70-ferry.rules"; }
}

# matched NAME KERNEL: the rule asked systemd for the units of KERNEL
matched() {
    for kv in "SYSTEMD_WANTS=ferry-sync@$2.service" "SYSTEMD_USER_WANTS=ferry-sync@$2.service"; do
        grep -qx "$kv" "$T/$1.out" || { cat "$T/$1.out" >&2; fail "$1: no $kv"; }
    done
    grep -qE '^(CURRENT_)?TAGS=.*:systemd:' "$T/$1.out" || { cat "$T/$1.out" >&2; fail "$1: not tagged for systemd"; }
    grep -qE '^(CURRENT_)?TAGS=.*:uaccess:' "$T/$1.out" || { cat "$T/$1.out" >&2; fail "$1: not tagged uaccess"; }
}

# not_matched NAME
not_matched() {
    ! grep -q "ferry-sync@" "$T/$1.out" || { cat "$T/$1.out" >&2; fail "$1: the rule matched"; }
}

step "ferry-vdev's MTP device, our rule alone: the units are wanted"
utest vdev "$RULE" -- "$FERRY_VDEV" -q -- udevadm test --action=add /sys/bus/usb/devices/1-1
matched vdev 1-1
grep -qx "ID_MTP_DEVICE=1" "$T/vdev.out" || fail "vdev: no ID_MTP_DEVICE=1"

step "a remove event: not matched"
utest remove "$RULE" -- "$FERRY_VDEV" -q -- udevadm test --action=remove /sys/bus/usb/devices/1-1
not_matched remove

step "the device without ID_MTP_DEVICE and without libmtp's rules: not matched"
utest noprops "$RULE" -- "$FERRY_VDEV" -q --no-udev-props -- udevadm test --action=add /sys/bus/usb/devices/1-1
not_matched noprops
! grep -qx "ID_MTP_DEVICE=1" "$T/noprops.out" || fail "noprops: ID_MTP_DEVICE is set"

if [ -f "$LIBMTP_RULES" ] && [ -x "$MTP_PROBE" ]; then
    step "libmtp's 69-libmtp.rules probe the device (mtp-probe talks to it), then our rule matches"
    cp "$MTP_PROBE" "$T/mtp-probe.real"
    # udev runs PROGRAMs with the device's properties as their whole
    # environment: the wrapper gives mtp-probe the preload back
    # shellcheck disable=SC2016 # expanded by the inner shell
    utest libmtp "$LIBMTP_RULES" "$RULE" -- "$FERRY_VDEV" -q --no-udev-props -- bash -c '
        printf "#!/bin/sh\nexport LD_PRELOAD=\"%s\" UMOCKDEV_DIR=\"%s\"\nexec \"%s\" \"\$@\"\n" \
            "$LD_PRELOAD" "$UMOCKDEV_DIR" "$1/mtp-probe.real" >"$1/mtp-probe.wrap"
        chmod +x "$1/mtp-probe.wrap"
        env -u LD_PRELOAD mount --bind "$1/mtp-probe.wrap" /usr/lib/udev/mtp-probe
        udevadm test --action=add /sys/bus/usb/devices/1-1' sh "$T"
    grep -q "Reading rules file: /etc/udev/rules.d/69-libmtp.rules" "$T/libmtp.out" || fail "libmtp's rules not read"
    grep -q "'mtp-probe [^']*'(out) '1'" "$T/libmtp.out" || { cat "$T/libmtp.out" >&2; fail "mtp-probe did not find MTP"; }
    grep -qx "ID_MTP_DEVICE=1" "$T/libmtp.out" || { cat "$T/libmtp.out" >&2; fail "libmtp's rules did not set ID_MTP_DEVICE"; }
    matched libmtp 1-1
else
    echo "(no $LIBMTP_RULES or $MTP_PROBE: libmtp's probe is not tested)"
fi

# device FILE KERNEL DEVNUM VID PID CLASS SUB PROTO DESCRIPTORS: a umockdev
# description of a USB device with one interface
device() {
    cat >"$1" <<EOF
P: /devices/pci0000:00/0000:00:14.0/usb1/$2
N: bus/usb/001/00$3
E: DEVNAME=/dev/bus/usb/001/00$3
E: DEVTYPE=usb_device
E: DRIVER=usb
E: PRODUCT=$4/$5/100
E: TYPE=0/0/0
E: BUSNUM=001
E: DEVNUM=00$3
E: MAJOR=189
E: MINOR=$(($3 - 1))
E: SUBSYSTEM=usb
A: idVendor=$4\n
A: idProduct=$5\n
A: bcdDevice=0100\n
A: bDeviceClass=00\n
A: bDeviceSubClass=00\n
A: bDeviceProtocol=00\n
A: bNumConfigurations=1\n
A: bConfigurationValue=1\n
A: bNumInterfaces= 1\n
A: busnum=1\n
A: devnum=$3\n
A: devpath=${2#1-}\n
A: speed=480\n
H: descriptors=$9

P: /devices/pci0000:00/0000:00:14.0/usb1/$2/$2:1.0
E: DEVTYPE=usb_interface
E: PRODUCT=$4/$5/100
E: TYPE=0/0/0
E: INTERFACE=$((16#$6))/$((16#$7))/$((16#$8))
E: SUBSYSTEM=usb
A: bInterfaceClass=$6\n
A: bInterfaceSubClass=$7\n
A: bInterfaceProtocol=$8\n
A: bInterfaceNumber=00\n
A: bNumEndpoints=02\n
EOF
}
# descriptors: device (18 bytes), configuration, interface, two bulk endpoints
CAMERA_DESC=1201000200000040a90418320001010203010902200001010080320904000002060101000705810200020007050202000200
STICK_DESC=1201000200000040810767550001010203010902200001010080320904000002080650000705810200020007050202000200
device "$T/camera.umockdev" 1-4 5 04a9 3218 06 01 01 "$CAMERA_DESC"
device "$T/stick.umockdev" 1-3 4 0781 5567 08 06 50 "$STICK_DESC"

if [ -n "$GPHOTO_RULES" ]; then
    step "a PTP camera: libgphoto2's rules say ID_GPHOTO2=1, our rule matches"
    utest camera "$GPHOTO_RULES" "$RULE" -- umockdev-run -d "$T/camera.umockdev" -- \
        udevadm test --action=add /sys/bus/usb/devices/1-4
    grep -qx "ID_GPHOTO2=1" "$T/camera.out" || { cat "$T/camera.out" >&2; fail "camera: no ID_GPHOTO2=1"; }
    matched camera 1-4
else
    echo "(no libgphoto2 rules: the PTP camera is not tested)"
fi

step "a USB stick, with libmtp's and libgphoto2's rules: not matched"
# systemd's default rules import usb_id (ID_USB_INTERFACES) on every
# system; libgphoto2's rules do it too, but they are not always installed
rules=("$RULE")
[ -f /usr/lib/udev/rules.d/50-udev-default.rules ] && rules+=(/usr/lib/udev/rules.d/50-udev-default.rules)
[ -f "$LIBMTP_RULES" ] && rules+=("$LIBMTP_RULES")
[ -n "$GPHOTO_RULES" ] && rules+=("$GPHOTO_RULES")
utest stick "${rules[@]}" -- umockdev-run -d "$T/stick.umockdev" -- udevadm test --action=add /sys/bus/usb/devices/1-3
grep -qx "ID_USB_INTERFACES=:080650:" "$T/stick.out" || { cat "$T/stick.out" >&2; fail "stick: not seen as mass storage"; }
not_matched stick
echo "PASS"
