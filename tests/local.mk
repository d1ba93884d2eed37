# tests/: unit tests (cmocka), integration tests against ferry-vdev,
# fuzz targets, and checks of the public headers and exported symbols.
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/fuzz/local.mk
include $(srcdir)/tests/integration/local.mk
include $(srcdir)/tests/headers/local.mk
include $(srcdir)/tests/cli/local.mk
include $(srcdir)/tests/sync/local.mk
