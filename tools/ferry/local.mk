# The ferry command-line tool.
bin_PROGRAMS += ferry
ferry_SOURCES = \
	tools/ferry/cli.h \
	tools/ferry/main.c \
	tools/ferry/loop.c \
	tools/ferry/util.c \
	tools/ferry/cmd_info.c \
	tools/ferry/cmd_ls.c \
	tools/ferry/cmd_fs.c \
	tools/ferry/cmd_copy.c
ferry_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
ferry_LDADD = libferry.la
if ENABLE_SYNC
ferry_SOURCES += \
	tools/ferry/sync.h \
	tools/ferry/sync.c \
	tools/ferry/sync_config.c \
	tools/ferry/sync_state.c
ferry_CPPFLAGS += $(SQLITE_CFLAGS) $(INIH_CFLAGS) $(XXHASH_CFLAGS)
ferry_LDADD += $(SQLITE_LIBS) $(INIH_LIBS) $(XXHASH_LIBS)
endif
