#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The library's layers point one way: core <- format <- kernels <- runtime <- compat. Fails, naming
# the file and what it uses, when a layer includes a header of a layer above it, when its object
# files (in BUILD, a configured build directory) use a symbol defined by a layer above it, or when
# code outside src/kernels/simd/ is CPU-specific (ISA macros, intrinsics headers, target attributes).
# Usage: scripts/check-layers.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
layers=(core format kernels runtime compat)
rank() { local i; for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
bad=0

# Headers: a quoted include that resolves into src/<layer>/ must not rank above the including file.
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
  own=$(rank "$(echo "$f" | cut -d/ -f2)")
  [ "$own" -ge 0 ] || continue
  while read -r inc; do
    target=$(realpath -m --relative-to=. "$(dirname "$f")/$inc")
    [ -e "$target" ] || target="src/$inc"
    [ -e "$target" ] || continue
    other=$(rank "$(echo "$target" | cut -d/ -f2)")
    if [ "$other" -gt "$own" ]; then
      echo "$f includes $target: ${layers[$own]} may not use ${layers[$other]}" >&2
      bad=1
    fi
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done

# Symbols: what each layer's objects leave undefined must not be defined by a layer above it.
objs() { find "$build/CMakeFiles/tl_$1.dir" -name '*.o' 2>/dev/null; }
for i in "${!layers[@]}"; do
  [ -n "$(objs "${layers[$i]}")" ] || { echo "no objects of tl_${layers[$i]} in $build: build first" >&2; exit 1; }
done
for i in "${!layers[@]}"; do
  for ((j = i + 1; j < ${#layers[@]}; j++)); do
    used=$(nm -u $(objs "${layers[$i]}") | awk 'NF == 2 {print $2}' | sort -u)
    defined=$(nm --defined-only $(objs "${layers[$j]}") | awk 'NF == 3 && $2 ~ /[TDBRC]/ {print $3}' | sort -u)
    for sym in $(comm -12 <(echo "$used") <(echo "$defined")); do
      echo "${layers[$i]} uses $sym, defined by ${layers[$j]}" >&2
      bad=1
    done
  done
done
# CPU-specific code lives under src/kernels/simd/ only.
for f in $(git ls-files 'src/*.c' 'src/*.h' | grep -v '^src/kernels/simd/'); do
  if grep -nE '__x86_64__|__i386__|__aarch64__|__ARM_NEON|__wasm_simd128__|immintrin\.h|arm_neon\.h|__builtin_cpu_|target\("' "$f" >/dev/null; then
    echo "$f: CPU-specific code outside src/kernels/simd/" >&2
    bad=1
  fi
done
[ "$bad" = 0 ] && echo "layers point one way: ${layers[*]}; CPU-specific code only in src/kernels/simd/"
exit "$bad"
