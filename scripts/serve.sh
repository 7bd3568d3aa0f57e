#!/usr/bin/env bash
# One command for the app: builds tinylite (library + CLI) and the WebAssembly app, then serves the
# app on localhost with http-server (npm, installed by scripts/setup.sh) and prints its URL.
#
# usage: scripts/serve.sh [--port N] [web/build.sh options: --model-float F --model-dynamic F ...]
#   PORT (default 8080) and HOST (default 127.0.0.1) may also come from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${PORT:-8080}
host=${HOST:-127.0.0.1}
build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) build_args+=("$1"); shift ;;
  esac
done

if [ ! -x node_modules/.bin/http-server ] || ! command -v emcmake >/dev/null 2>&1; then
  echo "serve: installing what is missing (scripts/setup.sh)"
  bash scripts/setup.sh
fi

echo "== building tinylite (build/) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"

echo "== building the web app (build-web/) =="
web/build.sh --out "$root/build-web" "${build_args[@]+"${build_args[@]}"}"

echo
echo "tinylite app: http://$host:$port/   (Ctrl-C stops the server)"
echo
exec node_modules/.bin/http-server "$root/build-web/dist" -a "$host" -p "$port" -c-1
