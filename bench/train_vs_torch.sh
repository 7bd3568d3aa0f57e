#!/usr/bin/env bash
# Training throughput, tinylite vs PyTorch, in one go on the same machine: the tutorial CNN,
# batch 32, Adam, the same thread count. Runs are interleaved (tinylite, torch, tinylite, ...)
# so background load hits both alike; prints images/s per run, the medians and the ratio.
# The machine is shared: each run reports the foreign load during it (cores busy with other
# processes, from /proc/stat minus the run's own CPU time), and --wait-quiet S waits up to S
# seconds before each run for the other processes to use < 0.15 cores.
# usage: bench/train_vs_torch.sh [--threads N] [--images N] [--reps N] [--batch N] [--wait-quiet S]
# env: TINYLITE (binary, default build/tinylite), MNIST_DIR, TORCH_ORT (PyTorch reference dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
threads=2 images=12800 reps=3 batch=32 quiet=0
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --images) images=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --wait-quiet) quiet=$2; shift 2 ;;
    *) echo "usage: $0 [--threads N] [--images N] [--reps N] [--batch N] [--wait-quiet S]" >&2; exit 2 ;;
  esac
done
# busy CPU time of the whole machine in 1/100 s (user nice system irq softirq steal)
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
now() { date +%s.%N; }
wait_quiet() { # waits up to $1 s for < 0.15 foreign cores over a 1 s probe
  local t0 b0 fc
  t0=$(now)
  while :; do
    b0=$(busy); sleep 1
    fc=$(awk -v a="$b0" -v b="$(busy)" 'BEGIN{printf "%.2f", (b - a) / 100}')
    if awk -v f="$fc" -v t0="$t0" -v t="$(now)" -v m="$1" 'BEGIN{exit !(f < 0.15 || t - t0 >= m)}'; then
      return
    fi
  done
}
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

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

tl_rates=() torch_rates=() tl_quiet=() torch_quiet=()
for r in $(seq 1 "$reps"); do
  # tinylite: one epoch over the first $images training images, the same work as PyTorch's
  # (no augmentation); the epoch time excludes data loading and the test evaluation (as
  # PyTorch's timing excludes them)
  [ "$quiet" = 0 ] || wait_quiet "$quiet"
  b0=$(busy) t0=$(now)
  /usr/bin/time -f "%U %S" -o "$tmp/tl.time" \
    "$bin" train --data "$mnist" --epochs 1 --train-limit "$images" --test-limit 100 --batch-size "$batch" \
      --no-augment --threads "$threads" --seed "$r" --quiet --out "$tmp/m.ckpt" --ckpt "$tmp/s.ckpt" \
      >"$tmp/tl.log" 2>"$tmp/tl.err" || { cat "$tmp/tl.err" >&2; exit 1; }
  fc=$(awk -v a="$b0" -v b="$(busy)" -v t0="$t0" -v t="$(now)" -v u="$(cat "$tmp/tl.time")" \
    'BEGIN{split(u, x, " "); f = ((b - a) / 100 - x[1] - x[2]) / (t - t0); printf "%.2f", f < 0 ? 0 : f}')
  v=$(sed -n 's/.*(\([0-9.]*\) img\/s).*/\1/p' "$tmp/tl.log" | head -1)
  sg=$(sed -n 's/.*sgemm \([a-z0-9]*\).*/\1/p' "$tmp/tl.err" | head -1)
  tl_rates+=("$v")
  awk -v f="$fc" 'BEGIN{exit !(f < 0.15)}' && tl_quiet+=("$v")
  echo "run $r: tinylite ($sg) $v img/s (foreign load during it: $fc cores)"
  # (bench_train.py waits for quiet itself, after its warm-up steps, right before timing)
  MNIST_DIR="$mnist" PEERS_OUT="$tmp" /usr/bin/python3 "$torch_dir/bench_train.py" --batches "$batch" \
      --images "$images" --reps 1 --threads "$threads" --wait-quiet "$quiet" --tag tlbench >"$tmp/torch.log" 2>&1 \
    || { cat "$tmp/torch.log" >&2; exit 1; }
  v=$(sed -n 's/.*"img_per_s": \([0-9.]*\).*/\1/p' "$tmp/torch.log" | head -1)
  fc=$(sed -n 's/.*"foreign_cores": \([0-9.]*\).*/\1/p' "$tmp/torch.log" | head -1)
  torch_rates+=("$v")
  awk -v f="${fc:-9}" 'BEGIN{exit !(f < 0.15)}' && torch_quiet+=("$v")
  echo "run $r: pytorch $v img/s (foreign load during it: ${fc:-?} cores)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mt=$(median "${tl_rates[@]}") mp=$(median "${torch_rates[@]}")
echo "median: tinylite $mt img/s, pytorch $mp img/s, ratio tinylite/pytorch $(awk -v a="$mt" -v b="$mp" 'BEGIN{printf "%.2f", a/b}')x"
# the runs other processes left alone say more than the median of all
if [ ${#tl_quiet[@]} -gt 0 ] && [ ${#torch_quiet[@]} -gt 0 ]; then
  qt=$(median "${tl_quiet[@]}") qp=$(median "${torch_quiet[@]}")
  echo "quiet runs only (foreign load < 0.15 cores): tinylite $qt img/s (${#tl_quiet[@]} runs), pytorch $qp img/s" \
    "(${#torch_quiet[@]} runs), ratio $(awk -v a="$qt" -v b="$qp" 'BEGIN{printf "%.2f", a/b}')x"
else
  echo "quiet runs only: not enough runs with foreign load < 0.15 cores (try --wait-quiet 300)"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
