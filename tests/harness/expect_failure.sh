#!/usr/bin/env bash
# Runs a test command that must FAIL (not pass, not skip): a non-zero exit other than 77, and the
# closing "N passed, N failed" line, when there is one, with N failed > 0. Used to show that a
# check can fail: a fake reference with wrong bytes, a shrunken corpus, a case name that matches nothing.
# usage: expect_failure.sh WHY COMMAND [ARG...]   (env: what the command needs)
set -u
why=$1; shift
out=$("$@" 2>&1); rc=$?
if [ $rc = 0 ] || [ $rc = 77 ]; then
  echo "expected a failure ($why), got exit $rc:"; echo "$out" | tail -20; exit 1
fi
if echo "$out" | grep -Eq '^[0-9]+ passed, 0 failed'; then
  echo "expected failed cases ($why), got:"; echo "$out" | tail -20; exit 1
fi
echo "$out" | tail -5
echo "fails as it must ($why): exit $rc"
