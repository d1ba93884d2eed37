# Public headers: one per concept, installed under $(includedir)/ferry/.
ferryincludedir = $(includedir)/ferry
ferryinclude_HEADERS = \
	include/ferry/ferry.h \
	include/ferry/common.h \
	include/ferry/error.h
