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
