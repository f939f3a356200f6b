#!/usr/bin/env bash
# scripts/check-format.sh - fails when a C source differs from .clang-format's layout.
# Exits 77 (skipped) when clang-format is not installed. Run `clang-format -i` on the
# files it names to fix them.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not found"; exit 77; }
mapfile -t files < <(find engine queue credential cli worker tests bench -name '*.[ch]' 2>/dev/null | sort)
bad=0
for f in "${files[@]}"; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f"
        bad=1
    fi
done
echo "checked ${#files[@]} files"
exit $bad
