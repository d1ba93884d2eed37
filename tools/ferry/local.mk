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

dist_man_MANS += tools/ferry/ferry.1

# Bash completion, as "ferry" in the completions folder of bash-completion
# (pkg-config's completionsdir, under our prefix), else in
# $(datadir)/bash-completion/completions; `make bashcompletiondir=DIR
# install` chooses another.
bashcompletiondir =
EXTRA_DIST += tools/ferry/ferry.bash-completion
ferry_bashcompletiondir = \
	d='$(bashcompletiondir)'; \
	test -n "$$d" || d=`$(PKG_CONFIG) --define-variable=prefix='$(prefix)' \
		--define-variable=datadir='$(datadir)' --variable=completionsdir bash-completion 2>/dev/null`; \
	test -n "$$d" || d='$(datadir)/bash-completion/completions'
install-data-local: install-ferry-bash-completion
uninstall-local: uninstall-ferry-bash-completion
install-ferry-bash-completion:
	@$(ferry_bashcompletiondir); \
	echo " $(MKDIR_P) '$(DESTDIR)'\"$$d\""; $(MKDIR_P) "$(DESTDIR)$$d" && \
	echo " $(INSTALL_DATA) tools/ferry/ferry.bash-completion '$(DESTDIR)'\"$$d/ferry\""; \
	$(INSTALL_DATA) $(srcdir)/tools/ferry/ferry.bash-completion "$(DESTDIR)$$d/ferry"
uninstall-ferry-bash-completion:
	@$(ferry_bashcompletiondir); rm -f "$(DESTDIR)$$d/ferry"
.PHONY: install-ferry-bash-completion uninstall-ferry-bash-completion
