#!/usr/bin/env bash
# The shim's native checks (README "How the shim is tested"): builds the shim's sources with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer into a test driver (native/tests/driver.cpp) and
# one libFuzzer binary per fuzz target (native/tests/targets.h), and with ThreadSanitizer into a
# thread driver (native/tests/threads.cpp); runs the drivers (with an engine smoke test over
# node_modules' libchdb), then each fuzzer for a fixed time from the committed corpus
# (native/tests/corpus/<target>). Ends with "N passed, N failed".
#
#   scripts/native_checks.sh            # CI: the drivers + 20 s per fuzz target
#   FUZZ_SECONDS=300 scripts/native_checks.sh
#   FUZZ_SECONDS=0 scripts/native_checks.sh   # the driver only
# Installs clang-14 and its sanitizer runtimes with apt-get when missing (as root).
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
out=zig-cache/native-checks
mkdir -p "$out"
passed=0
failed=0
finish() {
  echo "native checks: $passed passed, $failed failed"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

clang=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$clang" ] || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing clang-14 and its sanitizer runtimes (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null \
      || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null; }
  fi
  clang=$(command -v clang++-14 || true)
fi
if [ -z "$clang" ]; then
  echo "clang++-14 is not available (apt-get install clang-14 libclang-rt-14-dev)"
  failed=$((failed + 1))
  finish
fi

# compile_sources DIR FLAG...: compiles the shim's sources and the fuzz targets with FLAG... into
# DIR, two at a time (the machine has two cores); the object files are then in $compiled.
compile_sources() {
  local dir=$1 src obj p
  shift
  local pids=()
  compiled=()
  mkdir -p "$dir"
  for src in native/*.cpp native/tests/targets.cpp; do
    obj="$dir/$(basename "${src%.cpp}").o"
    compiled+=("$obj")
    "$clang" "$@" -c "$src" -o "$obj" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}" || build_failed=1; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || build_failed=1; done
}

common=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -Inative -Wall -Wextra -Werror -Wno-unused-parameter)
flags=("${common[@]}" -fsanitize=address,undefined -fsanitize=fuzzer-no-link)
started=$(date +%s)
echo "compiling the shim's sources with $clang (ASan + UBSan + fuzzer coverage)"
compile_sources "$out" "${flags[@]}"
objects=("${compiled[@]}")
# The engine smoke and its fault walks run in a UBSan-only build: libchdb's own initialisers
# jump to a null address when ASan's runtime is loaded (README, "How the shim is tested").
ub_flags=("${common[@]}" -fsanitize=undefined)
compile_sources "$out/ub" "${ub_flags[@]}"
ub_objects=("${compiled[@]}")
"$clang" "${ub_flags[@]}" native/tests/driver.cpp "${ub_objects[@]}" -fsanitize=undefined -ldl -lpthread -o "$out/driver_engine" \
  || build_failed=1
# The thread driver runs engine-free in a ThreadSanitizer build: libchdb cannot run under TSan
# (README, "How the shim is tested").
tsan_flags=("${common[@]}" -fsanitize=thread)
compile_sources "$out/tsan" "${tsan_flags[@]}"
"$clang" "${tsan_flags[@]}" native/tests/threads.cpp "${compiled[@]}" -lpthread -o "$out/threads" || build_failed=1
link=(-fsanitize=address,undefined -ldl -lpthread)
if [ -z "${build_failed:-}" ] \
  && "$clang" "${flags[@]}" native/tests/driver.cpp "${objects[@]}" "${link[@]}" -o "$out/driver"; then
  for i in 0 1 2 3; do
    "$clang" "${flags[@]}" -fsanitize=fuzzer -DCHFFI_FUZZ_TARGET=$i native/tests/fuzz_main.cpp "${objects[@]}" "${link[@]}" \
      -o "$out/fuzz_$i" || build_failed=1
  done
else
  build_failed=1
fi
echo "built in $(( $(date +%s) - started )) s"
if [ -n "${build_failed:-}" ]; then
  echo "FAIL the sanitizer build"
  failed=$((failed + 1))
  finish
fi

# The engine-free driver (ASan + UBSan), the thread driver (TSan), then the engine driver (UBSan).
libchdb=node_modules/@chdb/lib-linux-x64-gnu/libchdb.so
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:${TSAN_OPTIONS:-}
log="$out/driver.log"
# run_driver WHAT COMMAND...: runs a test driver and counts its `ok` and `FAIL` lines; a failing
# exit without a FAIL line (a sanitizer report) counts as one failure.
run_driver() {
  local what=$1 status p f
  shift
  "$@" >"$log" 2>&1
  status=$?
  cat "$log"
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^FAIL ' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $what exited with $status (a sanitizer report above?)"
    failed=$((failed + 1))
  fi
}
started=$(date +%s)
run_driver "the driver" "$out/driver" native/tests/corpus
# clang 14's TSan stops at start ("unexpected memory mapping") where the kernel randomises mmap
# addresses with more bits than it knows (vm.mmap_rnd_bits = 32): the driver then runs with
# address randomisation off. (Without arguments it only prints its usage.)
tsan_run=("$out/threads" native/tests/corpus)
if "$out/threads" 2>&1 | grep -q 'unexpected memory mapping'; then
  tsan_run=(setarch "$(uname -m)" -R "${tsan_run[@]}")
fi
run_driver "the thread driver" "${tsan_run[@]}"
if [ -f "$libchdb" ]; then
  run_driver "the engine driver" "$out/driver_engine" --engine "$(realpath "$libchdb")"
else
  echo "FAIL no libchdb at $libchdb (npm install first): the engine smoke did not run"
  failed=$((failed + 1))
fi
echo "drivers ran in $(( $(date +%s) - started )) s"

# Fuzzing: each target for FUZZ_SECONDS from the committed corpus; new inputs go to a scratch
# corpus (merge interesting ones into native/tests/corpus by hand), crashes to $out/crashes.
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  targets=(hashset_load native_decode scan_layout string_list)
  # hashset_load writes each input to a file: in memory when the machine has /dev/shm.
  [ -d /dev/shm ] && export TMPDIR=/dev/shm
  mkdir -p "$out/crashes"
  for i in 0 1 2 3; do
    t=${targets[$i]}
    mkdir -p "$out/corpus/$t"
    flog="$out/fuzz_$t.log"
    "$out/fuzz_$i" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -seed=$RANDOM \
      -artifact_prefix="$out/crashes/$t-" "$out/corpus/$t" "native/tests/corpus/$t" >"$flog" 2>&1
    status=$?
    runs=$(grep -oE 'Done [0-9]+ runs' "$flog" | grep -oE '[0-9]+' || echo 0)
    if [ "$status" -eq 0 ]; then
      echo "ok   fuzz $t: $runs runs in $FUZZ_SECONDS s, no crash"
      passed=$((passed + 1))
    else
      echo "FAIL fuzz $t (exit $status); the input is in $out/crashes:"
      grep -E 'ERROR|SUMMARY|check failed|#[0-9]+ 0x' "$flog" | head -30
      failed=$((failed + 1))
    fi
  done
fi
finish
