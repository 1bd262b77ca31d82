#!/usr/bin/env bash
# cmake --install into a fresh prefix, then checks what a user of the
# installed tree relies on: the files, libpsp-core's soname and exported
# symbols, headers that need nothing beyond libc, and installed programs that
# find the installed workloads with no environment variable; with the man
# pages, the manual they name, their examples (commands of that manual) and
# psp-sim's OUTPUT COLUMNS (what it writes).
#   layout.sh BUILD_DIR PREFIX VERSION ENGINE(ON|OFF) DOCS(ON|OFF) ABI
set -euo pipefail
build=$1 prefix=$2 version=$3 engine=$4 docs=$5 abi=$6
# the library's file version: the interface number, then the release's minor.patch
libversion=$abi.${version#*.}
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
cd "$prefix"
libdir=$(dirname "$(find . -name 'libpsp-core.so' | head -1)")
[ "$libdir" != . ] || fail "no libpsp-core.so installed"

need=(bin/psp-sim share/psp/workloads/high-bimodal.yml include/psp/policy.h
      "$libdir/libpsp-core.so.$libversion" "$libdir/libpsp-core.a"
      "$libdir/pkgconfig/psp-core.pc" "$libdir/cmake/psp/pspConfig.cmake"
      share/bash-completion/completions/psp-sim share/bash-completion/completions/psp-sweep
      share/bash-completion/completions/psp-plot
      share/psp/systems/persephone-testbed.yml bin/psp-plot share/psp/python/psp_plot.py)
[ "$engine" = ON ] && need+=(bin/psp-engine bin/psp-client share/psp/configs/engine-memif.yml
                             share/bash-completion/completions/psp-engine
                             share/bash-completion/completions/psp-client)
if [ "$docs" = ON ]; then
  need+=(share/man/man1/psp-sim.1 share/man/man1/psp-sweep.1 share/man/man1/psp-plot.1
         share/man/man5/psp-workload.5
         share/doc/psp/README.md share/doc/psp/CONTRIBUTING.md)
  [ "$engine" = ON ] && need+=(share/man/man1/psp-engine.1 share/man/man1/psp-client.1)
fi
for f in "${need[@]}"; do [ -e "$f" ] || fail "$f not installed"; done
[ -e include/psp/workload.h ] && fail "the workload loader's header (GSL, libyaml) is installed"

soname=$(readelf -d "$libdir/libpsp-core.so.$libversion" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libpsp-core.so.$abi" ] || fail "soname is '$soname', want libpsp-core.so.$abi"
readelf -d "$libdir/libpsp-core.so.$libversion" | grep -q TEXTREL && fail "libpsp-core.so has text relocations (not PIC)"

# The public headers include the C library's headers and each other, nothing else.
bad=$(grep -h '#include' include/psp/*.h | grep -vE '#include <(std[a-z]*|psp/[a-z_]+)\.h>' || true)
[ -z "$bad" ] || fail "public headers include more than libc: $bad"

# Exported: only psp_ names, each declared in an installed header.
syms=$(nm -D --defined-only "$libdir/libpsp-core.so.$libversion" | awk '{print $3}')
[ -n "$syms" ] || fail "libpsp-core.so exports nothing"
for s in $syms; do
  [[ $s == psp_* ]] || fail "libpsp-core.so exports $s (not psp_-prefixed)"
  grep -qw "$s" include/psp/*.h || fail "libpsp-core.so exports $s, which no public header declares"
done

# Installed programs: the installed workloads, no PSP_WORKLOAD_PATH.
unset PSP_WORKLOAD_PATH
real=$(cd share/psp/workloads && pwd -P)
# (grep reads the whole listing: an early exit would SIGPIPE psp-sim under pipefail)
bin/psp-sim --list | grep -F "workloads (in $real)" > /dev/null || fail "installed psp-sim does not look in $real"
# ... and from a prefix moved after installation (the lookup is relative).
rm -rf "$prefix.moved" && cp -a "$prefix" "$prefix.moved"
moved=$(cd "$prefix.moved/share/psp/workloads" && pwd -P)
"$prefix.moved/bin/psp-sim" --list | grep -F "workloads (in $moved)" > /dev/null || fail "a moved psp-sim does not look in $moved"
# psp-plot finds its module relative to itself too: a figure from the moved prefix
"$prefix.moved/bin/psp-sim" --workload high-bimodal --policy cfcfs --load 0.5 --requests 2000 \
  --replications 1 --no-capacity --quiet --format csv -o "$prefix.moved/curve.csv" || fail "moved psp-sim --format csv"
"$prefix.moved/bin/psp-plot" slowdown "$prefix.moved/curve.csv" -o "$prefix.moved/s.svg" ||
  fail "a moved psp-plot cannot draw (its module: share/psp/python)"
grep -q 'id="psp-series-0"' "$prefix.moved/s.svg" || fail "a moved psp-plot drew no series"
rm -rf "$prefix.moved"
bin/psp-sim --version | grep -qx "psp-sim $version" || fail "psp-sim --version is not $version"
bin/psp-plot --version | grep -qx "psp-plot $version" || fail "psp-plot --version is not $version"
bin/psp-sim --workload high-bimodal --policy darc --load 0.5 --requests 20000 \
  --darc-samples 1000 --replications 1 --no-capacity --quiet >/dev/null || fail "installed psp-sim cannot run high-bimodal"
if [ "$engine" = ON ]; then
  for p in psp-engine psp-client; do # no EAL, no hugepages
    bin/$p --help >/dev/null || fail "$p --help"
    bin/$p --version | grep -qx "$p $version" || fail "$p --version is not $version"
  done
fi
if [ "$docs" = ON ]; then
  doc=share/doc/psp
  for page in share/man/man1/*.1 share/man/man5/*.5; do
    # every manual page a man page names is installed where it says
    for f in $(grep -o 'docs/[a-z-]*\.md' "$page" | sort -u); do
      [ -e "$doc/$f" ] || fail "$page names $f, not installed in $doc"
    done
  done
  for page in share/man/man1/*.1; do
    grep -q '^\.SH EXAMPLES' "$page" || fail "$page has no EXAMPLES section"
    grep -q '^\.SH "OUTPUT COLUMNS"' "$page" || fail "$page has no OUTPUT COLUMNS section"
    # each example is a command of the installed manual (whose blocks the doc tests run)
    n=0
    while IFS= read -r line; do
      n=$((n + 1))
      grep -rqF -- "$line" "$doc" || fail "$page: example not in the manual ($doc): $line"
    done < <(sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$page" | sed -n '/^\.nf/,/^\.fi/p' |
             grep -v '^\.' | sed 's/\\e/\\/g; s/\\-/-/g')
    [ "$n" -gt 0 ] || fail "$page: no example command"
  done
  # psp-sim's OUTPUT COLUMNS are the CSV header it writes
  header=$(bin/psp-sim --workload high-bimodal --policy cfcfs --load 0.5 --requests 2000 \
    --replications 1 --no-capacity --quiet --format csv | sed -n 1p)
  sed -n '/^\.SH "OUTPUT COLUMNS"/,/^\.SH/p' share/man/man1/psp-sim.1 | grep -qxF -- "$header" ||
    fail "psp-sim(1)'s OUTPUT COLUMNS do not list the columns psp-sim writes: $header"
  need+=($(find "$doc" -name '*.md'))
fi
echo "installed in $prefix: ${#need[@]} files checked, $(echo "$syms" | wc -w) exported symbols"
