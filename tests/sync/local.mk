# tests/sync: `ferry sync` against ferry-vdev (pull, push and two-way
# pairs, filters, unicode names, remove-after-import, ad hoc pairs, dry
# runs, the configuration, devices, the lock, a busy device, full
# storages and disks), runs killed
# at random moments (interrupt.sh; SYNC_INTERRUPT_RUNS=100 for the full
# check), the udev rule under udevadm test, and the systemd units. Each
# test is a bash script with its own temporary directory and XDG folders,
# every device session bounded by timeout(1).
if ENABLE_SYNC
if ENABLE_VDEV
SYNC_TESTS = \
	tests/sync/pull.sh \
	tests/sync/push.sh \
	tests/sync/twoway.sh \
	tests/sync/filters.sh \
	tests/sync/unicode.sh \
	tests/sync/import.sh \
	tests/sync/adhoc.sh \
	tests/sync/config.sh \
	tests/sync/devices.sh \
	tests/sync/full.sh \
	tests/sync/interrupt.sh \
	tests/sync/udev.sh \
	tests/sync/units.sh
TESTS += $(SYNC_TESTS)

# the scripts also run by hand:
#   FERRY=./ferry FERRY_VDEV=./ferry-vdev bash tests/sync/twoway.sh
AM_TESTS_ENVIRONMENT += \
	FERRY='$(abs_top_builddir)/ferry'; export FERRY; \
	FERRY_SYNC_TESTS='$(abs_top_srcdir)/tests/sync'; export FERRY_SYNC_TESTS; \
	FERRY_TOP_SRCDIR='$(abs_top_srcdir)'; export FERRY_TOP_SRCDIR; \
	FERRY_TOP_BUILDDIR='$(abs_top_builddir)'; export FERRY_TOP_BUILDDIR; \
	FERRY_UDEVRULESDIR='$(udevrulesdir)'; export FERRY_UDEVRULESDIR; \
	FERRY_SYSTEMD_SYSTEM_UNIT_DIR='$(systemdsystemunitdir)'; export FERRY_SYSTEMD_SYSTEM_UNIT_DIR; \
	FERRY_SYSTEMD_USER_UNIT_DIR='$(systemduserunitdir)'; export FERRY_SYSTEMD_USER_UNIT_DIR; \
	SYNC_INTERRUPT_RUNS='$(SYNC_INTERRUPT_RUNS)'; export SYNC_INTERRUPT_RUNS;
endif
endif
# make check runs 20 interrupted runs; the full check:
#   make check TESTS=tests/sync/interrupt.sh SYNC_INTERRUPT_RUNS=100
SYNC_INTERRUPT_RUNS = 20
EXTRA_DIST += \
	tests/sync/lib.sh \
	tests/sync/pull.sh \
	tests/sync/push.sh \
	tests/sync/twoway.sh \
	tests/sync/filters.sh \
	tests/sync/unicode.sh \
	tests/sync/import.sh \
	tests/sync/adhoc.sh \
	tests/sync/config.sh \
	tests/sync/devices.sh \
	tests/sync/full.sh \
	tests/sync/interrupt.sh \
	tests/sync/udev.sh \
	tests/sync/units.sh
