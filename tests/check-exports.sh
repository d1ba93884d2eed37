#!/bin/sh
# Checks the symbols that the built libferry.so exports (STYLE.md, "Follow"
# 1: only public symbols are exported):
#   - every exported symbol starts with ferry_ (the linker's own _init,
#     _fini, _edata, _end and __bss_start are ignored), and none is an
#     internal ferry__ name;
#   - every function declared `FERRY_API <type> name(` in include/ferry/*.h
#     is exported;
#   - every exported ferry_ symbol is declared FERRY_API in a public header
#     (anything else is an accidental export).
#
# Environment (make check sets them; defaults for running by hand from the
# build tree):
#   FERRY_LIBFERRY     the shared library (default: .libs/libferry.so)
#   FERRY_INCLUDE_DIR  the folder holding ferry/*.h (default: $srcdir/include)
#   NM                 nm (default: nm)
#   srcdir             the source tree (default: the one of this script)
#
# Exit: 0 fine; 1 a check failed; 77 (skip) no shared library was built.
set -u

: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
incdir=${FERRY_INCLUDE_DIR:-$srcdir/include}
lib=${FERRY_LIBFERRY:-.libs/libferry.so}
nm=${NM:-nm}
me=check-exports

if [ ! -f "$lib" ]; then
    echo "$me: SKIP: $lib not found (configured with --disable-shared?)" >&2
    exit 77
fi
set -- "$incdir"/ferry/*.h
if [ ! -f "$1" ]; then
    echo "$me: no headers in $incdir/ferry" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-exports.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Exported symbols: the last field of `nm -D --defined-only`, without a
# version suffix (name@@VERSION).
if ! $nm -D --defined-only "$lib" >"$tmp/nm.out"; then
    echo "$me: $nm -D --defined-only $lib failed" >&2
    exit 1
fi
awk 'NF >= 2 { s = $NF; sub(/@.*/, "", s); print s }' "$tmp/nm.out" |
    grep -v -x -e _init -e _fini -e _edata -e _end -e __bss_start |
    LC_ALL=C sort -u >"$tmp/exported"

# Declared functions: comments and preprocessor lines removed (the
# definition of FERRY_API itself, the X-macros), then each FERRY_API
# declaration up to its '(' joined onto one line, the name is the last
# identifier before the '('.
for h in "$@"; do
    awk '
    {
        line = $0
        out = ""
        while (line != "") {
            if (incomment) {
                i = index(line, "*/")
                if (i == 0) { line = ""; break }
                line = substr(line, i + 2)
                incomment = 0
            } else {
                i = index(line, "/*")
                j = index(line, "//")
                if (j > 0 && (i == 0 || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
                if (i == 0) { out = out line; line = ""; break }
                out = out substr(line, 1, i - 1) " "
                line = substr(line, i + 2)
                incomment = 1
            }
        }
        if (cont) { cont = (out ~ /\\$/); next }
        if (out ~ /^[ \t]*#/) { cont = (out ~ /\\$/); next }
        print out
    }' "$h"
done | tr '\n' ' ' | tr ';{}' '\n\n\n' |
    sed -n 's/.*FERRY_API[^(]*[^A-Za-z0-9_(]\([A-Za-z_][A-Za-z0-9_]*\)[ \t]*(.*/\1/p' |
    LC_ALL=C sort -u >"$tmp/declared"

failed=0
ndecl=$(wc -l <"$tmp/declared")
nexp=$(wc -l <"$tmp/exported")
if [ "$ndecl" -eq 0 ]; then
    echo "$me: found no FERRY_API declaration in $incdir/ferry/*.h" >&2
    failed=1
fi

bad=$(grep -v '^ferry_' "$tmp/exported")
if [ -n "$bad" ]; then
    echo "FAIL: exported symbols without the ferry_ prefix:"
    echo "$bad" | sed 's/^/    /'
    failed=1
fi
bad=$(grep '^ferry__' "$tmp/exported")
if [ -n "$bad" ]; then
    echo "FAIL: internal ferry__ symbols exported:"
    echo "$bad" | sed 's/^/    /'
    failed=1
fi
bad=$(LC_ALL=C comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$bad" ]; then
    echo "FAIL: declared FERRY_API in include/ferry but not exported by $lib:"
    echo "$bad" | sed 's/^/    /'
    failed=1
fi
bad=$(grep '^ferry_' "$tmp/exported" | grep -v '^ferry__' | LC_ALL=C comm -13 "$tmp/declared" -)
if [ -n "$bad" ]; then
    echo "FAIL: exported by $lib but not declared FERRY_API in include/ferry:"
    echo "$bad" | sed 's/^/    /'
    failed=1
fi

echo "$me: $nexp symbols exported, $ndecl functions declared"
exit $failed
