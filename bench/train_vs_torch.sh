#!/usr/bin/env bash
# Training throughput, tinylite vs PyTorch, in one go on the same machine: the tutorial CNN,
# batch 32, Adam, the same thread count. Runs are interleaved (tinylite, torch, tinylite, ...)
# so background load hits both alike; prints images/s per run, the medians and the ratio.
# usage: bench/train_vs_torch.sh [--threads N] [--images N] [--reps N] [--batch N]
# env: TINYLITE (binary, default build/tinylite), MNIST_DIR, TORCH_ORT (PyTorch reference dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
threads=2 images=12800 reps=3 batch=32
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--images N] [--reps N] [--batch N]" >&2; exit 2 ;;
  esac
done
bin=${TINYLITE:-$here/build/tinylite}
mnist=${MNIST_DIR:-$here/../shared/data/mnist}
torch_dir=${TORCH_ORT:-$here/../shared/tools/torch-ort}
[ -x "$bin" ] || { echo "tinylite binary not found at $bin (build it, or set TINYLITE=...)" >&2; exit 1; }
[ -d "$mnist" ] || { echo "MNIST not found at $mnist (set MNIST_DIR; scripts/get_mnist.sh fetches it)" >&2; exit 1; }
[ -f "$torch_dir/bench_train.py" ] || { echo "PyTorch reference not found at $torch_dir (set TORCH_ORT)" >&2; exit 1; }
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  echo "Debian PyTorch missing: run bash $torch_dir/setup.sh" >&2; exit 1; }
tmp=$(mktemp -d /tmp/tl_bench_train.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo "machine: $cpu, $(nproc) CPUs; $(uname -sr)"
echo "threads $threads, batch $batch, $images timed images per run, $reps runs each"

tl_rates=() torch_rates=()
for r in $(seq 1 "$reps"); do
  # tinylite: one epoch over the first $images training images; the epoch time excludes data
  # loading and the test evaluation (as PyTorch's timing excludes them)
  "$bin" train --data "$mnist" --epochs 1 --train-limit "$images" --test-limit 100 --batch-size "$batch" --no-augment \
      --threads "$threads" --seed "$r" --quiet --out "$tmp/m.ckpt" --ckpt "$tmp/s.ckpt" >"$tmp/tl.log" 2>"$tmp/tl.err" \
    || { cat "$tmp/tl.err" >&2; exit 1; }
  v=$(sed -n 's/.*(\([0-9.]*\) img\/s).*/\1/p' "$tmp/tl.log" | head -1)
  sg=$(sed -n 's/.*sgemm \([a-z0-9]*\).*/\1/p' "$tmp/tl.err" | head -1)
  tl_rates+=("$v")
  echo "run $r: tinylite ($sg) $v img/s"
  MNIST_DIR="$mnist" PEERS_OUT="$tmp" /usr/bin/python3 "$torch_dir/bench_train.py" --batches "$batch" \
      --images "$images" --reps 1 --threads "$threads" --wait-quiet 0 --tag tlbench >"$tmp/torch.log" 2>&1 \
    || { cat "$tmp/torch.log" >&2; exit 1; }
  v=$(sed -n 's/.*"img_per_s": \([0-9.]*\).*/\1/p' "$tmp/torch.log" | head -1)
  fc=$(sed -n 's/.*"foreign_cores": \([0-9.]*\).*/\1/p' "$tmp/torch.log" | head -1)
  torch_rates+=("$v")
  echo "run $r: pytorch $v img/s (foreign load during it: ${fc:-?} cores)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mt=$(median "${tl_rates[@]}") mp=$(median "${torch_rates[@]}")
echo "median: tinylite $mt img/s, pytorch $mp img/s, ratio tinylite/pytorch $(awk -v a="$mt" -v b="$mp" 'BEGIN{printf "%.2f", a/b}')x"
