# tests/integration: real USB clients (libmtp's mtp-tools, android-file-
# transfer's aft-mtp-cli) and mtp-probe, a small libusb host that cancels
# on demand, driven against ferry-vdev. Each test is a shell script with
# its own temporary directory and a hard timeout.
if ENABLE_VDEV
check_PROGRAMS += mtp-probe
mtp_probe_SOURCES = tests/integration/mtp-probe.c
mtp_probe_CPPFLAGS = $(AM_CPPFLAGS) $(LIBUSB_CFLAGS)
mtp_probe_LDADD = libferry-codec.la $(LIBUSB_LIBS)

INTEGRATION_TESTS = \
	tests/integration/vdev-mtp-tools.sh \
	tests/integration/vdev-aft.sh \
	tests/integration/vdev-devices.sh \
	tests/integration/vdev-stats.sh \
	tests/integration/vdev-faults.sh \
	tests/integration/vdev-personas.sh \
	tests/integration/vdev-killed-client.sh
TESTS += $(INTEGRATION_TESTS)

# ferry-vdev and mtp-probe are found through the environment, so the
# scripts also run by hand: FERRY_VDEV=./ferry-vdev MTP_PROBE=./mtp-probe sh ...
AM_TESTS_ENVIRONMENT = \
	FERRY_VDEV='$(abs_top_builddir)/ferry-vdev'; export FERRY_VDEV; \
	MTP_PROBE='$(abs_top_builddir)/mtp-probe'; export MTP_PROBE; \
	FERRY_TESTS_SRCDIR='$(abs_top_srcdir)/tests/integration'; export FERRY_TESTS_SRCDIR; \
	FERRY_VDEV_WRAPPER='$(FERRY_VDEV_WRAPPER)'; export FERRY_VDEV_WRAPPER;
endif
EXTRA_DIST += \
	tests/integration/lib.sh \
	tests/integration/vdev-mtp-tools.sh \
	tests/integration/vdev-aft.sh \
	tests/integration/vdev-devices.sh \
	tests/integration/vdev-stats.sh \
	tests/integration/vdev-faults.sh \
	tests/integration/vdev-personas.sh \
	tests/integration/vdev-killed-client.sh
