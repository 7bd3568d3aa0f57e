#!/bin/sh
# Checks a float MNIST .tflite (e.g. models/mnist_cnn_float.tflite) against the real TensorFlow
# Lite runtime: TFLite 2.9's builtin kernels (tflite-ref, no XNNPACK) and `tinylite eval` both
# classify the 10k test images, and every prediction must be the same. Prints both accuracies,
# the agreement and the largest probability difference; exits 1 on any disagreement.
# usage: scripts/check_with_tflite.sh MODEL.tflite [MNIST_DIR]
# env: TINYLITE (binary, default build/tinylite), TFLITE_REF (default <shared>/tools/tflite-ref/run),
#      MNIST_DIR (default <shared>/data/mnist), where <shared> is $TL_SHARED_DIR or ../shared.
# Without the reference runner or MNIST it exits 77 (skipped; CTest's convention) unless CI=true.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 MODEL.tflite [MNIST_DIR]" >&2; exit 2; }
model=$1
shared=${TL_SHARED_DIR:-$here/../shared}
mnist=${2:-${MNIST_DIR:-$shared/data/mnist}}
bin=${TINYLITE:-$here/build/tinylite}
ref=${TFLITE_REF:-$shared/tools/tflite-ref/run}
missing() {
  echo "$1" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
}
[ -f "$model" ] || { echo "no such model: $model" >&2; exit 2; }
[ -x "$bin" ] || { echo "tinylite binary not found at $bin (build it, or set TINYLITE=...)" >&2; exit 2; }
[ -x "$ref" ] || missing "TFLite reference runner not found at $ref (set TFLITE_REF=...): skipped"
[ -d "$mnist" ] || missing "MNIST not found at $mnist (set MNIST_DIR; scripts/get_mnist.sh fetches it): skipped"
tmp=$(mktemp -d /tmp/tl_check_tflite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$ref" mnist-eval "$model" "$mnist" --no-xnnpack --dump "$tmp/ref.bin" >"$tmp/ref.log" 2>&1 ||
  { cat "$tmp/ref.log" >&2; echo "TFLite could not run $model" >&2; exit 1; }
"$bin" eval "$model" --data "$mnist" --dump "$tmp/tl.bin" >"$tmp/tl.log" 2>&1 ||
  { cat "$tmp/tl.log" >&2; echo "tinylite could not run $model" >&2; exit 1; }
grep -E '^(model|accuracy):' "$tmp/ref.log" | sed 's/^/TFLite:   /'
head -1 "$tmp/tl.log" | sed 's/^/tinylite: /'

# Both dumps hold float32 [classes] per image; compare argmax (first maximum) image by image.
python3 - "$tmp/ref.bin" "$tmp/tl.bin" "$mnist" <<'PY'
import array, gzip, os, sys
ref_path, tl_path, mnist = sys.argv[1:4]
def floats(p):
    a = array.array('f')
    with open(p, 'rb') as f:
        a.frombytes(f.read())
    if sys.byteorder != 'little':
        a.byteswap()
    return a
ref, tl = floats(ref_path), floats(tl_path)
for name in ('t10k-labels-idx1-ubyte', 't10k-labels-idx1-ubyte.gz'):
    p = os.path.join(mnist, name)
    if os.path.exists(p):
        raw = (gzip.open if p.endswith('.gz') else open)(p, 'rb').read()
        labels = raw[8:]
        break
else:
    sys.exit('no t10k labels in ' + mnist)
n = len(labels)
if len(ref) != len(tl) or len(ref) % n:
    sys.exit('dump sizes differ: TFLite %d floats, tinylite %d, %d images' % (len(ref), len(tl), n))
k = len(ref) // n
def argmax(a, i):
    row = a[i * k:(i + 1) * k]
    return max(range(k), key=lambda c: (row[c], -c))
same = ok_ref = ok_tl = 0
diff = []
maxd = 0.0
for i in range(n):
    a, b = argmax(ref, i), argmax(tl, i)
    same += a == b
    ok_ref += a == labels[i]
    ok_tl += b == labels[i]
    if a != b:
        diff.append(i)
    for c in range(k):
        maxd = max(maxd, abs(ref[i * k + c] - tl[i * k + c]))
print('same prediction on %d/%d images; TFLite %d correct, tinylite %d correct; max |dprob| %.3g'
      % (same, n, ok_ref, ok_tl, maxd))
if diff:
    print('images predicted differently: %s' % ' '.join(map(str, diff[:20])))
    sys.exit(1)
PY
