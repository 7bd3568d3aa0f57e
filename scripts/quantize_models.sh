#!/bin/sh
# Makes models/mnist_cnn_dynamic.tflite and models/mnist_cnn_int8.tflite from the trained
# models/mnist_cnn_float.tflite with `tinylite convert`, evaluates the three on the MNIST test set, and
# writes the commands and their output into docs/quantization.md (between the TL-DEFAULT-MODELS marks).
# Usage: scripts/quantize_models.sh   (BUILD_DIR, MNIST_DIR override build/ and ../shared/data/mnist)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tl=${BUILD_DIR:-build}/tinylite
mnist=${MNIST_DIR:-../shared/data/mnist}
[ -x "$tl" ] || { echo "$tl not found: build first (cmake -S . -B build && cmake --build build -j)" >&2; exit 1; }
[ -f models/mnist_cnn_float.tflite ] || { echo "models/mnist_cnn_float.tflite is missing: train it first" >&2; exit 1; }

c1="$tl convert models/mnist_cnn_float.tflite -o models/mnist_cnn_dynamic.tflite --quantize dynamic"
c2="$tl convert models/mnist_cnn_float.tflite -o models/mnist_cnn_int8.tflite --quantize int8 --calibrate mnist --data $mnist"
c3="$tl eval models/mnist_cnn_float.tflite models/mnist_cnn_dynamic.tflite models/mnist_cnn_int8.tflite --data $mnist"
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.md" "$tmp.doc"' EXIT
{
  echo '```sh'
  echo "$c1"
  echo "$c2"
  echo "$c3"
  echo '```'
  echo
  echo '```'
  $c1 | grep -v '^wrote'
  $c2 | grep -v '^wrote'
  echo
  # the table and the tutorial's lines (the confusion matrices are left to the terminal)
  $c3 > "$tmp"
  sed -n '/^model /,/^(/p' "$tmp"
  echo
  grep -E '^(# |Float model accuracy|Quantized model accuracy|Accuracy drop)' "$tmp"
  echo '```'
  echo
  echo "(ms/image: invoke time only, one thread, on $(uname -m) \"$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')\", $(date -u +%Y-%m-%d).)"
} > "$tmp.md"
awk -v f="$tmp.md" '
  /<!-- TL-DEFAULT-MODELS:BEGIN -->/ { print; while ((getline line < f) > 0) print line; skip = 1; next }
  /<!-- TL-DEFAULT-MODELS:END -->/ { skip = 0 }
  !skip { print }' docs/quantization.md > "$tmp.doc"
cp "$tmp.doc" docs/quantization.md
cat "$tmp.md"
