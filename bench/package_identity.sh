#!/usr/bin/env bash
# Usage: bench/package_identity.sh BEFORE_WORKTREE AFTER_WORKTREE OUT_DIR INPUT...
# Builds `scc package` from the same inputs with each worktree's .venv (same SOURCE_DATE_EPOCH and content)
# and compares the two packages byte for byte (diff -r). Prints IDENTICAL or the differing files.
set -uo pipefail
before=${1:?before worktree}; after=${2:?after worktree}; out=${3:?out dir}; shift 3
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795564800}
rm -rf "$out/before" "$out/after"; mkdir -p "$out"
for side in before after; do
  tree=$before; [ "$side" = after ] && tree=$after
  /usr/bin/time -f "$side: %e s wall, %U s user, %S s sys, %M KiB peak" \
    "$tree/.venv/bin/scc" package "$@" --out "$out/$side" --quiet >"$out/$side.log" 2>&1 || echo "$side: exit $?"
  tail -1 "$out/$side.log"
done
if diff -r "$out/before" "$out/after" >"$out/diff.txt"; then echo IDENTICAL; else echo DIFFERENT; head -20 "$out/diff.txt"; fi
