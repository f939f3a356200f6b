#!/usr/bin/env bash
# scripts/check-format.sh - fails when a C source differs from .clang-format's layout.
# Exits 77 (skipped) when clang-format is not installed. Run `clang-format -i` on the
# files it names to fix them. One clang-format process checks every file (a process per file
# cost most of the test's time on a loaded machine).
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not found"; exit 77; }
mapfile -t files < <(find engine queue credential cli worker tests bench -name '*.[ch]' 2>/dev/null | sort)
out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    # Warnings read "FILE:LINE:COL: error: code should be clang-formatted"; name each file once.
    named=$(printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/not formatted: \1/p' | sort -u)
    # Nothing named: clang-format itself failed (a bad .clang-format, say); show what it said.
    printf '%s\n' "${named:-$out}"
fi
echo "checked ${#files[@]} files"
exit $((rc != 0))
