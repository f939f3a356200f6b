#!/usr/bin/env bash
# scripts/test.sh - the whole test suite, as CI runs it (.ci/run calls exactly this).
#
#  1. installs missing Debian packages (scripts/deps.sh);
#  2. gcc build with warnings as errors and the test hooks (-Dtest_hooks=true: also builds
#     assay-worker-hooks, which the poison tests and scenario need): every suite (unit, golden, cli, format, integration,
#     hostile, and the chaos scenarios, which run one at a time);
#  3. clang build with warnings as errors and the test hooks, ASan + UBSan (halt on the first error, leaks
#     reported): every suite again;
#  4. valgrind (memcheck, leaks are errors): the C tests under meson's valgrind setup, and the
#     worker integration and hostile-input tests with the binaries under valgrind;
#  5. libFuzzer: each fuzz target for FUZZ_SECONDS (60) with ASan + UBSan;
# then prints each chaos scenario's summary line and the plain summary line
# "N passed, N failed" summed from meson's test logs.
#
# Environment: BUILD_ROOT (default ./_build), JOBS (default: the core count),
# ASSAY_TEST_QUICK=1 skips the sanitizer and valgrind passes; ASSAY_TEST_LONG=1 adds the suite
# 'long' (the chaos scenarios under ASan that the gcc pass and the other ASan scenarios
# cover, and the credential interop test under valgrind), which CI leaves out for time.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

root=${BUILD_ROOT:-_build}
long=(--no-suite long)
[ "${ASSAY_TEST_LONG:-0}" = 1 ] && long=()
jobs=${JOBS:-$(nproc)}
logs=()
status=0

run_build() { # name, meson setup args...
    local name=$1
    shift
    local dir="$root/$name"
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$root/$name-setup.log" 2>&1 ||
            { cat "$root/$name-setup.log"; return 1; }
    else
        # The options again (-Dtest_hooks=true reaches a build set up before it existed).
        meson setup --reconfigure "$dir" "$@" >"$root/$name-setup.log" 2>&1 ||
            { cat "$root/$name-setup.log"; return 1; }
    fi
    ninja -C "$dir" >"$root/$name-build.log" 2>&1 || { cat "$root/$name-build.log"; return 1; }
}

run_tests() { # build name, log label, meson test args...
    local name=$1 label=$2
    shift 2
    local dir="$root/$name"
    echo "== $name ($label): meson test $*"
    # meson names the log after the test setup, if any.
    local setup= prev=
    for a in "$@"; do
        [ "$prev" = --setup ] && setup=$a
        prev=$a
    done
    local log="$dir/meson-logs/testlog${setup:+-$setup}.json"
    rm -f "$log"
    meson test -C "$dir" --num-processes "$jobs" --print-errorlogs "$@" || status=1
    if [ -f "$log" ]; then
        cp "$log" "$root/$name-$label.testlog.json"
        logs+=("$root/$name-$label.testlog.json")
    else
        logs+=("$root/$name-$label.missing")
    fi
}

mkdir -p "$root"

echo "== gcc, -Werror"
if CC=gcc run_build gcc --werror -Dbuildtype=debugoptimized -Dtest_hooks=true; then
    run_tests gcc all --no-suite memcheck
else
    echo "gcc build failed"
    status=1
    logs+=("$root/gcc-build-failed")
fi

if [ "${ASSAY_TEST_QUICK:-0}" != 1 ]; then
    echo "== clang, -Werror, ASan + UBSan"
    export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1
    export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
    if CC=clang run_build asan --werror -Dbuildtype=debug -Dtest_hooks=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all; then
        run_tests asan all --no-suite memcheck "${long[@]}"
    else
        echo "asan build failed"
        status=1
        logs+=("$root/asan-build-failed")
    fi
    unset ASAN_OPTIONS UBSAN_OPTIONS

    echo "== valgrind: C tests under the valgrind setup, then the worker and CLI under valgrind"
    run_tests gcc valgrind --setup valgrind --suite valgrind
    run_tests gcc memcheck --suite memcheck "${long[@]}"
fi

if [ "${ASSAY_TEST_QUICK:-0}" != 1 ]; then
    echo "== libFuzzer smoke: each target for ${FUZZ_SECONDS:-60} s with ASan + UBSan"
    if bash scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-60}"; then
        logs+=("extra:fuzz-smoke:OK")
    else
        logs+=("extra:fuzz-smoke:FAIL")
        status=1
    fi
fi

python3 scripts/summary.py "${logs[@]}" || status=1
exit $status
