#!/bin/sh
# End-to-end kill -9 test of `tinylite train`: a run killed with SIGKILL after its first epoch
# checkpoint, then continued with --resume, must export byte-identical weights to an uninterrupted
# run (1 thread, fixed seed). Also checks SIGINT writes a resumable checkpoint. Needs MNIST.
set -u
bin=$1
mnist=${MNIST_DIR:-${TL_MNIST_DEFAULT:-../shared/data/mnist}}
if [ ! -f "$mnist/train-labels-idx1-ubyte.gz" ] && [ ! -f "$mnist/train-labels-idx1-ubyte" ]; then
  [ "${CI:-}" = "true" ] && { echo "MNIST missing at $mnist and CI=true"; exit 1; }
  echo "MNIST not found at $mnist: skipped"; exit 77
fi
tmp=$(mktemp -d /tmp/tl_kill_resume.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
args="--data $mnist --net small --epochs 3 --train-limit 3000 --test-limit 500 --threads 1 --seed 7 --augment --quiet"

"$bin" train $args --out "$tmp/ref.ckpt" --ckpt "$tmp/ref.state" >/dev/null 2>"$tmp/ref.err" || { cat "$tmp/ref.err"; exit 1; }

# kill -9 as soon as the first epoch's checkpoint exists (mid-way through epoch 2)
"$bin" train $args --out "$tmp/b.ckpt" --ckpt "$tmp/b.state" >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -f "$tmp/b.state" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ -f "$tmp/b.state" ] || { echo "no checkpoint was written"; exit 1; }
"$bin" train --data "$mnist" --resume "$tmp/b.state" --threads 1 --quiet --out "$tmp/b.ckpt" \
  >/dev/null 2>"$tmp/b.err" || { cat "$tmp/b.err"; exit 1; }

# SIGINT mid-run: checkpoint saved, exit code 130, then resume
"$bin" train $args --out "$tmp/c.ckpt" --ckpt "$tmp/c.state" >/dev/null 2>"$tmp/c.err" &
pid=$!
i=0
while [ ! -f "$tmp/c.state" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc -ne 130 ] && [ $rc -ne 0 ]; then echo "SIGINT exit code $rc"; cat "$tmp/c.err"; exit 1; fi
"$bin" train --data "$mnist" --resume "$tmp/c.state" --threads 1 --quiet --out "$tmp/c.ckpt" \
  >/dev/null 2>"$tmp/c2.err" || { cat "$tmp/c2.err"; exit 1; }

# the final checkpoints differ in timing fields only: compare the exported weights
status=0
for x in b c; do
  if "$bin" train --data "$mnist" --resume "$tmp/ref.ckpt" --threads 1 --quiet --out "$tmp/ref.tflite" \
       --ckpt "$tmp/r.tmp" >/dev/null 2>&1 &&
     "$bin" train --data "$mnist" --resume "$tmp/$x.ckpt" --threads 1 --quiet --out "$tmp/$x.tflite" \
       --ckpt "$tmp/x.tmp" >/dev/null 2>&1; then
    cmp -s "$tmp/ref.tflite" "$tmp/$x.tflite" || { echo "run $x: weights differ from the uninterrupted run"; status=1; }
  else
    echo "export failed"; status=1
  fi
done
[ $status -eq 0 ] && echo "kill -9 / SIGINT resume: weights identical to the uninterrupted run"
exit $status
