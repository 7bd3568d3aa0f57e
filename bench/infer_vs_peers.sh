#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tinylite vs XNNPACK vs ONNX Runtime on the tutorial MNIST CNN, in one run on this machine:
# batch-1 latency and batch-64/256 throughput at 1 and 2 threads, medians over REPS interleaved
# repeats, and the ratio tinylite/peer (< 1 = tinylite faster). Not part of CI.
#   usage: bench/infer_vs_peers.sh            (env: REPS=3 NATIVE=0 BUILD=/tmp/tl-bench MODEL=...)
# tinylite runs the corpus' mnist-cnn-float-u8in-alankrantas.tflite (exactly the tutorial network,
# uint8 input cast to float); XNNPACK (Debian's libxnnpack, the TFLite CPU delegate's library, via the
# shared harness bench_xnn.c) and ONNX Runtime (npm onnxruntime-node, CPU EP) run the same layers with
# random weights, which does not change their speed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${TL_SHARED_DIR:-$ROOT/../shared}
BUILD=${BUILD:-/tmp/tl-bench-build}
REPS=${REPS:-3}
NATIVE=${NATIVE:-0}
MODEL=${MODEL:-$SHARED/tflite-corpus/models/mnist-cnn-float-u8in-alankrantas.tflite}
INT8_MODEL=${INT8_MODEL:-$ROOT/models/mnist_cnn_int8.tflite}
ORT_DIR=${ORT_DIR:-$HOME/.cache/peers/ort}
ORT_VERSION=${ORT_VERSION:-1.30.0}
CONFIGS=${CONFIGS:-"1:1 1:2 64:1 64:2 256:1 256:2"}   # batch:threads
log() { echo "# $*" >&2; }

# ---- build tinylite (-O3; the run-time dispatch picks the SIMD kernels without -march=native) ----
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTL_BUILD_BENCH=ON -DTL_BUILD_TESTS=OFF \
  -DTL_BUILD_TOOLS=OFF -DTL_NATIVE=$([ "$NATIVE" = 1 ] && echo ON || echo OFF) >/dev/null
cmake --build "$BUILD" -j2 --target bench_infer >/dev/null
TL="$BUILD/bench/bench_infer"

# ---- XNNPACK: Debian's library and the shared harness, built here (the shared folder stays read-only) ----
XNN=""
if [ -f "$SHARED/tools/xnnpack/bench_xnn.c" ]; then
  bash "$SHARED/tools/xnnpack/setup.sh" >/dev/null 2>&1 || log "xnnpack setup failed"
  if gcc -O2 -std=gnu11 -o "$BUILD/bench_xnn" "$SHARED/tools/xnnpack/bench_xnn.c" -lXNNPACK -lpthreadpool -lm -lpthread \
      2>/dev/null; then XNN="$BUILD/bench_xnn"; else log "XNNPACK harness did not build: skipped"; fi
fi

# ---- ONNX Runtime: npm onnxruntime-node, and the same network written as ONNX ----
ORT=""
if command -v node >/dev/null; then
  if ! node -e "require('$ORT_DIR/node_modules/onnxruntime-node')" 2>/dev/null; then
    mkdir -p "$ORT_DIR"
    (cd "$ORT_DIR" && { [ -f package.json ] || npm init -y >/dev/null; } &&
     ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip \
       npm install --no-audit --no-fund "onnxruntime-node@$ORT_VERSION" >/dev/null 2>&1) || log "npm install failed"
  fi
  /usr/bin/python3 -c "import onnx, numpy" 2>/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-onnx python3-numpy >/dev/null 2>&1 || true
  if node -e "require('$ORT_DIR/node_modules/onnxruntime-node')" 2>/dev/null &&
     /usr/bin/python3 "$ROOT/bench/make_onnx_cnn.py" "$BUILD/mnist_cnn.onnx" >/dev/null; then
    ORT="$BUILD/mnist_cnn.onnx"
  else
    log "ONNX Runtime not available: skipped"
  fi
fi

iters_for() { case $1 in 1) echo 2000 ;; 64) echo 100 ;; *) echo 30 ;; esac; }
warm_for() { case $1 in 1) echo 200 ;; 64) echo 5 ;; *) echo 3 ;; esac; }
med_of() { sed -n 's/.*median_us=\([0-9.]*\).*/\1/p'; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs ($(lscpu | sed -n 's/^Core(s) per socket: *//p') cores/socket, $(lscpu | sed -n 's/^Thread(s) per core: *//p') threads/core)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "tinylite: $("$TL" "$MODEL" --iters 1 --warmup 0 | sed -n 's/.*isa=\([a-z0-9_]*\).*/\1/p') microkernels, -O3$([ "$NATIVE" = 1 ] && echo ' -march=native')"
[ -n "$XNN" ] && echo "XNNPACK: Debian libxnnpack0 $(dpkg-query -W -f='${Version}' libxnnpack0 2>/dev/null)"
[ -n "$ORT" ] && echo "ONNX Runtime: onnxruntime-node $(node -p "require('$ORT_DIR/node_modules/onnxruntime-node/package.json').version")"
declare -A R
for rep in $(seq 1 "$REPS"); do
  for cfg in $CONFIGS; do
    b=${cfg%:*} t=${cfg#*:} it=$(iters_for "${cfg%:*}") wu=$(warm_for "${cfg%:*}")
    R[tl,$cfg]+="$("$TL" "$MODEL" --batch "$b" --threads "$t" --iters "$it" --warmup "$wu" | med_of) "
    [ -n "$XNN" ] && R[xnn,$cfg]+="$("$XNN" --dtype f32 --batch "$b" --threads "$t" --iters "$it" --warmup "$wu" 2>/dev/null | grep '^RESULT' | med_of) "
    [ -n "$ORT" ] && R[ort,$cfg]+="$(node "$ROOT/bench/bench_ort.js" "$ORT" "$b" "$t" "$it" "$wu" | med_of) "
    log "rep $rep batch $b threads $t done"
  done
  # int8: the default int8 model (per-channel convolutions) against XNNPACK's qc8 network, batch 1, 1 thread
  R[tl,int8]+="$("$TL" "$INT8_MODEL" --iters 2000 --warmup 200 | med_of) "
  [ -n "$XNN" ] && R[xnn,int8]+="$("$XNN" --dtype qc8 --batch 1 --threads 1 --iters 2000 --warmup 200 2>/dev/null | grep '^RESULT' | med_of) "
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); else print "nan"}'; }
echo
printf "%-7s %-7s | %12s %12s %12s | %10s %10s\n" batch threads "tinylite us" "XNNPACK us" "ORT us" "tl/XNNPACK" "tl/ORT"
for cfg in $CONFIGS; do
  b=${cfg%:*} t=${cfg#*:}
  tl=$(echo "${R[tl,$cfg]:-}" | median); xn=$(echo "${R[xnn,$cfg]:-}" | median); ort=$(echo "${R[ort,$cfg]:-}" | median)
  awk -v b="$b" -v t="$t" -v tl="$tl" -v xn="$xn" -v o="$ort" 'BEGIN {
    r1 = (xn == "nan") ? "n/a" : sprintf("%.2f", tl / xn); r2 = (o == "nan") ? "n/a" : sprintf("%.2f", tl / o);
    printf "%-7s %-7s | %12.1f %12s %12s | %10s %10s\n", b, t, tl, xn == "nan" ? "n/a" : sprintf("%.1f", xn),
           o == "nan" ? "n/a" : sprintf("%.1f", o), r1, r2 }'
done
tl8=$(echo "${R[tl,int8]:-}" | median); xn8=$(echo "${R[xnn,int8]:-}" | median)
echo "int8 batch 1, 1 thread: tinylite $tl8 us ($(basename "$INT8_MODEL")), XNNPACK qc8 $xn8 us"
echo "(median of $REPS repeat medians of per-call time; batch > 1: per call, divide by the batch for per image)"
# Machine-readable ratios, tinylite time / peer time.
for cfg in $CONFIGS; do
  b=${cfg%:*} t=${cfg#*:}
  tl=$(echo "${R[tl,$cfg]:-}" | median); xn=$(echo "${R[xnn,$cfg]:-}" | median); ort=$(echo "${R[ort,$cfg]:-}" | median)
  [ "$xn" != nan ] && awk -v a="$tl" -v b="$xn" -v n="f32_b${b}_t${t}_xnnpack" 'BEGIN { printf "RATIO %s %.3f\n", n, a / b }'
  [ "$ort" != nan ] && awk -v a="$tl" -v b="$ort" -v n="f32_b${b}_t${t}_ort" 'BEGIN { printf "RATIO %s %.3f\n", n, a / b }'
done
[ "$xn8" != nan ] && awk -v a="$tl8" -v b="$xn8" 'BEGIN { printf "RATIO int8_b1_t1_xnnpack %.3f\n", a / b }'
true
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
