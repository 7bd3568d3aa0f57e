#!/bin/sh
# Exercises scripts/get_mnist.sh --verify-only on local files (no network): the shared MNIST copy
# passes when present (exit 77 = skipped otherwise), and a corrupted copy in a temp dir fails.
set -u
script=$1
src=${MNIST_DIR:-${TL_MNIST_DEFAULT:-../shared/data/mnist}}
tmp=$(mktemp -d /tmp/tl_get_mnist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# an empty directory fails
if sh "$script" --verify-only "$tmp" >/dev/null 2>&1; then echo "empty dir verified?"; exit 1; fi
if [ ! -f "$src/t10k-labels-idx1-ubyte.gz" ]; then
  [ "${CI:-}" = "true" ] && { echo "MNIST missing and CI=true"; exit 1; }
  echo "MNIST not found at $src: skipped"; exit 77
fi
sh "$script" --verify-only "$src" || { echo "shared MNIST failed verification"; exit 1; }
# plain (decompressed) copies are accepted too; a one-byte change is caught
for f in "$src"/*.gz; do b=$(basename "$f" .gz); gzip -dc "$f" > "$tmp/$b"; done
sh "$script" --verify-only "$tmp" >/dev/null || { echo "plain copies failed verification"; exit 1; }
printf '\001' | dd of="$tmp/t10k-labels-idx1-ubyte" bs=1 seek=100 conv=notrunc 2>/dev/null
if sh "$script" --verify-only "$tmp" >/dev/null 2>&1; then echo "corrupted copy verified?"; exit 1; fi
echo "get_mnist.sh verification ok"
