#!/usr/bin/env bash
# c_api_goldens (tests/compat/c_api_goldens.c) on corpus models: the build against tinylite must match
# every golden and report the delegate it was given; with a second build against TensorFlow Lite's
# own library, that one must match the goldens too and print the same lines (everything a client can
# observe but the version and reported messages). Exit 77 (skipped) when the corpus or TensorFlow
# Lite's library is absent; ctest makes that a failure under CI=true.
# usage: run_c_api_goldens.sh OURS THEIRS|none|"" CORPUS_DIR STEM:CASES:exact|ATOL,RTOL...
#   THEIRS: the build against TensorFlow Lite; none: tinylite alone; "": not found (skipped)
set -u
ours=$1 theirs=$2 corpus=$3; shift 3
[ -d "$corpus/golden" ] || { echo "skipped: corpus not found at $corpus (set TINYLITE_SHARED_DIR)"; exit 77; }
[ -n "$theirs" ] || { echo "skipped: TensorFlow Lite's C library not found (run ../shared/tools/tflite-ref/setup.sh, re-run cmake)"; exit 77; }
[ "$theirs" = none ] && theirs=""
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0
for spec in "$@"; do
  IFS=: read -r stem cases tol <<<"$spec"
  model=$corpus/models/$stem.tflite golden=$corpus/golden/$stem
  if ! "$ours" "$model" "$golden" "$cases" "$tol" >"$tmp/ours.out" 2>"$tmp/ours.err"; then
    echo "FAIL $stem: tinylite:"; cat "$tmp/ours.out" "$tmp/ours.err"; failed=$((failed + 1)); continue
  fi
  if ! grep -q "^library version [0-9]" "$tmp/ours.err"; then
    echo "FAIL $stem: TfLiteVersion gave no version:"; cat "$tmp/ours.err"; failed=$((failed + 1)); continue
  fi
  if ! grep -q "delegate(s) accepted but not applied" "$tmp/ours.err"; then
    echo "FAIL $stem: tinylite did not report the delegate it ignored:"; cat "$tmp/ours.err"
    failed=$((failed + 1)); continue
  fi
  if [ -n "$theirs" ]; then
    if ! "$theirs" "$model" "$golden" "$cases" "$tol" >"$tmp/theirs.out" 2>"$tmp/theirs.err"; then
      echo "FAIL $stem: TensorFlow Lite:"; cat "$tmp/theirs.out" "$tmp/theirs.err"; failed=$((failed + 1)); continue
    fi
    if ! diff "$tmp/theirs.out" "$tmp/ours.out" >"$tmp/diff"; then
      echo "FAIL $stem: the two libraries differ (< TensorFlow Lite, > tinylite):"; cat "$tmp/diff"
      failed=$((failed + 1)); continue
    fi
  fi
  same=""; [ -n "$theirs" ] && same=", the same lines as TensorFlow Lite's library"
  echo "ok   $stem: $(tail -1 "$tmp/ours.out")$same"
  passed=$((passed + 1))
done
echo "$passed passed, $failed failed"
[ $failed = 0 ] && [ $passed -gt 0 ]
