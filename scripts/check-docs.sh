#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The docs check: every block of README.md, docs/*.md and models/README.md that follows a mark
#   <!-- check: COMMAND -->
# is what COMMAND prints now. The command runs in the repository root through bash, with TINYLITE
# (the tinylite binary) and MNIST_DIR set; invoke times vary from run to run, so "N ms/image" and a
# decimal number ending a line are compared as "T". With --update, blocks are rewritten from the
# commands instead (then review the diff). Numbers outside such blocks name the command or test
# that reproduces them in the text itself.
#   usage: scripts/check-docs.sh [--update]     (env: TINYLITE, default build/tinylite; MNIST_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
update=0
[ "${1:-}" = --update ] && update=1
export TINYLITE=${TINYLITE:-$PWD/build/tinylite}
export MNIST_DIR=${MNIST_DIR:-${TL_SHARED_DIR:-$PWD/../shared}/data/mnist}
[ -x "$TINYLITE" ] || { echo "check-docs: $TINYLITE not built (set TINYLITE)"; exit 2; }
if [ ! -d "$MNIST_DIR" ]; then
  echo "check-docs: skipped: MNIST not found at $MNIST_DIR (set MNIST_DIR)"
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi
mask() { sed -E 's/[0-9]+(\.[0-9]+)? ms\/image/T ms\/image/g; s/[0-9]+\.[0-9]+ *$/T/'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for doc in README.md docs/*.md models/README.md; do
  [ -f "$doc" ] || continue
  # Each mark: its line number and command; the block is the next fenced one after it.
  { grep -n "^<!-- check: .* -->$" "$doc" || true; } | tac >"$tmp/marks"
  while IFS= read -r mark; do
    line=${mark%%:*}
    cmd=${mark#*:<!-- check: }
    cmd=${cmd% -->}
    start=$(awk -v l="$line" 'NR > l && /^```/ { print NR; exit }' "$doc")
    end=$(awk -v s="$start" 'NR > s && /^```/ { print NR; exit }' "$doc")
    sed -n "$((start + 1)),$((end - 1))p" "$doc" >"$tmp/doc"
    if ! bash -c "$cmd" >"$tmp/now" 2>&1; then
      echo "FAIL $doc:$line: \`$cmd\` exited non-zero:"; tail -5 "$tmp/now"
      echo fail >>"$tmp/failures"; continue
    fi
    if [ $update = 1 ]; then
      { head -n "$start" "$doc"; cat "$tmp/now"; tail -n "+$end" "$doc"; } >"$tmp/new" && cat "$tmp/new" >"$doc"
      echo "updated $doc:$line"
    elif diff <(mask <"$tmp/doc") <(mask <"$tmp/now") >"$tmp/diff"; then
      echo "ok   $doc:$line: $cmd"
    else
      echo "FAIL $doc:$line: the block differs from what \`$cmd\` prints now (< doc, > now):"; cat "$tmp/diff"
      echo fail >>"$tmp/failures"
    fi
    echo >>"$tmp/checked"
  done <"$tmp/marks"
done
checked=0; [ -f "$tmp/checked" ] && checked=$(wc -l <"$tmp/checked")
failed=0; [ -f "$tmp/failures" ] && failed=$(wc -l <"$tmp/failures")
echo "$((checked - failed)) passed, $failed failed"
[ "$failed" = 0 ] && [ "$checked" -gt 0 ]
