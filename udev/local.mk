# Plug-in start: the udev rule and the systemd units of `ferry sync`,
# installed where pkg-config for udev and systemd says.
udevrulesdir = $(UDEVDIR)/rules.d
dist_udevrules_DATA = udev/70-ferry.rules

systemdsystemunitdir = $(SYSTEMD_SYSTEM_UNIT_DIR)
systemdsystemunit_DATA = udev/ferry-sync@.service
systemduserunitdir = $(SYSTEMD_USER_UNIT_DIR)
nodist_systemduserunit_DATA = udev/user/ferry-sync@.service

udev/ferry-sync@.service: udev/ferry-sync@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) udev && sed -e 's|{{bindir}}|$(bindir)|g' -e 's|{{sysconfdir}}|$(sysconfdir)|g' $< > $@
udev/user/ferry-sync@.service: udev/ferry-sync-user@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) udev/user && sed -e 's|{{bindir}}|$(bindir)|g' -e 's|{{sysconfdir}}|$(sysconfdir)|g' $< > $@

EXTRA_DIST += udev/ferry-sync@.service.in udev/ferry-sync-user@.service.in
CLEANFILES += udev/ferry-sync@.service udev/user/ferry-sync@.service
