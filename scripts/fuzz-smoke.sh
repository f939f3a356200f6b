#!/usr/bin/env bash
# scripts/fuzz-smoke.sh [SECONDS] [TARGET...] - builds the libFuzzer targets of tests/fuzz/
# with clang, ASan and UBSan, and runs each for SECONDS (default 60) from a copy of its seed
# corpus. TARGETs are rubric_load, score, writer and number (default: all four, one after
# another).
#
# Prints one summary line per target. On a crash, leak, timeout or out-of-memory it prints
# the reproducer's path and the head of the report, keeps the work directory, and exits 1
# once every target has run. Never writes into the source tree: the build goes to
# $FUZZ_BUILD (default _build/fuzz, ignored by git) and the corpora are copied to a
# temporary directory (kept when FUZZ_KEEP=1, or on failure; set FUZZ_WORK to choose it).
#
# To replay a reproducer:      _build/fuzz/tests/fuzz/fuzz_TARGET CRASH-FILE
# To minimise it:              _build/fuzz/tests/fuzz/fuzz_TARGET -minimize_crash=1 \
#                                  -runs=100000 -exact_artifact_path=min CRASH-FILE
# Then save it as a regression seed in tests/fuzz/corpus/TARGET/ (see tests/fuzz/README.md).
#
# Needs clang and its libFuzzer runtime (Debian: clang, libclang-rt-14-dev); exits 77 when
# clang is missing.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)

secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(rubric_load score writer number)
case $secs in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS] [rubric_load|score|writer|number ...]" >&2
    exit 2
    ;;
esac

exes=()
for t in "${targets[@]}"; do
    case $t in
    rubric_load | score | writer | number) exes+=("tests/fuzz/fuzz_$t") ;;
    *)
        echo "fuzz-smoke: unknown target $t (rubric_load, score, writer, number)" >&2
        exit 2
        ;;
    esac
done

command -v clang >/dev/null || {
    echo "fuzz-smoke: clang not found (Debian: apt-get install clang libclang-rt-14-dev)"
    exit 77
}

build=${FUZZ_BUILD:-_build/fuzz}
if [ ! -f "$build/build.ninja" ]; then
    if [ -e "$build" ]; then
        echo "fuzz-smoke: $build exists but is not a meson build directory; remove it" >&2
        exit 1
    fi
    mkdir -p "$(dirname "$build")"
    setup=(-Dfuzzing_engine=libfuzzer "-Db_sanitize=address,undefined" -Db_lundef=false
        "-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all"
        -Dc_link_args=-fno-sanitize-recover=all -Dbench=false)
    # Neither the worker nor the CLI is fuzzed; if the tree does not accept leaving them
    # out, configure it with them.
    if ! CC=clang meson setup "$build" "${setup[@]}" -Dworker=disabled -Dtools=false \
        >"$build.setup.log" 2>&1; then
        rm -rf "$build"
        CC=clang meson setup "$build" "${setup[@]}" >"$build.setup.log" 2>&1 || {
            cat "$build.setup.log"
            echo "fuzz-smoke: meson setup failed"
            exit 1
        }
    fi
fi
ninja -C "$build" "${exes[@]}" >"$build.build.log" 2>&1 || {
    cat "$build.build.log"
    echo "fuzz-smoke: build failed"
    exit 1
}

work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/assay-fuzz.XXXXXX")}
mkdir -p "$work"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASSAY_FUZZ_RUBRICS=${ASSAY_FUZZ_RUBRICS:-$src/rubrics}

failed=0
for t in "${targets[@]}"; do
    corpus="$work/corpus/$t"
    artifacts="$work/artifacts/$t"
    log="$work/$t.log"
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts"
    cp -R "tests/fuzz/corpus/$t/." "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
    max_len=65536
    [ "$t" = number ] && max_len=4096
    "$build/tests/fuzz/fuzz_$t" "$corpus" \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
        -dict="tests/fuzz/$t.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
        >"$log" 2>&1
    rc=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    status=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
    corp=$(find "$corpus" -type f | wc -l)
    mapfile -t found < <(find "$artifacts" -type f | sort)

    if [ "$rc" -eq 0 ] && [ ${#found[@]} -eq 0 ]; then
        verdict=ok
    else
        verdict=FAILED
        failed=1
    fi
    printf 'fuzz_%s: %s execs (%s/s), cov %s, ft %s, corpus %s -> %s (+%s new), peak RSS %s MB: %s\n' \
        "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$seeds" "$corp" \
        "$((corp - seeds))" "${rss:-?}" "$verdict"
    if [ "$verdict" != ok ]; then
        for f in "${found[@]}"; do
            echo "  reproducer: $f"
        done
        [ ${#found[@]} -gt 0 ] || echo "  exit status $rc, no reproducer written"
        echo "  log: $log"
        grep -m1 -A25 -E '^==[0-9]+==ERROR|runtime error:|fuzz invariant failed|ERROR: libFuzzer' "$log" |
            sed 's/^/  | /'
    fi
done

if [ "$failed" -ne 0 ] || [ "${FUZZ_KEEP:-0}" = 1 ]; then
    echo "work directory kept: $work"
else
    rm -rf "$work"
fi
exit $failed
