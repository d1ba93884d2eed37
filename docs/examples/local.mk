# docs/examples: programs the documentation shows; built by `make check`
# (so they keep compiling), not installed.
if HAVE_GLIB
check_PROGRAMS += docs/examples/glib-ls
docs_examples_glib_ls_SOURCES = docs/examples/glib-ls.c
docs_examples_glib_ls_CFLAGS = $(AM_CFLAGS) $(GLIB_EXAMPLE_CFLAGS)
docs_examples_glib_ls_LDADD = libferry.la $(GLIB_EXAMPLE_LIBS)
endif
