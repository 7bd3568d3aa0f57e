#!/bin/sh
# Downloads MNIST (the four idx files, gzipped) into DIR from the usual public mirrors and verifies
# them. The check is on the sha256 of the *decompressed* idx data, because mirrors recompress the
# files (their .gz bytes differ) while the data must be identical. --verify-only checks DIR only.
# usage: scripts/get_mnist.sh [--verify-only] DIR
set -eu

verify_only=0
if [ "${1:-}" = "--verify-only" ]; then verify_only=1; shift; fi
if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: $0 [--verify-only] DIR" >&2
  echo "  downloads MNIST into DIR (then use: tinylite train --data DIR, or MNIST_DIR=DIR)" >&2
  exit 2
fi
dir=$1

# name  sha256-of-decompressed-data  decompressed-bytes
files="train-images-idx3-ubyte ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db 47040016
train-labels-idx1-ubyte 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5 60008
t10k-images-idx3-ubyte 0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7 7840016
t10k-labels-idx1-ubyte ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2 10008"

mirrors="${MNIST_MIRRORS:-https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist http://yann.lecun.com/exdb/mnist}"

sha256_of() { # file -> sha256 of its decompressed content (plain files are read as is)
  case "$1" in
    *.gz) gzip -dc "$1" | sha256sum | cut -c1-64 ;;
    *) sha256sum < "$1" | cut -c1-64 ;;
  esac
}

check() { # name sum -> 0 if DIR has a good copy (gz or plain)
  for f in "$dir/$1.gz" "$dir/$1"; do
    if [ -f "$f" ]; then
      got=$(sha256_of "$f" 2>/dev/null || echo "unreadable")
      if [ "$got" = "$2" ]; then echo "ok       $f"; return 0; fi
      echo "BAD      $f: sha256 of data $got, expected $2" >&2
      return 1
    fi
  done
  echo "MISSING  $dir/$1.gz" >&2
  return 1
}

fetch() { # url out
  if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then wget -q -O "$2" "$1"
  else echo "need curl or wget" >&2; return 1; fi
}

status=0
if [ $verify_only -eq 0 ]; then mkdir -p "$dir"; fi
echo "$files" | while read -r name sum size; do
  if [ $verify_only -eq 0 ] && ! check "$name" "$sum" >/dev/null 2>&1; then
    got=0
    for m in $mirrors; do
      tmp="$dir/.$name.gz.part"
      echo "fetching $m/$name.gz"
      if fetch "$m/$name.gz" "$tmp" && [ "$(sha256_of "$tmp")" = "$sum" ]; then
        mv "$tmp" "$dir/$name.gz"; got=1; break
      fi
      echo "  failed or wrong checksum from $m" >&2
      rm -f "$tmp"
    done
    [ $got -eq 1 ] || { echo "could not download $name from any mirror" >&2; exit 1; }
  fi
  check "$name" "$sum" || exit 1
  : "$size"
done || status=1
if [ $status -ne 0 ]; then
  echo "MNIST in $dir is incomplete or corrupt" >&2
  exit 1
fi
echo "MNIST in $dir verified"
