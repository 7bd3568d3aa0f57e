#!/usr/bin/env bash
# Runs the C API demo built against tinylite on every golden input of a corpus model (checking the
# golden outputs when given); with a second binary built against TensorFlow Lite's C library, runs
# that too and requires identical output. Exit 77 (skip) when a piece is missing, except under
# CI=true where that is a failure.
set -u
ours=$1 theirs=$2 model=$3 golden_dir=$4 check=${5:-}
skip() { echo "skipped: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }
[ -f "$model" ] && [ -d "$golden_dir" ] || skip "corpus not found at $model (set TINYLITE_SHARED_DIR at configure time)"
[ -n "$theirs" ] || [ -n "$check" ] ||
  skip "TensorFlow Lite's C library not found: run ../shared/tools/tflite-ref/setup.sh and re-run cmake"
a="" b=""
for in in "$golden_dir"/in0_*.bin; do
  k=${in##*_}; k=${k%.bin}
  golden=""; [ -n "$check" ] && golden="$golden_dir/out0_$k.bin"
  out=$("$ours" "$model" "$in" $golden) || { echo "tinylite build failed on case $k:"; echo "$out"; exit 1; }
  a+="$out"$'\n'
  if [ -n "$theirs" ]; then
    out=$("$theirs" "$model" "$in" 2>/dev/null) || { echo "TensorFlow Lite build failed on case $k"; exit 1; }
    b+="$out"$'\n'
  fi
done
echo "tinylite:"; echo "$a"
[ -z "$theirs" ] && exit 0
echo "TensorFlow Lite:"; echo "$b"
[ "$a" = "$b" ] || { echo "outputs differ"; exit 1; }
echo "identical output from both libraries"
