#!/usr/bin/env bash
# Runs the C API demo built against tinylite; with a second binary (built against TensorFlow Lite's
# C library) runs it too and requires identical output. Exit 77 (skip) when a piece is missing,
# except under CI=true where that is a failure.
set -u
ours=$1 theirs=$2 model=$3 input=$4 golden=${5:-}
skip() { echo "skipped: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }
[ -f "$model" ] && [ -f "$input" ] || skip "corpus not found at $model (set TINYLITE_SHARED_DIR at configure time)"
if [ -z "$theirs" ] && [ -z "$golden" ]; then
  skip "TensorFlow Lite's C library not found: run ../shared/tools/tflite-ref/setup.sh and re-run cmake"
fi
a=$("$ours" "$model" "$input" $golden) || { echo "tinylite build failed:"; echo "$a"; exit 1; }
echo "tinylite:"; echo "$a"
[ -z "$theirs" ] && exit 0
b=$("$theirs" "$model" "$input" 2>/dev/null) || { echo "TensorFlow Lite build failed"; exit 1; }
echo "TensorFlow Lite:"; echo "$b"
[ "$a" = "$b" ] || { echo "outputs differ"; exit 1; }
echo "identical output from both libraries"
