#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The test command (README; .ci/run runs it with CI=true). Installs what it needs on a fresh Debian
# machine (scripts/setup.sh, and the reference TensorFlow Lite runtimes of ../shared/tools/tflite-ref
# into ~/.cache), then builds tinylite twice -- optimised, and with AddressSanitizer +
# UndefinedBehaviorSanitizer -- and runs the whole CTest suite on each, slow tests included.
# Tests that need ../shared (MNIST, the model corpus, the reference runtimes) find it through
# TL_SHARED_DIR (default ../shared) and are skipped when it is absent, except under CI=true, where
# every skip is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
shared=${TL_SHARED_DIR:-$PWD/../shared}
export MNIST_DIR=${MNIST_DIR:-$shared/data/mnist}
export TL_CORPUS_DIR=${TL_CORPUS_DIR:-$shared/tflite-corpus}

bash scripts/setup.sh
if [ -f "$shared/tools/tflite-ref/setup.sh" ]; then
  # Idempotent; SKIP_ARMNN: the Arm NN runtime is not used by the tests.
  SKIP_ARMNN=1 bash "$shared/tools/tflite-ref/setup.sh"
elif [ "${CI:-}" = true ]; then
  echo "test: $shared/tools/tflite-ref is missing, and CI=true requires the reference runtimes" >&2
  exit 1
fi

run_suite() { # name, extra cmake args...
  local dir=build-test-$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DTINYLITE_SHARED_DIR="$shared" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure -j"$jobs")
}

echo "== optimised build =="
run_suite release
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
ASAN_OPTIONS=detect_leaks=1 run_suite asan -DTL_SANITIZE=ON
