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
ferry_LDADD = libferry.la
