#!/usr/bin/env bash
# Installs everything a fresh Debian machine needs to build, test and serve tinylite: compilers and
# libraries (apt), emscripten and chromium for the web app, and the project's npm tools (http-server,
# playwright-core) into ./node_modules from package-lock.json. Idempotent: installs only what's missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# build: C toolchain, CMake, zlib (gzipped MNIST), libpng (tinylite classify);
# web: emscripten (the WebAssembly build), chromium + a font (browser tests, screenshots), node/npm.
apt_pkgs="build-essential cmake zlib1g-dev libpng-dev emscripten chromium fonts-dejavu-core"
command -v node >/dev/null 2>&1 || apt_pkgs="$apt_pkgs nodejs"
command -v npm >/dev/null 2>&1 || apt_pkgs="$apt_pkgs npm"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
missing=""
for p in $apt_pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
else
  echo "setup: Debian packages present"
fi

# npm tools, pinned by package-lock.json, installed only when absent or the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
   [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/http-server ]; then
  echo "setup: installing npm packages (package-lock.json) into node_modules"
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "setup: npm packages present"
fi
