# lib/: the library, one folder per layer.
#   lib/util    small helpers (allocation wrappers)
#   lib/codec   PTP/MTP containers and datasets: pure functions, no I/O
#   lib/usb     the USB transport on libusb-1.0
#   lib/link    links, device handles and operations
#   lib/stream  transactional upload and download streams
include $(srcdir)/lib/codec/local.mk

# Everything of libferry in one convenience library, compiled with hidden
# visibility; the tests link it to reach internals, libferry.la wraps it.
noinst_LTLIBRARIES += libferry-core.la
libferry_core_la_SOURCES = \
	lib/util/log.c \
	lib/util/log.h \
	lib/util/hook.c \
	lib/util/hook.h \
	lib/usb/usb.c \
	lib/usb/usb.h \
	lib/usb/quirks.c \
	lib/link/internal.h \
	lib/link/ctx.c \
	lib/link/op.c \
	lib/link/dev.c \
	lib/link/item.c \
	lib/link/data.c \
	lib/link/link.c \
	lib/link/txn.c \
	lib/link/ops.c \
	lib/link/api.c \
	lib/stream/stream.h \
	lib/stream/put.c \
	lib/stream/upload.c \
	lib/stream/get.c
libferry_core_la_CPPFLAGS = $(AM_CPPFLAGS) -DFERRY_BUILDING_LIBRARY $(LIBUSB_CFLAGS) $(LIBMTP_CFLAGS)
libferry_core_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
libferry_core_la_LIBADD = libferry-codec.la $(LIBUSB_LIBS) $(LIBMTP_LIBS)

lib_LTLIBRARIES += libferry.la
libferry_la_SOURCES =
nodist_EXTRA_libferry_la_SOURCES = dummy.c
libferry_la_LIBADD = libferry-core.la
libferry_la_LDFLAGS = -version-info $(FERRY_LT_VERSION) -no-undefined
