# docs/: `make doc` builds the HTML reference of the public API
# (include/ferry) with doxygen into $(top_builddir)/doc/html.
# tests/headers/check-doxygen.sh runs the same configuration under
# `make check` and fails on any warning.
if HAVE_DOXYGEN
doc:
	$(AM_V_GEN)cd $(srcdir) && FERRY_DOC_DIR='$(abs_top_builddir)/doc' $(DOXYGEN) docs/Doxyfile
	@echo "make doc: $(abs_top_builddir)/doc/html/index.html"
else
doc:
	@echo "make doc: doxygen was not found by configure (Debian package: doxygen)" >&2; exit 1
endif
.PHONY: doc clean-doc

clean-doc:
	-rm -rf $(top_builddir)/doc
clean-local: clean-doc

# Each file is listed: with the folder 'docs' in EXTRA_DIST, make dist
# also copied what the build put in the build tree's docs/ (the objects
# and the program of docs/examples), and distcheck then linked a stale
# glib_ls-glib-ls.o it found in the unpacked sources.
EXTRA_DIST += \
	docs/Doxyfile \
	docs/ARCHITECTURE.md \
	docs/CONTRACT.md \
	docs/EXAMPLES.md \
	docs/LAB.md \
	docs/SYNC.md \
	docs/TUNING.md
