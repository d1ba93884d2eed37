# tests/fuzz: one fuzz target per codec decoder (tests/fuzz/<target>.c).
#
# Always built: tests/fuzz/replay-<target>, the target linked with
# standalone.c. It runs every file of tests/fuzz/corpus/<target>/ once and
# is a test, so `make check` replays the seeds and the regression inputs
# under any compiler (and under valgrind with `make check-valgrind`).
#
# With --enable-fuzzing (CC=clang): tests/fuzz/fuzz-<target>, the libFuzzer
# binary, linked against a copy of the codec built with coverage
# instrumentation, ASan and UBSan. tests/fuzz/run-fuzzers.sh runs them.
#
# `make fuzz-corpus` regenerates the seed-* files of the corpus with
# tests/fuzz/gen-corpus (crash-* regression inputs are left alone).

FUZZ_TARGET_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
FUZZ_CORPUS = $(abs_top_srcdir)/tests/fuzz/corpus
FUZZ_COMMON_SOURCES = \
	tests/fuzz/fuzz-common.c \
	tests/fuzz/fuzz.h \
	tests/unit/codec-eq.c \
	tests/unit/codec-eq.h

check_LTLIBRARIES += tests/fuzz/libfuzz-common.la
tests_fuzz_libfuzz_common_la_SOURCES = $(FUZZ_COMMON_SOURCES)
tests_fuzz_libfuzz_common_la_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)

FUZZ_REPLAY = \
	tests/fuzz/replay-arrays \
	tests/fuzz/replay-container \
	tests/fuzz/replay-datetime \
	tests/fuzz/replay-device_info \
	tests/fuzz/replay-devprop_desc \
	tests/fuzz/replay-object_info \
	tests/fuzz/replay-objprop_desc \
	tests/fuzz/replay-proplist \
	tests/fuzz/replay-storage_info \
	tests/fuzz/replay-string \
	tests/fuzz/replay-value
check_PROGRAMS += $(FUZZ_REPLAY)
TESTS += $(FUZZ_REPLAY)
FUZZ_REPLAY_LDADD = tests/fuzz/libfuzz-common.la libferry-codec.la

tests_fuzz_replay_arrays_SOURCES = tests/fuzz/arrays.c tests/fuzz/standalone.c
tests_fuzz_replay_arrays_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/arrays"'
tests_fuzz_replay_arrays_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_container_SOURCES = tests/fuzz/container.c tests/fuzz/standalone.c
tests_fuzz_replay_container_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/container"'
tests_fuzz_replay_container_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_datetime_SOURCES = tests/fuzz/datetime.c tests/fuzz/standalone.c
tests_fuzz_replay_datetime_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/datetime"'
tests_fuzz_replay_datetime_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_device_info_SOURCES = tests/fuzz/device_info.c tests/fuzz/standalone.c
tests_fuzz_replay_device_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/device_info"'
tests_fuzz_replay_device_info_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_devprop_desc_SOURCES = tests/fuzz/devprop_desc.c tests/fuzz/standalone.c
tests_fuzz_replay_devprop_desc_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/devprop_desc"'
tests_fuzz_replay_devprop_desc_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_object_info_SOURCES = tests/fuzz/object_info.c tests/fuzz/standalone.c
tests_fuzz_replay_object_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/object_info"'
tests_fuzz_replay_object_info_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_objprop_desc_SOURCES = tests/fuzz/objprop_desc.c tests/fuzz/standalone.c
tests_fuzz_replay_objprop_desc_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/objprop_desc"'
tests_fuzz_replay_objprop_desc_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_proplist_SOURCES = tests/fuzz/proplist.c tests/fuzz/standalone.c
tests_fuzz_replay_proplist_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/proplist"'
tests_fuzz_replay_proplist_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_storage_info_SOURCES = tests/fuzz/storage_info.c tests/fuzz/standalone.c
tests_fuzz_replay_storage_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/storage_info"'
tests_fuzz_replay_storage_info_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_string_SOURCES = tests/fuzz/string.c tests/fuzz/standalone.c
tests_fuzz_replay_string_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/string"'
tests_fuzz_replay_string_LDADD = $(FUZZ_REPLAY_LDADD)

tests_fuzz_replay_value_SOURCES = tests/fuzz/value.c tests/fuzz/standalone.c
tests_fuzz_replay_value_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFUZZ_CORPUS_DIR='"$(FUZZ_CORPUS)/value"'
tests_fuzz_replay_value_LDADD = $(FUZZ_REPLAY_LDADD)

# The seed generator, built with the tests so it keeps compiling.
check_PROGRAMS += tests/fuzz/gen-corpus
tests_fuzz_gen_corpus_SOURCES = tests/fuzz/gen-corpus.c
tests_fuzz_gen_corpus_LDADD = libferry-codec.la

fuzz-corpus: tests/fuzz/gen-corpus$(EXEEXT)
	$(AM_V_GEN)tests/fuzz/gen-corpus$(EXEEXT) $(top_srcdir)/tests/fuzz/corpus
.PHONY: fuzz-corpus

dist_noinst_SCRIPTS += tests/fuzz/run-fuzzers.sh
EXTRA_DIST += tests/fuzz/corpus

if ENABLE_FUZZING
FUZZ_COMPILE_FLAGS = -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -g
FUZZ_LINK_FLAGS = -fsanitize=fuzzer,address,undefined

noinst_LTLIBRARIES += tests/fuzz/libferry-codec-fuzz.la
tests_fuzz_libferry_codec_fuzz_la_SOURCES = $(libferry_codec_la_SOURCES) $(FUZZ_COMMON_SOURCES)
tests_fuzz_libferry_codec_fuzz_la_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS) -DFERRY_BUILDING_LIBRARY
tests_fuzz_libferry_codec_fuzz_la_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)

FUZZERS = \
	tests/fuzz/fuzz-arrays \
	tests/fuzz/fuzz-container \
	tests/fuzz/fuzz-datetime \
	tests/fuzz/fuzz-device_info \
	tests/fuzz/fuzz-devprop_desc \
	tests/fuzz/fuzz-object_info \
	tests/fuzz/fuzz-objprop_desc \
	tests/fuzz/fuzz-proplist \
	tests/fuzz/fuzz-storage_info \
	tests/fuzz/fuzz-string \
	tests/fuzz/fuzz-value
noinst_PROGRAMS += $(FUZZERS)

tests_fuzz_fuzz_arrays_SOURCES = tests/fuzz/arrays.c
tests_fuzz_fuzz_arrays_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_arrays_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_arrays_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_arrays_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_container_SOURCES = tests/fuzz/container.c
tests_fuzz_fuzz_container_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_container_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_container_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_container_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_datetime_SOURCES = tests/fuzz/datetime.c
tests_fuzz_fuzz_datetime_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_datetime_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_datetime_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_datetime_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_device_info_SOURCES = tests/fuzz/device_info.c
tests_fuzz_fuzz_device_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_device_info_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_device_info_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_device_info_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_devprop_desc_SOURCES = tests/fuzz/devprop_desc.c
tests_fuzz_fuzz_devprop_desc_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_devprop_desc_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_devprop_desc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_devprop_desc_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_object_info_SOURCES = tests/fuzz/object_info.c
tests_fuzz_fuzz_object_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_object_info_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_object_info_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_object_info_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_objprop_desc_SOURCES = tests/fuzz/objprop_desc.c
tests_fuzz_fuzz_objprop_desc_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_objprop_desc_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_objprop_desc_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_objprop_desc_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_proplist_SOURCES = tests/fuzz/proplist.c
tests_fuzz_fuzz_proplist_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_proplist_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_proplist_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_proplist_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_storage_info_SOURCES = tests/fuzz/storage_info.c
tests_fuzz_fuzz_storage_info_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_storage_info_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_storage_info_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_storage_info_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_string_SOURCES = tests/fuzz/string.c
tests_fuzz_fuzz_string_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_string_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_string_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_string_LDADD = tests/fuzz/libferry-codec-fuzz.la

tests_fuzz_fuzz_value_SOURCES = tests/fuzz/value.c
tests_fuzz_fuzz_value_CPPFLAGS = $(FUZZ_TARGET_CPPFLAGS)
tests_fuzz_fuzz_value_CFLAGS = $(AM_CFLAGS) $(FUZZ_COMPILE_FLAGS)
tests_fuzz_fuzz_value_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_value_LDADD = tests/fuzz/libferry-codec-fuzz.la

endif
