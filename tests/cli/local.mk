# tests/cli: the ferry command-line tool driven against ferry-vdev. Each
# test is a bash script with its own temporary directory; every command
# runs under timeout(1).
#
# The interruption test runs INTERRUPT_RUNS SIGINT runs (default 40 here);
# the full run of 200 is
#   make check TESTS=tests/cli/interrupt.sh INTERRUPT_RUNS=200
# (or by hand: FERRY=./ferry FERRY_VDEV=./ferry-vdev INTERRUPT_RUNS=200
#  bash tests/cli/interrupt.sh).
INTERRUPT_RUNS = 40

CLI_TESTS = \
	tests/cli/usage.sh \
	tests/cli/docs.sh \
	tests/cli/completion.sh \
	tests/cli/commands.sh \
	tests/cli/errors.sh \
	tests/cli/devices.sh \
	tests/cli/hostile.sh \
	tests/cli/names.sh \
	tests/cli/full.sh \
	tests/cli/sparse.sh \
	tests/cli/interrupt.sh \
	tests/cli/progress-tmux.sh

if ENABLE_VDEV
TESTS += $(CLI_TESTS)
AM_TESTS_ENVIRONMENT += \
	FERRY='$(abs_top_builddir)/ferry'; export FERRY; \
	FERRY_CLI_SRCDIR='$(abs_top_srcdir)/tests/cli'; export FERRY_CLI_SRCDIR; \
	FERRY_SRCDIR='$(abs_top_srcdir)'; export FERRY_SRCDIR; \
	INTERRUPT_RUNS='$(INTERRUPT_RUNS)'; export INTERRUPT_RUNS;
endif
EXTRA_DIST += tests/cli/lib.sh $(CLI_TESTS)
