#!/usr/bin/env bash
# Configures, builds and runs the whole test suite (Check units and CTest
# scripts, engine end-to-end tests on software devices included).
#   tools/test.sh              build/ (RelWithDebInfo, -Werror)
#   tools/test.sh --sanitize   build-asan/ (AddressSanitizer + UBSan)
#   tools/test.sh --no-preempt build-nopreempt/ (-DPSP_PREEMPT=OFF: psp-engine
#                              without psp_preempt, the other side of
#                              engine/server/preemption.h; CI runs its
#                              engine tests, -R '^engine\.')
#   extra arguments go to ctest, e.g. tools/test.sh -L unit
# Tests run on every CPU (ctest -j); those that start psp-engine or time
# something are RUN_SERIAL, so nothing else runs beside them.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build
cmake_args=(-DPSP_ENGINE=ON)
if [ "${1:-}" = "--sanitize" ]; then
  shift
  dir=build-asan
  cmake_args+=(-DPSP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
elif [ "${1:-}" = "--no-preempt" ]; then
  shift
  dir=build-nopreempt
  cmake_args+=(-DPSP_PREEMPT=OFF)
fi
cmake -S . -B "$dir" "${cmake_args[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
cd "$dir"
ctest -j"$(nproc)" --output-on-failure "$@"
