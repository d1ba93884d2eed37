# ferry-vdev: the virtual MTP device on the real libusb path (umockdev).
if ENABLE_VDEV
bin_PROGRAMS += ferry-vdev
ferry_vdev_SOURCES = \
	tools/vdev/main.c \
	tools/vdev/list.h \
	tools/vdev/usbdev.c \
	tools/vdev/usbdev.h \
	tools/vdev/usb_mtp.c \
	tools/vdev/usb_mtp.h \
	tools/vdev/responder.c \
	tools/vdev/responder.h \
	tools/vdev/store.c \
	tools/vdev/store.h
ferry_vdev_CPPFLAGS = $(AM_CPPFLAGS) $(UMOCKDEV_CFLAGS)
ferry_vdev_LDADD = libferry-codec.la $(UMOCKDEV_LIBS)
dist_man_MANS += tools/vdev/ferry-vdev.1
endif
EXTRA_DIST += tools/vdev/ferry-vdev.1
