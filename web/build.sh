#!/usr/bin/env bash
# Builds the web app: tinylite compiled to WebAssembly twice with emcmake (SIMD and baseline; the page
# picks one by feature detection), then the static site in OUT/dist with the chosen models copied in.
#
# usage: web/build.sh [--out DIR] [--model-float F] [--model-dynamic F] [--model-int8 F]
#   --out DIR   build directory (default build-web; the site is DIR/dist). Env: TL_WEB_OUT
#   --model-*   .tflite files to ship (env TL_WEB_MODEL_FLOAT/_DYNAMIC/_INT8); default: the project's
#               models/mnist_cnn_{float,dynamic,int8}.tflite when present, else corpus models from
#               ../shared/tflite-corpus (TL_SHARED_DIR). Models are copied into DIR/dist, never into
#               the source tree. Pass "none" to leave a kind out.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TL_WEB_OUT:-$root/build-web}
m_float=${TL_WEB_MODEL_FLOAT:-}
m_dynamic=${TL_WEB_MODEL_DYNAMIC:-}
m_int8=${TL_WEB_MODEL_INT8:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --model-float) m_float=$2; shift 2 ;;
    --model-dynamic) m_dynamic=$2; shift 2 ;;
    --model-int8) m_int8=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "web/build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

shared=${TL_SHARED_DIR:-$root/../shared}
corpus=$shared/tflite-corpus/models
first_file() { for f in "$@"; do if [ -f "$f" ]; then echo "$f"; return; fi; done; }
[ -n "$m_float" ] || m_float=$(first_file "$root/models/mnist_cnn_float.tflite" "$corpus/mnist-cnn-float-wcisang.tflite")
[ -n "$m_dynamic" ] || m_dynamic=$(first_file "$root/models/mnist_cnn_dynamic.tflite" "$corpus/mnist-cnn-dynrange-6th-kate.tflite")
[ -n "$m_int8" ] || m_int8=$(first_file "$root/models/mnist_cnn_int8.tflite" "$corpus/mnist-cnn-int8-jspkay.tflite")
if [ -z "$m_float$m_dynamic$m_int8" ]; then
  echo "web/build.sh: no model found: pass --model-float FILE (or put models/mnist_cnn_float.tflite in place)" >&2
  exit 1
fi

if ! command -v emcmake >/dev/null 2>&1; then
  echo "web/build.sh: emscripten is missing (emcmake not found): run scripts/setup.sh" >&2
  exit 1
fi
# Debian's emscripten runs its JS tools with node, which must find Debian's node-acorn.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
jobs=${TL_WEB_JOBS:-2}
mkdir -p "$out/logs"
# Only the ops the shipped models use (plus a base set for digit CNNs) are compiled in: the runtime
# stays small. TL_WEB_OPS=ALL keeps every op.
models_in=()
for m in "$m_float" "$m_dynamic" "$m_int8"; do [ -n "$m" ] && [ "$m" != none ] && models_in+=("$m"); done
# The ops come from the host build's own op table: tinylite info --ops-used (TL_TINYLITE, else the
# tool in TL_BUILD_DIR or build/).
base="CONV_2D;DEPTHWISE_CONV_2D;FULLY_CONNECTED;MAX_POOL_2D;AVERAGE_POOL_2D;RESHAPE;SOFTMAX;QUANTIZE;DEQUANTIZE;RELU;RELU6"
if [ -z "${TL_WEB_OPS:-}" ]; then
  tl=${TL_TINYLITE:-}
  [ -n "$tl" ] || { [ -n "${TL_BUILD_DIR:-}" ] && tl=$TL_BUILD_DIR/tinylite; } || true
  [ -x "${tl:-}" ] || tl=$root/build/tinylite
  if [ ! -x "$tl" ]; then
    echo "web/build.sh: no host tinylite tool ($tl) to list the models' ops: build it first (cmake -S . -B build && cmake --build build), set TL_TINYLITE, or set TL_WEB_OPS" >&2
    exit 1
  fi
  used=$("$tl" info --ops-used "${models_in[@]}")
  TL_WEB_OPS=$(printf '%s;%s' "$base" "$used" | tr ';' '\n' | awk 'NF && !seen[$0]++' | paste -sd';')
fi
ops=$TL_WEB_OPS
echo "web/build.sh: ops compiled in: $ops"

for variant in simd base; do
  flags=""
  [ "$variant" = simd ] && flags="-msimd128"
  dir=$out/wasm-$variant
  # Warnings are enforced by the host builds (-Werror); clang-only ones must not break packaging.
  emcmake cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=MinSizeRel -DTL_BUILD_TOOLS=OFF -DTL_BUILD_TESTS=OFF \
    -DTL_WERROR=ON -DTL_WEB_VARIANT=$variant -DCMAKE_C_FLAGS="$flags" "-DTL_WEB_OPS=$ops" >"$out/logs/cmake-$variant.log" 2>&1 ||
    { cat "$out/logs/cmake-$variant.log" >&2; exit 1; }
  cmake --build "$dir" --target tl_web -j"$jobs" >"$out/logs/build-$variant.log" 2>&1 ||
    { tail -40 "$out/logs/build-$variant.log" >&2; exit 1; }
done

node "$root/web/assemble.mjs" --out "$out/dist" --wasm "$out/wasm-simd/web" --wasm "$out/wasm-base/web" \
  --model "float=$m_float" --model "dynamic=$m_dynamic" --model "int8=$m_int8"
