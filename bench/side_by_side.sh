#!/usr/bin/env bash
# side_by_side.sh - Assay next to the careful Python reference grader (bench/pyref) on the
# same input and machine: batch throughput on 1 and 2 cores with the ratio and the scaling,
# the engine's instructions per submission split by phase next to Python's, and with --redis
# the end-to-end drain through a private redis-server (assay-worker against
# bench/pyref/worker.py, graded and with stub graders). See bench/side_by_side.py.
#
# Usage: bench/side_by_side.sh [BUILD_DIR] [--count N] [--rounds R] [--all-cases]
#                              [--no-callgrind] [--callgrind-subs K] [--before OLD_BUILD]
#                              [--redis] [--redis-count M] [--redis-rounds R] [--redis-only]
#                              [--json OUT]
#   BUILD_DIR  a meson build directory (default: _build/release, else _build/gcc, else build);
#              a release build (-Dbuildtype=release -Dtest_hooks=true: the stub grader is a
#              test hook) is the one to measure
#   --before   an older build's directory: its assay (and with --redis its assay-worker) runs
#              in the same rounds ("before")
#   --redis-only  only the end-to-end part
# Needs taskset (util-linux), /usr/bin/python3; valgrind for the instruction counts;
# redis-server and python3-redis for --redis (scripts/deps.sh installs them).
set -euo pipefail

cd "$(dirname "$0")/.."

build=
if [[ $# -gt 0 && $1 != -* ]]; then
    build=$1
    shift
fi
if [[ -z $build ]]; then
    for d in _build/release _build/gcc build; do
        if [[ -d $d ]]; then
            build=$d
            break
        fi
    done
fi
exec /usr/bin/python3 bench/side_by_side.py "${build:-build}" "$@"
