#!/usr/bin/env bash
# A stand-in for ../shared/tools/tflite-ref/run that must make the differential tests fail, never
# skip: FAKE_REF_MODE=wrong runs the real runner (REAL_TFLITE_REF) and flips a bit of every output
# byte; FAKE_REF_MODE=broken fails at once, as a reference runtime that does not start.
set -u
case "${FAKE_REF_MODE:-}" in
  broken) echo "fake reference: does not start" >&2; exit 1 ;;
  wrong)
    "$REAL_TFLITE_REF" "$@" || exit
    out=""
    [ "${1:-}" = invoke ] && out=$4
    prev=""
    for a in "$@"; do [ "$prev" = --dump ] && out=$a; prev=$a; done
    [ -n "$out" ] || exit 0
    for f in "$out" "$out".*; do
      [ -f "$f" ] || continue
      python3 -c 'import sys; p=sys.argv[1]; b=open(p,"rb").read(); open(p,"wb").write(bytes(x ^ 1 for x in b))' "$f"
    done ;;
  *) echo "fake reference: set FAKE_REF_MODE=wrong|broken" >&2; exit 2 ;;
esac
