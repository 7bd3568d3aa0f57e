#!/usr/bin/env bash
# Real-world float models converted to dynamic range by `tinylite convert`, run by tinylite and by
# TensorFlow Lite 2.9's builtin kernels on the corpus' golden inputs: the outputs must be identical
# byte for byte. These models mix float convolutions (small ones the converter leaves float) with
# hybrid ones, whose on-the-fly quantization turns a last-bit difference upstream into a step: they
# check that tinylite's float convolutions sum in TFLite's order in such models.
#   usage: hybrid_real_world.sh TINYLITE     (env: TL_SHARED_DIR, CI)
set -u
tinylite=$1
shared=${TL_SHARED_DIR:-$(dirname "$0")/../../../shared}
corpus=$shared/tflite-corpus-real ref=$shared/tools/tflite-ref/run
skip() { echo "skipped: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }
[ -d "$corpus/models" ] || skip "real-world corpus not found at $corpus (set TL_SHARED_DIR)"
[ -x "$ref" ] || skip "reference runner not found at $ref"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for stem in knift_descriptor-float-mediapipe lyra_quantizer-float-google movie_review_classifier-float-tflite-support; do
  "$tinylite" convert "$corpus/models/$stem.tflite" -o "$tmp/$stem.tflite" --quantize dynamic >/dev/null ||
    { echo "FAIL $stem: convert"; fail=1; continue; }
  for in in "$corpus/golden/$stem"/in0_*.bin; do
    k=${in##*_}; k=${k%.bin}
    ins=$in
    for extra in "$corpus/golden/$stem"/in[1-9]_"$k".bin; do [ -f "$extra" ] && ins+=",$extra"; done
    "$ref" invoke "$tmp/$stem.tflite" "$ins" "$tmp/ref.bin" --no-xnnpack >/dev/null 2>"$tmp/err" ||
      { echo "FAIL $stem case $k: TensorFlow Lite: $(tail -c 300 "$tmp/err")"; fail=1; continue; }
    "$tinylite" run "$tmp/$stem.tflite" --input "$ins" --output "$tmp/ours.bin" >/dev/null 2>"$tmp/err" ||
      { echo "FAIL $stem case $k: tinylite: $(cat "$tmp/err")"; fail=1; continue; }
    if cmp -s "$tmp/ref.bin" "$tmp/ours.bin"; then echo "ok   $stem case $k: identical"; n=$((n + 1))
    else echo "FAIL $stem case $k: outputs differ"; fail=1; fi
  done
done
echo "$n hybrid outputs identical to TensorFlow Lite's"
[ $fail = 0 ] && [ $n -ge 6 ]
