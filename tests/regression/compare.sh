#!/usr/bin/env bash
# Runs the regression matrix (regen.sh) with PSP_SIM and compares it with the
# committed expected.csv: counts and every printed number must be equal (the
# simulator is deterministic; the CSV's precision is what is compared).
#
#   tests/regression/compare.sh PSP_SIM
#
# On a mismatch prints, per differing row, policy/workload/load/type and each
# differing column (expected -> got), then how to regenerate the file when
# the change is intended.  Exit 0 equal, 1 different, 2 usage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
sim=${1:-}
[ -n "$sim" ] && [ -x "$sim" ] || { echo "usage: compare.sh PSP_SIM" >&2; exit 2; }
expected=$here/expected.csv
[ -f "$expected" ] || { echo "compare.sh: $expected is missing" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/regen.sh" "$sim" "$tmp/got.csv" 2>/dev/null || { echo "compare.sh: regen.sh failed" >&2; exit 2; }
if cmp -s "$expected" "$tmp/got.csv"; then
  echo "regression: $(($(wc -l <"$expected") - 1)) rows equal to expected.csv"
  exit 0
fi
# Readable differences.  The reservation (last column) may hold commas inside
# quotes, so it is split off as everything after the 16th comma.
awk -F, '
function cols(line, f,   n, rest, i) {
  rest = line
  for (i = 1; i <= 16; i++) { n = index(rest, ","); f[i] = substr(rest, 1, n - 1); rest = substr(rest, n + 1) }
  f[17] = rest
}
FNR == 1 { if (NR == 1) { cols($0, h); hdr = $0 } else if ($0 != hdr) { print "header differs:\n  expected " hdr "\n  got      " $0; bad++ } next }
NR == FNR { exp_line[FNR] = $0; nexp = FNR; next }
{
  ngot = FNR
  if (!(FNR in exp_line)) { print "extra row: " $0; bad++; next }
  if (exp_line[FNR] == $0) next
  cols(exp_line[FNR], e); cols($0, g)
  printf "%s / %s / load %s / %s:", e[1], e[2], e[4], e[7]
  if (e[1] != g[1] || e[2] != g[2] || e[4] != g[4] || e[7] != g[7])
    printf " (row is %s / %s / load %s / %s here)", g[1], g[2], g[4], g[7]
  for (i = 1; i <= 17; i++) if (e[i] != g[i]) printf "  %s %s -> %s", h[i], e[i], g[i]
  printf "\n"; bad++
}
END {
  for (i = ngot + 1; i <= nexp; i++) { print "missing row: " exp_line[i]; bad++ }
  print bad " row(s) differ"
}' "$expected" "$tmp/got.csv"
cat <<MSG
regression: results differ from tests/regression/expected.csv.
If the change is intended, regenerate and commit the file:
  tests/regression/regen.sh $sim
MSG
exit 1
