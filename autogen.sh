#!/bin/sh
# Regenerate the build system (configure, Makefile.in) from a git checkout.
set -e
cd "$(dirname "$0")"
mkdir -p m4 # aclocal wants it; the macros in it are copied in
autoreconf --force --install --verbose
