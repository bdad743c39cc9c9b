#!/usr/bin/env bash
# Installs what is missing, then builds warden and runs its tests in three configurations:
# g++ (every test), clang++ (everything built, so its warnings count with -Werror; unit,
# compile-fail, snippet, packaging and fuzz smoke tests, but not the integration tests, which
# the other two run), and g++ under AddressSanitizer and UndefinedBehaviorSanitizer (every
# test that runs code; the compile-time tests are the plain g++ build's). Each builds its
# examples and tests against warden::compiled (separate compilation, warden/config.hpp), so
# that warden's implementation is compiled once per configuration, not in every unit;
# header-only mode, the default users get, is built and tested by the ODR test (in both
# modes), the packaging tests, the compile-fail tests and the README snippets.
# Build trees go to build/<config>.
#
# Disk: a Debug tree with full debug info is 5-10 GB; three of them do not fit every CI
# machine. The trees are built with line tables only, compressed (-g1 -gz: enough for
# sanitizer and debugger backtraces, about half the size: gcc 2.8 GB, clang 1.9 GB, ASan
# 7.4 GB), and when less than 20 GB is free a finished configuration's tree is removed
# (its CTest log kept as build/<config>.ctest.log) before the next one builds.
#
#   scripts/test.sh              all three configurations
#   scripts/test.sh gcc asan     only these
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(gcc clang asan)
jobs=$(nproc)
summary=()
debug_flags=(-DCMAKE_CXX_FLAGS_DEBUG="-g1 -gz")
free_gb() { df -Pk "$root" | awk 'NR==2 { print int($4 / 1048576) }'; }
all_passed=0 all_failed=0
for config in "${configs[@]}"; do
  ctest_args=()
  case "$config" in
    gcc)   args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug -DWARDEN_SEPARATE_COMPILATION=ON "${debug_flags[@]}") ;;
    clang) args=(-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DWARDEN_SEPARATE_COMPILATION=ON "${debug_flags[@]}")
           ctest_args=(-E '^integration_') ;;
    asan)  args=(-DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Debug -DWARDEN_SANITIZE=address,undefined
                 -DWARDEN_SEPARATE_COMPILATION=ON "${debug_flags[@]}") ;;
    *) echo "test.sh: unknown configuration '$config' (gcc, clang, asan)" >&2; exit 2 ;;
  esac
  echo "=== $config: configure and build"
  start=$(date +%s)
  cmake -S . -B "build/$config" -G Ninja "${args[@]}" >/dev/null
  cmake --build "build/$config" -j "$jobs"
  built=$(date +%s)
  echo "=== $config: test"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "build/$config" --output-on-failure -j "$jobs" --timeout 600 ${ctest_args[@]+"${ctest_args[@]}"} | tee "build/$config/ctest.log"
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "build/$config/ctest.log" | tail -1)
  failed=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "build/$config/ctest.log" | tail -1)
  all_passed=$((all_passed + ${total:-0} - ${failed:-0}))
  all_failed=$((all_failed + ${failed:-0}))
  done_at=$(date +%s)
  summary+=("$config: build $((built - start)) s, tests $((done_at - built)) s")
  # Low on disk and another configuration to build: this tree goes (its log stays beside it).
  if [ "$config" != "${configs[-1]}" ] && [ "$(free_gb)" -lt 20 ]; then
    echo "=== $config: $(free_gb) GB free; removing build/$config (log kept as build/$config.ctest.log)"
    cp "build/$config/ctest.log" "build/$config.ctest.log"
    rm -rf "build/$config"
  fi
done
printf '%s\n' "=== summary" "${summary[@]}"
echo "tests: $all_passed passed, $all_failed failed"
