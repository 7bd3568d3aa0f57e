#!/usr/bin/env bash
# The test command (README, .ci/run): builds tinylite twice — optimised, and with AddressSanitizer +
# UndefinedBehaviorSanitizer — and runs the CTest suite on each. Tests that need ../shared (MNIST,
# the model corpus, the reference runtimes) find it through TL_SHARED_DIR (default ../shared) and are
# skipped when it is absent, except under CI=true where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
shared=${TL_SHARED_DIR:-$PWD/../shared}
export MNIST_DIR=${MNIST_DIR:-$shared/data/mnist}
export TL_CORPUS_DIR=${TL_CORPUS_DIR:-$shared/tflite-corpus}

run_suite() { # name, extra cmake args...
  local dir=build-test-$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DTINYLITE_SHARED_DIR="$shared" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure -j"$jobs" ${CTEST_ARGS:-})
}

echo "== optimised build =="
run_suite release
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (slow tests excluded) =="
CTEST_ARGS="-LE slow" ASAN_OPTIONS=detect_leaks=1 run_suite asan -DTL_SANITIZE=ON
