#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Makes models/mnist_cnn_dynamic.tflite and models/mnist_cnn_int8.tflite from the trained
# models/mnist_cnn_float.tflite with `tinylite convert`, then rewrites the blocks of the docs that
# show them (scripts/check-docs.sh --update).
# --print: converts into a temporary directory instead, checks the results are the committed files
# byte for byte, and prints the conversions' output and the three models' evaluation: what
# docs/quantization.md shows and scripts/check-docs.sh compares.
# Usage: scripts/quantize_models.sh [--print]   (env: TINYLITE, default build/tinylite; MNIST_DIR)
set -eu
cd "$(dirname "$0")/.."
tl=${TINYLITE:-build/tinylite}
mnist=${MNIST_DIR:-../shared/data/mnist}
[ -x "$tl" ] || { echo "$tl not found: build first (cmake -S . -B build && cmake --build build -j\"\$(nproc)\")" >&2; exit 1; }
[ -f models/mnist_cnn_float.tflite ] || { echo "models/mnist_cnn_float.tflite is missing: train it first" >&2; exit 1; }
out=models
if [ "${1:-}" = --print ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
"$tl" convert models/mnist_cnn_float.tflite -o "$out/mnist_cnn_dynamic.tflite" --quantize dynamic | grep -v '^wrote'
"$tl" convert models/mnist_cnn_float.tflite -o "$out/mnist_cnn_int8.tflite" --quantize int8 --calibrate mnist \
  --data "$mnist" | grep -v '^wrote'
if [ "$out" = models ]; then
  exec scripts/check-docs.sh --update
fi
for m in mnist_cnn_dynamic mnist_cnn_int8; do
  cmp -s "$out/$m.tflite" "models/$m.tflite" || { echo "$out/$m.tflite differs from models/$m.tflite"; exit 1; }
  echo "same bytes as models/$m.tflite"
done
echo
# the table and the tutorial's lines (the confusion matrices are left to the terminal)
"$tl" eval models/mnist_cnn_float.tflite models/mnist_cnn_dynamic.tflite models/mnist_cnn_int8.tflite \
  --data "$mnist" >"$out/eval.txt"
sed -n '/^model /,/^(/p' "$out/eval.txt"
echo
grep -E '^(# |Float model accuracy|Quantized model accuracy|Accuracy drop)' "$out/eval.txt"
