#!/usr/bin/env bash
# One command for the app: builds tinylite (library + CLI) and the WebAssembly app, then serves the
# app on localhost with http-server (npm, installed by scripts/setup.sh) and prints its URL.
#
# usage: scripts/serve.sh [--port N] [web/build.sh options: --model-float F --model-dynamic F ...]
#   PORT (default 8080) and HOST (default 127.0.0.1) may also come from the environment, and so may
#   BUILD_DIR (the C build, default build) and WEB_DIR (the web build, default build-web).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=${PORT:-8080}
host=${HOST:-127.0.0.1}
build_dir=${BUILD_DIR:-build}
web_dir=${WEB_DIR:-build-web}
case "$web_dir" in /*) ;; *) web_dir=$root/$web_dir ;; esac
build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) build_args+=("$1"); shift ;;
  esac
done

bash scripts/setup.sh # idempotent: installs only what is missing

echo "== building tinylite ($build_dir) =="
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j"$(nproc 2>/dev/null || echo 2)"

echo "== building the web app ($web_dir) =="
TL_TINYLITE="$build_dir/tinylite" web/build.sh --out "$web_dir" "${build_args[@]+"${build_args[@]}"}"

# The URL is printed once the server answers, not before.
NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--no-deprecation" node_modules/.bin/http-server "$web_dir/dist" \
  -a "$host" -p "$port" -c-1 --silent &
server=$!
trap 'kill "$server" 2>/dev/null' INT TERM EXIT
for _ in $(seq 1 200); do
  kill -0 "$server" 2>/dev/null || { echo "serve: http-server did not start (is port $port free?)" >&2; exit 1; }
  node -e "require('http').get('http://$host:$port/', () => process.exit(0)).on('error', () => process.exit(1))" &&
    break
  sleep 0.1
done
echo
echo "tinylite app: http://$host:$port/   (Ctrl-C stops the server)"
echo
wait "$server"
