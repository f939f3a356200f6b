#!/usr/bin/env bash
# test_install.sh - libassay as it is installed: `meson install` into a temporary DESTDIR,
# then tests/headers/embed.c compiled and linked with only what the installed assay.pc gives
# (`pkg-config --cflags --libs assay`) and run on an example rubric and submission. Fails
# when the .pc leaves out something a caller needs (jansson: issue 14 item 4), when a header
# is not installed or when the installed library does not grade. TAP output; exits 77 when
# meson or pkg-config is missing.
#
# Usage: test_install.sh BUILD_DIR SOURCE_DIR "COMPILER..." SANITIZE
#   SANITIZE  the build's b_sanitize ("none", or e.g. "address,undefined": the program is
#             linked with the same runtime as the library)
set -uo pipefail
build=$1 src=$2 cc=$3 sanitize=$4

for tool in meson pkg-config; do
    command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not found"; exit 0; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
result() { # ok?, description, log file
    n=$((n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=1
        [ -n "${3:-}" ] && sed 's/^/#   /' "$3"
    fi
}
finish() {
    echo "1..$n"
    exit $failed
}

meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1
result $? "meson install --destdir" "$tmp/install.log"
pc=$(find "$tmp/root" -name assay.pc -print -quit)
[ -n "$pc" ]
result $? "assay.pc is installed"
[ -n "$pc" ] || finish
for h in assay error rubric grade version; do
    [ -n "$(find "$tmp/root" -path "*/include/assay/$h.h" -print -quit)" ]
    result $? "assay/$h.h is installed"
done

# The .pc names paths under the prefix; the sysroot puts them under DESTDIR.
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/root"
pkg-config --print-requires assay >"$tmp/requires" 2>&1
grep -q '^jansson' "$tmp/requires"
result $? "assay.pc requires jansson (the public header includes jansson.h)" "$tmp/requires"
flags=$(pkg-config --cflags --libs assay 2>"$tmp/pkg.log")
result $? "pkg-config --cflags --libs assay: $flags" "$tmp/pkg.log"
libdir=$(pkg-config --libs-only-L assay | sed 's/^ *-L//; s/ .*//')

san=()
[ "$sanitize" != none ] && san=("-fsanitize=$sanitize")
# shellcheck disable=SC2086 # the compiler command and pkg-config's flags are word lists
$cc -std=c99 -Wall -Wextra -Werror -pedantic "${san[@]}" -o "$tmp/embed" "$src/tests/headers/embed.c" \
    $flags -Wl,-rpath,"$libdir" >"$tmp/cc.log" 2>&1
result $? "embed.c compiles and links with the installed library" "$tmp/cc.log"
if [ -x "$tmp/embed" ]; then
    "$tmp/embed" "$src/rubrics" "$src/rubrics/submissions/chem-molarity.perfect.json" \
        >"$tmp/out.json" 2>"$tmp/run.log"
    result $? "the installed library grades a submission" "$tmp/run.log"
    grep -q '"rubric":{"id":"chem-molarity"' "$tmp/out.json"
    result $? "the result names its rubric" "$tmp/out.json"
fi
finish
