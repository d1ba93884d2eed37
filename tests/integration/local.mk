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
	tests/integration/vdev-killed-client.sh \
	tests/integration/vdev-hostile.sh
TESTS += $(INTEGRATION_TESTS)

# ferry-vdev and mtp-probe are found through the environment, so the
# scripts also run by hand: FERRY_VDEV=./ferry-vdev MTP_PROBE=./mtp-probe sh ...
AM_TESTS_ENVIRONMENT = \
	FERRY_VDEV='$(abs_top_builddir)/ferry-vdev'; export FERRY_VDEV; \
	MTP_PROBE='$(abs_top_builddir)/mtp-probe'; export MTP_PROBE; \
	FERRY_TESTS_SRCDIR='$(abs_top_srcdir)/tests/integration'; export FERRY_TESTS_SRCDIR; \
	FERRY_VDEV_WRAPPER='$(FERRY_VDEV_WRAPPER)'; export FERRY_VDEV_WRAPPER; \
	$(VDEV_TIMEOUT:%=VDEV_TIMEOUT=%; export VDEV_TIMEOUT;)

# The integration tests with ferry-vdev under valgrind (slow: minutes).
check-vdev-valgrind: ferry-vdev
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(INTEGRATION_TESTS)' VDEV_TIMEOUT=900 \
	  FERRY_VDEV_WRAPPER='valgrind -q --error-exitcode=99 --leak-check=full --suppressions=$(abs_top_srcdir)/tests/integration/vdev.supp'
endif
.PHONY: check-vdev-valgrind check-contract-valgrind
EXTRA_DIST += \
	tests/integration/lib.sh \
	tests/integration/vdev.supp \
	tests/integration/vdev-measure.sh \
	tests/integration/vdev-mtp-tools.sh \
	tests/integration/vdev-aft.sh \
	tests/integration/vdev-devices.sh \
	tests/integration/vdev-stats.sh \
	tests/integration/vdev-faults.sh \
	tests/integration/vdev-personas.sh \
	tests/integration/vdev-killed-client.sh \
	tests/integration/vdev-hostile.sh

# --- contract tests (CONTRACT.md C1-C16) --------------------------------
# cmocka programs that link libferry-core (to reach the phase hook and the
# allocation countdown) and run under ferry-vdev by contract-run.sh. Each
# TESTS entry is an empty file tests/integration/contract-PROG[-PERSONA].contract
# made in the build tree: contract-run.sh reads the program and the persona
# from its name. By hand:
#   sh tests/integration/contract-run.sh --bindir BUILD/tests/integration \
#      --vdev BUILD/ferry-vdev contract-phases-samsung [CMOCKA_FILTER]
# .sh tests run as they are (no LOG_COMPILER): `make check-valgrind`
# wraps only the test programs without an extension (tests/unit, the
# standalone fuzz runners) in valgrind, not bash. The vdev scripts under
# valgrind: check-vdev-valgrind; the contract programs: check-contract-valgrind.
TEST_EXTENSIONS = .test .contract .sh
if ENABLE_VDEV
if ENABLE_TESTS
check_LTLIBRARIES += tests/integration/libcontract.la
tests_integration_libcontract_la_SOURCES = \
	tests/integration/contract.c \
	tests/integration/contract.h
tests_integration_libcontract_la_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) $(LIBUSB_CFLAGS)

CONTRACT_PROGS = \
	tests/integration/contract-rules \
	tests/integration/contract-phases \
	tests/integration/contract-unplug \
	tests/integration/contract-devices \
	tests/integration/contract-wedged \
	tests/integration/contract-nomem \
	tests/integration/contract-stress
check_PROGRAMS += $(CONTRACT_PROGS)
CONTRACT_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) $(LIBUSB_CFLAGS)
CONTRACT_LDADD = tests/integration/libcontract.la libferry-core.la $(CMOCKA_LIBS)

tests_integration_contract_rules_SOURCES = tests/integration/contract-rules.c
tests_integration_contract_rules_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_rules_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_unplug_SOURCES = tests/integration/contract-unplug.c
tests_integration_contract_unplug_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_unplug_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_devices_SOURCES = tests/integration/contract-devices.c
tests_integration_contract_devices_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_devices_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_wedged_SOURCES = tests/integration/contract-wedged.c
tests_integration_contract_wedged_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_wedged_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_nomem_SOURCES = tests/integration/contract-nomem.c
tests_integration_contract_nomem_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_nomem_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_stress_SOURCES = tests/integration/contract-stress.c
tests_integration_contract_stress_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_stress_LDADD = $(CONTRACT_LDADD)

tests_integration_contract_phases_SOURCES = tests/integration/contract-phases.c
tests_integration_contract_phases_CPPFLAGS = $(CONTRACT_CPPFLAGS)
tests_integration_contract_phases_LDADD = $(CONTRACT_LDADD)

CONTRACT_TESTS = \
	tests/integration/contract-rules-compliant.contract \
	tests/integration/contract-rules-samsung.contract \
	tests/integration/contract-rules-pixel.contract \
	tests/integration/contract-rules-gopro.contract \
	tests/integration/contract-rules-panasonic.contract \
	tests/integration/contract-rules-android.contract \
	tests/integration/contract-rules-busy.contract \
	tests/integration/contract-rules-noproplist.contract \
	tests/integration/contract-phases-compliant.contract \
	tests/integration/contract-phases-samsung.contract \
	tests/integration/contract-phases-pixel.contract \
	tests/integration/contract-phases-gopro.contract \
	tests/integration/contract-phases-panasonic.contract \
	tests/integration/contract-phases-android.contract \
	tests/integration/contract-phases-busy.contract \
	tests/integration/contract-phases-noproplist.contract \
	tests/integration/contract-unplug.contract \
	tests/integration/contract-unplug-byte.contract \
	tests/integration/contract-devices.contract \
	tests/integration/contract-wedged.contract \
	tests/integration/contract-nomem.contract \
	tests/integration/contract-stress.contract
TESTS += $(CONTRACT_TESTS)
CLEANFILES += $(CONTRACT_TESTS)
$(CONTRACT_TESTS):
	$(AM_V_GEN)$(MKDIR_P) $(@D) && echo '# run by contract-run.sh' >$@

CONTRACT_LOG_COMPILER = $(SHELL) $(srcdir)/tests/integration/contract-run.sh
AM_CONTRACT_LOG_FLAGS = --bindir '$(abs_top_builddir)/tests/integration' --vdev '$(abs_top_builddir)/ferry-vdev'

# The contract programs under valgrind memcheck (slow: tens of minutes).
# contract-stress is left out: its timing under valgrind proves little
# (it runs under ThreadSanitizer in scripts/test-all instead).
CONTRACT_VALGRIND_TESTS = $(filter-out %/contract-stress.contract,$(CONTRACT_TESTS))
# (one line: a backslash-newline inside the quotes would reach the shell)
CONTRACT_VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
CONTRACT_VALGRIND += --suppressions=$(abs_top_srcdir)/tests/integration/contract-valgrind.supp
check-contract-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(CONTRACT_VALGRIND_TESTS)' \
	  CONTRACT_WRAPPER='$(LIBTOOL) --mode=execute $(CONTRACT_VALGRIND)'
endif
endif
EXTRA_DIST += \
	tests/integration/contract-run.sh \
	tests/integration/contract-tsan.supp \
	tests/integration/contract-valgrind.supp
