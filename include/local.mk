# Public headers: one per concept, installed under $(includedir)/ferry/.
ferryincludedir = $(includedir)/ferry
ferryinclude_HEADERS = \
	include/ferry/ferry.h \
	include/ferry/common.h \
	include/ferry/error.h \
	include/ferry/log.h \
	include/ferry/context.h \
	include/ferry/object.h \
	include/ferry/op.h \
	include/ferry/data.h \
	include/ferry/device.h \
	include/ferry/event.h \
	include/ferry/fs.h \
	include/ferry/stream.h
