# The codec: PTP/MTP containers, datasets, strings, dates, code tables.
# Used by libferry (host side) and ferry-vdev (device side).
noinst_LTLIBRARIES += libferry-codec.la
libferry_codec_la_SOURCES = \
	lib/error.c \
	lib/version.c \
	lib/util/mem.c \
	lib/util/mem.h \
	lib/codec/codec.h \
	lib/codec/codes.h \
	lib/codec/internal.h \
	lib/codec/codes.c \
	lib/codec/cursor.c \
	lib/codec/string.c \
	lib/codec/datetime.c \
	lib/codec/container.c \
	lib/codec/value.c \
	lib/codec/dataset.c \
	lib/codec/propdesc.c
libferry_codec_la_CPPFLAGS = $(AM_CPPFLAGS) -DFERRY_BUILDING_LIBRARY
libferry_codec_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
