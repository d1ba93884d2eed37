#!/bin/sh
# Compiles every public header (include/ferry/*.h) on its own, as C99 and
# as C++11, with -pedantic -Werror -Wall -Wextra: each header must include
# what it uses and be usable from C++ (STYLE.md, "Follow" 15). Each header
# is included twice, so a header that defines a type without an include
# guard fails too. The headers are found with a glob: a new header is
# covered without editing this script.
#
# Environment (make check sets them; defaults for running by hand):
#   CC, CXX            compilers (default: cc, c++)
#   FERRY_INCLUDE_DIR  the folder holding ferry/*.h (default: $srcdir/include)
#   srcdir             the source tree (default: the one of this script)
#
# Exit: 0 all compiled; 1 a header failed; 77 (skip) no working compiler.
set -u

: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
incdir=${FERRY_INCLUDE_DIR:-$srcdir/include}
cc=${CC:-cc}
cxx=${CXX:-c++}
me=check-headers

set -- "$incdir"/ferry/*.h
if [ ! -f "$1" ]; then
    echo "$me: no headers in $incdir/ferry" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ferry-headers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# A compiler that cannot compile an empty file is an environment problem,
# not a header problem: skip rather than fail.
echo 'int ferry_header_probe;' >"$tmp/probe.c"
if ! $cc -std=c99 -fsyntax-only "$tmp/probe.c" 2>/dev/null; then
    echo "$me: SKIP: C compiler '$cc' does not work" >&2
    exit 77
fi
if ! $cxx -x c++ -std=c++11 -fsyntax-only "$tmp/probe.c" 2>/dev/null; then
    echo "$me: SKIP: C++ compiler '$cxx' does not work" >&2
    exit 77
fi

failed=0
count=0
for h in "$@"; do
    name=${h##*/}
    base=${name%.h}
    count=$((count + 1))
    # A declaration after the includes keeps the unit non-empty even if a
    # header declares nothing (ISO C forbids an empty translation unit).
    printf '#include <ferry/%s>\n#include <ferry/%s>\ntypedef int ferry_header_test_%s;\n' \
        "$name" "$name" "$count" >"$tmp/$base.c"
    cp "$tmp/$base.c" "$tmp/$base.cc"

    if $cc -std=c99 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$incdir" \
        "$tmp/$base.c" >"$tmp/$base.c.log" 2>&1; then
        echo "PASS: ferry/$name (C99, $cc)"
    else
        echo "FAIL: ferry/$name (C99, $cc)"
        sed 's/^/    /' "$tmp/$base.c.log"
        failed=1
    fi
    if $cxx -std=c++11 -pedantic -Werror -Wall -Wextra -fsyntax-only -I"$incdir" \
        "$tmp/$base.cc" >"$tmp/$base.cc.log" 2>&1; then
        echo "PASS: ferry/$name (C++11, $cxx)"
    else
        echo "FAIL: ferry/$name (C++11, $cxx)"
        sed 's/^/    /' "$tmp/$base.cc.log"
        failed=1
    fi
done

echo "$me: $count headers checked"
exit $failed
