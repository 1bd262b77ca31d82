#!/usr/bin/env bash
# Builds the Debian packages (debian/) from a copy of the tree, installs them,
# and checks the installed psp as a user would meet it: psp-sim from
# /usr/bin on high-bimodal with DARC, psp-plot drawing its CSV, the man pages,
# the bash completion, and
# the embed example built against libpsp-core-dev through pkg-config.  Then
# purges them, unless they were installed before or --keep is given.
# Root (or sudo); needs what tools/setup.sh installs.
#   tools/package-test.sh [--keep]      (.debs are left in $PSP_DEB_DIR if set)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
keep=false
[ "${1:-}" = "--keep" ] && keep=true
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); }
packages=(psp psp-engine libpsp-core1 libpsp-core-dev)

# One version: CMakeLists.txt's project() and debian/changelog (native).
want=$(sed -n 's/^project(psp VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
have=$(dpkg-parsechangelog -l debian/changelog -S Version)
[ "$have" = "$want" ] || fail "debian/changelog says $have, CMakeLists.txt $want"; ok

work=$(mktemp -d /tmp/psp-package.XXXXXX)
installed_before=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${packages[@]}" 2>/dev/null |
                   awk '$1 == "installed" { printf "%s ", $2 }' || true)
cleanup() {
  if ! $keep && [ -z "$installed_before" ]; then
    $SUDO apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
  fi
  [ -n "${PSP_DEB_DIR:-}" ] && cp "$work"/*.deb "$PSP_DEB_DIR"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# dpkg-buildpackage writes into the tree and beside it: build a copy.
mkdir "$work/psp"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -C "$work/psp" -xf -
start=$(date +%s)
(cd "$work/psp" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)" DEB_BUILD_PROFILES=nocheck \
  dpkg-buildpackage -b -us -uc) \
  >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; fail "dpkg-buildpackage (log above)"; }
ok
echo "package-test: built in $(($(date +%s) - start)) s:" "$(cd "$work" && ls ./*.deb | xargs -n1 basename | tr '\n' ' ')"

[ -z "$installed_before" ] || echo "package-test: already installed, left installed afterwards: $installed_before"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$work"/*.deb >/dev/null
ok
dpkg-query -W -f='package-test: installed ${Package} ${Version}, ${Installed-Size} KiB\n' "${packages[@]}"

unset PSP_WORKLOAD_PATH
[ "$(command -v psp-sim)" = /usr/bin/psp-sim ] || fail "psp-sim is not /usr/bin/psp-sim"
cd "$work"
start=$(date +%s)
/usr/bin/psp-sim --workload high-bimodal --policy darc >sim.out 2>sim.err ||
  { cat sim.err; fail "/usr/bin/psp-sim --workload high-bimodal --policy darc"; }
grep -q '^Capacity' sim.out || { cat sim.out; fail "psp-sim printed no capacity"; }
ok
echo "package-test: /usr/bin/psp-sim --workload high-bimodal --policy darc: $(($(date +%s) - start)) s, $(wc -l <sim.out) lines"
for p in psp-engine psp-client; do
  /usr/bin/$p --version | grep -qx "$p $want" || fail "/usr/bin/$p --version"
done; ok

# psp-plot from /usr/bin, its module from /usr/share/psp/python, pandas and
# matplotlib from the package's dependencies: a figure from psp-sim's CSV
[ "$(command -v psp-plot)" = /usr/bin/psp-plot ] || fail "psp-plot is not /usr/bin/psp-plot"
/usr/bin/psp-plot --version | grep -qx "psp-plot $want" || fail "/usr/bin/psp-plot --version"
/usr/bin/psp-sim --workload high-bimodal --policy cfcfs,darc --load 0.5,0.9 --requests 20000 \
  --darc-samples 2000 --replications 1 --no-capacity --format csv --quiet -o curve.csv ||
  fail "/usr/bin/psp-sim --format csv"
/usr/bin/psp-plot slowdown curve.csv --slo 20 -o slowdown.png 2>plot.err ||
  { cat plot.err; fail "/usr/bin/psp-plot slowdown curve.csv"; }
[ "$(head -c 8 slowdown.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
  fail "/usr/bin/psp-plot wrote no PNG"
/usr/bin/psp-plot slowdown curve.csv -o slowdown.svg || fail "/usr/bin/psp-plot slowdown -o slowdown.svg"
[ "$(grep -o 'id="psp-series-[0-9]*"' slowdown.svg | sort -u | wc -l)" -eq 2 ] ||
  fail "/usr/bin/psp-plot's SVG does not hold the 2 policies' series"
rc=0; /usr/bin/psp-plot slowdown /dev/null -o x.png 2>/dev/null || rc=$? # (set -e)
[ $rc -eq 2 ] || fail "/usr/bin/psp-plot accepted an empty CSV (exit $rc, want 2)"
ok
echo "package-test: /usr/bin/psp-plot slowdown: $(stat -c %s slowdown.png) bytes of PNG"

for page in man1/psp-sim.1 man1/psp-plot.1 man1/psp-engine.1 man1/psp-client.1 man5/psp-workload.5; do
  [ -f /usr/share/man/$page.gz ] || fail "no /usr/share/man/$page.gz"
done
zcat /usr/share/man/man5/psp-workload.5.gz | grep bounded_pareto > /dev/null || fail "psp-workload(5) lacks the distributions"; ok
# the manual the man pages name, uncompressed where they say it is
for page in /usr/share/man/man1/psp-*.1.gz; do
  for f in $(zcat "$page" | grep -o 'docs/[a-z-]*\.md' | sort -u); do
    [ -f "/usr/share/doc/psp/$f" ] || fail "$page names /usr/share/doc/psp/$f, not installed"
  done
done
[ -f /usr/share/doc/psp/README.md ] || fail "no /usr/share/doc/psp/README.md"; ok

for p in psp-sim psp-sweep psp-engine psp-client psp-plot; do
  [ -f /usr/share/bash-completion/completions/$p ] || fail "no completion for $p"
done
comp=/usr/share/bash-completion/completions/psp-sim
got=$(bash -c 'source "$0"; COMP_WORDS=(psp-sim --policy cf); COMP_CWORD=2; _psp; echo "${COMPREPLY[@]}"' $comp)
[ "$got" = cfcfs ] || fail "completing 'psp-sim --policy cf' gives '$got', not cfcfs"
comp=/usr/share/bash-completion/completions/psp-engine
got=$(bash -c 'source "$0"; COMP_WORDS=(psp-engine --policy cf); COMP_CWORD=2; _psp; echo "${COMPREPLY[@]}"' $comp)
[ "$got" = cfcfs ] || fail "completing 'psp-engine --policy cf' gives '$got', not cfcfs"; ok

cp /usr/share/doc/libpsp-core-dev/examples/* .
[ "$(pkg-config --modversion psp-core)" = "$want" ] || fail "pkg-config psp-core is not $want"
make -s CFLAGS="-O2 -std=c11 -pedantic -Wall -Wextra -Werror" >/dev/null
./embed | grep -qE '^reservation at [0-9.]+ ms: SHORT: cores 0 ' || fail "the embed example reserved nothing"; ok
echo "package-test: $SECONDS s in all"
echo "package-test: $passed passed, 0 failed"
