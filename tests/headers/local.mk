# tests/headers: checks of the public API as it is shipped.
#   check-headers.sh  each include/ferry/*.h compiles on its own, as C99 and
#                     as C++11, with -pedantic -Werror -Wall -Wextra
#   check-exports.sh  libferry.so exports exactly the FERRY_API functions
#                     of include/ferry, all named ferry_
#   check-doxygen.sh  doxygen finds every public declaration documented
#                     (skipped when configure found no doxygen)
# They are shell scripts; the header and doxygen checks find the headers
# with a glob, so a new header is covered without editing anything here.
HEADER_TESTS = \
	tests/headers/check-headers.sh \
	tests/check-exports.sh \
	tests/headers/check-doxygen.sh
TESTS += $(HEADER_TESTS)
EXTRA_DIST += $(HEADER_TESTS)

# The configured tools reach the scripts through the environment.
# AM_TESTS_ENVIRONMENT belongs to tests/integration/local.mk (and is only
# defined with ENABLE_VDEV), so these go in TESTS_ENVIRONMENT; the scripts
# fall back to cc, c++, nm, doxygen and $srcdir when it is overridden.
TESTS_ENVIRONMENT = \
	CC='$(CC)'; export CC; \
	CXX='$(CXX)'; export CXX; \
	NM='$(NM)'; export NM; \
	DOXYGEN='$(DOXYGEN)'; export DOXYGEN; \
	FERRY_INCLUDE_DIR='$(abs_top_srcdir)/include'; export FERRY_INCLUDE_DIR; \
	FERRY_LIBFERRY='$(abs_top_builddir)/.libs/libferry.so'; export FERRY_LIBFERRY;
