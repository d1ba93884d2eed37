# Benchmark drivers (built with `make bench`, not installed, not tests):
# bench/run measures ferry against libmtp and android-file-transfer.
EXTRA_PROGRAMS += bench/ferry-bench bench/peer-libmtp
bench_ferry_bench_SOURCES = bench/ferry-bench.c
bench_ferry_bench_LDADD = libferry.la
bench_peer_libmtp_SOURCES = bench/peer-libmtp.c
bench_peer_libmtp_CFLAGS = $(AM_CFLAGS) $(LIBMTP_CFLAGS)
bench_peer_libmtp_LDADD = $(LIBMTP_LIBS)
bench: bench/ferry-bench$(EXEEXT) bench/peer-libmtp$(EXEEXT) ferry$(EXEEXT) ferry-vdev$(EXEEXT)
.PHONY: bench
CLEANFILES += bench/ferry-bench$(EXEEXT) bench/peer-libmtp$(EXEEXT)
EXTRA_DIST += bench/run bench/bench.py bench/README.md
