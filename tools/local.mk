# tools/: the ferry command-line tool and the virtual MTP device.
include $(srcdir)/tools/vdev/local.mk
include $(srcdir)/tools/ferry/local.mk
