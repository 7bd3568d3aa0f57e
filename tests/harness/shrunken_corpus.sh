#!/usr/bin/env bash
# Runs COMMAND with TL_CORPUS_DIR pointing at a copy of the corpus (links) whose golden/INDEX.json
# lacks one model of the given quantization kind: the pinned counts must make it fail.
# usage: shrunken_corpus.sh KIND COMMAND [ARG...]
set -u
kind=$1; shift
corpus=${TL_CORPUS_DIR:-${TL_SHARED_DIR:-../shared}/tflite-corpus}
[ -f "$corpus/golden/INDEX.json" ] || { echo "skipped: corpus not found at $corpus"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/golden"
ln -s "$(cd "$corpus" && pwd)/models" "$tmp/models"
ln -s "$(cd "$corpus" && pwd)/MANIFEST.json" "$tmp/MANIFEST.json"
for d in "$corpus"/golden/*/; do ln -s "$(cd "$d" && pwd)" "$tmp/golden/$(basename "$d")"; done
python3 - "$corpus/golden/INDEX.json" "$tmp/golden/INDEX.json" "$kind" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1]))
models = idx["models"]
drop = next(k for k, e in models.items() if e.get("quantization_kind") == sys.argv[3] and e.get("golden"))
del models[drop]
json.dump(idx, open(sys.argv[2], "w"))
print("dropped", drop)
PY
TL_CORPUS_DIR=$tmp "$@"
