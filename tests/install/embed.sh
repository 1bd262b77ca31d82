#!/usr/bin/env bash
# Builds examples/embed out of the tree against an installed psp (from
# layout.sh), through pkg-config or find_package, runs it and checks what it
# prints: DARC reserves a core for SHORT and cuts SHORT's mean slowdown below
# c-FCFS's, every request completes.
#   embed.sh pkgconfig|cmake SOURCE_DIR PREFIX WORK_DIR
set -euo pipefail
how=$1 src=$2/examples/embed prefix=$3 work=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$prefix" ] || fail "$prefix: nothing installed (the install.layout test sets it up)"
rm -rf "$work" && mkdir -p "$work"
libdir=$(dirname "$(find "$prefix/" -name 'libpsp-core.so' | head -1)")
flags="-O2 -std=c11 -pedantic -Wall -Wextra -Werror"

case $how in
pkgconfig)
  # The tree moved after installing, and PKG_CONFIG_PATH alone: psp-core.pc
  # finds its prefix from its own place.
  moved=$work/moved-prefix
  cp -a "$prefix" "$moved"
  libdir=$moved/${libdir#"$prefix"/}
  export PKG_CONFIG_PATH=$libdir/pkgconfig
  [ "$(pkg-config --variable=includedir psp-core)" -ef "$moved/include" ] ||
    fail "psp-core.pc does not follow the moved tree: includedir $(pkg-config --variable=includedir psp-core)"
  cp "$src/embed.c" "$src/Makefile" "$work/"
  make -s -C "$work" CFLAGS="$flags" >/dev/null
  run=("$work/embed")
  export LD_LIBRARY_PATH=$libdir ;;
cmake)
  cmake -S "$src" -B "$work" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$flags" >/dev/null
  cmake --build "$work" >/dev/null
  run=("$work/embed" "$work/embed-static")
  # Linked against the installed library, not the build tree's. Compared as
  # files (-ef), not as strings: the prefix may be reached through a symlink.
  used=$(ldd "$work/embed" | awk '$1 ~ /^libpsp-core[.]so/ { print $3 }')
  if ! [ -n "$used" ] || ! [ "$used" -ef "$libdir/$(basename "$used")" ]; then
    { ldd "$work/embed"; readelf -d "$work/embed" | grep -E 'RUNPATH|RPATH|NEEDED'; } >&2
    fail "embed does not use $libdir/libpsp-core.so: ldd says '${used:-nothing}'"
  fi ;;
*) fail "unknown way $how" ;;
esac

# SHORT's mean slowdown, from a run's output.
short_mean() { awk '$1 == "SHORT" { print $6 }' "$1"; }
for bin in "${run[@]}"; do
  "$bin" >"$work/darc.out" || fail "$bin failed"
  "$bin" cfcfs >"$work/cfcfs.out" || fail "$bin cfcfs failed"
  cat "$work/darc.out"
  grep -qx 'policy darc, 4 workers' "$work/darc.out" || fail "no policy line"
  grep -qE '^reservation at [0-9.]+ ms: SHORT: cores 0 ' "$work/darc.out" || fail "DARC reserved no core for SHORT"
  grep -qE '^completed 20000 of 20000 requests' "$work/darc.out" || fail "not every request completed"
  d=$(short_mean "$work/darc.out") c=$(short_mean "$work/cfcfs.out")
  awk -v d="$d" -v c="$c" 'BEGIN { exit !(d > 0 && d < c) }' ||
    fail "SHORT's mean slowdown: darc $d is not below cfcfs $c"
  if [ "$bin" = "${run[0]}" ]; then
    cp "$work/darc.out" "$work/darc.first"
  else
    cmp -s "$work/darc.out" "$work/darc.first" || fail "$bin prints differently from ${run[0]}"
  fi
done
echo "embed via $how: ${#run[@]} build(s) ok"
