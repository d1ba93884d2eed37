# tests/unit: cmocka unit tests, one program per module.
if ENABLE_TESTS

# Helpers shared by the codec tests: the generic decoder checks and the
# deep equality of datasets (codec-eq.c is also used by the fuzz targets).
check_LTLIBRARIES += tests/unit/libcodec-test.la
tests_unit_libcodec_test_la_SOURCES = \
	tests/unit/codec-test.c \
	tests/unit/codec-test.h \
	tests/unit/codec-eq.c \
	tests/unit/codec-eq.h
tests_unit_libcodec_test_la_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)

CODEC_TESTS = \
	tests/unit/test-codec-codes \
	tests/unit/test-codec-cursor \
	tests/unit/test-codec-string \
	tests/unit/test-codec-datetime \
	tests/unit/test-codec-container \
	tests/unit/test-codec-value \
	tests/unit/test-codec-dataset \
	tests/unit/test-codec-propdesc
check_PROGRAMS += $(CODEC_TESTS)
TESTS += $(CODEC_TESTS)

CODEC_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
CODEC_TEST_LDADD = tests/unit/libcodec-test.la libferry-codec.la $(CMOCKA_LIBS)

tests_unit_test_codec_codes_SOURCES = tests/unit/test-codec-codes.c
tests_unit_test_codec_codes_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_codes_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_cursor_SOURCES = tests/unit/test-codec-cursor.c
tests_unit_test_codec_cursor_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_cursor_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_string_SOURCES = tests/unit/test-codec-string.c
tests_unit_test_codec_string_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_string_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_datetime_SOURCES = tests/unit/test-codec-datetime.c
tests_unit_test_codec_datetime_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_datetime_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_container_SOURCES = tests/unit/test-codec-container.c
tests_unit_test_codec_container_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_container_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_value_SOURCES = tests/unit/test-codec-value.c
tests_unit_test_codec_value_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_value_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_dataset_SOURCES = tests/unit/test-codec-dataset.c
tests_unit_test_codec_dataset_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_dataset_LDADD = $(CODEC_TEST_LDADD)

tests_unit_test_codec_propdesc_SOURCES = tests/unit/test-codec-propdesc.c
tests_unit_test_codec_propdesc_CPPFLAGS = $(CODEC_TEST_CPPFLAGS)
tests_unit_test_codec_propdesc_LDADD = $(CODEC_TEST_LDADD)

endif
