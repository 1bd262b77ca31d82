#!/usr/bin/env bash
# libpsp-core's installed interface against the committed baseline
# (core/abi/libpsp-core.abi, docs/abi.md): fails when a type of the public
# headers or a function's signature changed, or a function went away, while
# the soname stayed the baseline's; and when the soname moved but the
# baseline was not refreshed.  Functions only added are compatible: they pass,
# with a note that the baseline lacks them.
#   check.sh LIBRARY HEADERS_DIR BASELINE SUPPRESSIONS
# Exits 77 (skipped) without abidw/abidiff (Debian: abigail-tools).
set -euo pipefail
lib=$1 headers=$2 baseline=$3 suppr=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in abidw abidiff; do
  command -v $t >/dev/null || { echo "SKIP: no $t (apt-get install abigail-tools)"; exit 77; }
done
[ -f "$baseline" ] || fail "$baseline: no baseline (docs/abi.md says how to make it)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The options of the baseline's dump (tests/abi.cmake, target abi-baseline).
abidw --headers-dir "$headers" --no-corpus-path --short-locs --no-comp-dir-path \
  --drop-private-types --drop-undefined-syms "$lib" >"$work/current.abi"

soname() { sed -n "s/.*<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$1" | head -1; }
was=$(soname "$baseline") now=$(soname "$work/current.abi")
[ -n "$now" ] || fail "$lib has no soname"
[ "$was" = "$now" ] || fail "the soname is $now, the baseline's $was: refresh the baseline" \
  "for the new interface (cmake --build BUILD --target abi-baseline; docs/abi.md)"

rc=0
abidiff --suppressions "$suppr" --no-added-syms "$baseline" "$work/current.abi" \
  >"$work/diff" || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$work/diff" >&2
  (( rc & 1 )) && fail "abidiff failed (exit $rc)"
  fail "libpsp-core's interface changed but its soname is still $now: undo the change, or" \
    "raise PSP_CORE_ABI in CMakeLists.txt and refresh the baseline (docs/abi.md)"
fi
rc=0
abidiff --suppressions "$suppr" "$baseline" "$work/current.abi" >"$work/added" || rc=$?
if [ "$rc" -ne 0 ]; then
  cat "$work/added"
  echo "note: functions added since the baseline (compatible); refresh it to include them"
fi
echo "libpsp-core ($now): the interface matches the baseline"
