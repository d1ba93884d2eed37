#!/bin/sh
# Runs doxygen with docs/Doxyfile over the public headers and fails on any
# warning, in particular "... is not documented": every public declaration
# must carry a Doxygen comment (STYLE.md, "Follow" 16).
#
# Environment (make check sets them; defaults for running by hand):
#   DOXYGEN        the doxygen program (default: doxygen; empty: skip)
#   FERRY_DOC_DIR  where the HTML goes (default: a temporary folder)
#   srcdir         the source tree (default: the one of this script)
#
# Exit: 0 no warning; 1 warnings or doxygen failed; 77 (skip) no doxygen.
set -u

: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
doxygen=${DOXYGEN-doxygen}
me=check-doxygen

if [ -z "$doxygen" ] || ! command -v "$doxygen" >/dev/null 2>&1; then
    echo "$me: SKIP: doxygen not found (Debian package: doxygen)" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-doxygen.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

FERRY_DOC_DIR=${FERRY_DOC_DIR:-$tmp/doc}
export FERRY_DOC_DIR
mkdir -p "$FERRY_DOC_DIR" || exit 1

# Doxyfile paths are relative to the top of the source tree.
(cd "$srcdir" && "$doxygen" docs/Doxyfile) >"$tmp/out" 2>"$tmp/err"
rc=$?

failed=0
if [ -s "$tmp/err" ]; then
    undoc=$(grep -c 'is not documented' "$tmp/err")
    echo "FAIL: doxygen warnings ($undoc undocumented declarations):"
    sed 's/^/    /' "$tmp/err"
    failed=1
fi
if [ "$rc" -ne 0 ]; then
    echo "FAIL: doxygen exited with status $rc"
    [ -s "$tmp/out" ] && sed 's/^/    /' "$tmp/out"
    failed=1
fi
if [ "$failed" -eq 0 ]; then
    echo "$me: no doxygen warning ($("$doxygen" --version 2>/dev/null))"
fi
exit $failed
