#!/usr/bin/env bash
# psp-plot draws each figure from the programs' own CSV files: psp-sim's
# results, capacities and DARC timeline made here, a psp-sweep of two worker
# counts, and psp-client / psp-engine files of a real memif run (fixtures in
# tests/plot/data, see its README).  Each PNG is checked by its signature and
# size, each SVG parsed and its series counted (psp_plot gives every series
# the id psp-series-N); extra and reordered columns are read the same; a file
# missing a needed column, a bad value, a bad flag or an unwritable output is
# refused with the file and the column, line or flag named.
#   usage: figures.sh PSP_PLOT PSP_SIM PSP_SWEEP   (PSP_WORKLOAD_PATH set)
set -u
plot=$1 sim=$2 sweep=$3
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
. "$here/../check.sh"
py=/usr/bin/python3

# png FILE: a PNG (signature, IHDR) of at least 300x200 pixels and 5 KB.
png() {
  $py - "$1" <<'P'
import struct, sys, os
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
w, h = struct.unpack(">II", b[16:24])
assert b[12:16] == b"IHDR" and w >= 300 and h >= 200, f"IHDR {w}x{h}"
assert os.path.getsize(sys.argv[1]) > 5000, "under 5 KB"
P
}
# series FILE N: an SVG that parses and has N series (ids psp-series-0..N-1).
series() {
  $py - "$1" "$2" <<'P'
import re, sys
import xml.etree.ElementTree as ET
ids = {e.get("id") for e in ET.parse(sys.argv[1]).iter() if re.fullmatch(r"psp-series-\d+", e.get("id") or "")}
want = {f"psp-series-{i}" for i in range(int(sys.argv[2]))}
if ids != want:
    sys.exit(f"{sys.argv[1]}: series {sorted(ids)}, want {sorted(want)}")
P
}
# has FILE TEXT: the SVG shows TEXT (fonttype none: text stays text).
has() { grep -qF -- "$2" "$1"; }
# refused WANT_TEXT... -- ARGS: psp-plot ARGS exits 2, says each text, writes nothing.
refused() {
  local wants=() a
  while [ "$1" != -- ]; do wants+=("$1"); shift; done
  shift
  rm -f "$tmp/bad.png" "$tmp/bad.svg"
  "$plot" "$@" 2>"$tmp/err"
  local st=$?
  [ $st -eq 2 ] || { echo "exit $st, not 2: psp-plot $*"; cat "$tmp/err"; return 1; }
  for a in "${wants[@]}"; do
    grep -qF -- "$a" "$tmp/err" || { echo "psp-plot $*: no '$a' in:"; cat "$tmp/err"; return 1; }
  done
  [ ! -e "$tmp/bad.png" ] && [ ! -e "$tmp/bad.svg" ] || { echo "psp-plot $*: wrote a figure"; return 1; }
}
cd "$tmp"

# The inputs: two policies at three loads, 6 replications (intervals), the
# capacity search and DARC's timeline.
"$sim" -w high-bimodal -p cfcfs,darc -l 0.5,0.7,0.9 -n 20000 -r 6 --darc-samples 2000 --jobs 1 \
  --format csv -o curve.csv --slo 20 --slo-output cap.csv --timeline tl.csv --quiet 2>/dev/null
check "psp-sim wrote the inputs" test $? -eq 0 -a -s curve.csv -a -s cap.csv -a -s tl.csv

# slowdown: PNG and SVG, a series per policy and panel, the SLO line, bands
check "slowdown PNG" "$plot" slowdown curve.csv --slo 20 -o s.png
check "slowdown PNG is a PNG" png s.png
check "slowdown SVG" "$plot" slowdown curve.csv --slo 20 -o s.svg
check "slowdown SVG: 2 series" series s.svg 2
check "slowdown SVG: the SLO line's label" has s.svg "SLO 20x"
check "slowdown SVG: bands (intervals of 6 replications)" has s.svg "band: 95% interval"
check "slowdown --type SHORT,LONG,ALL: 6 series" \
  "$plot" slowdown curve.csv --type SHORT,LONG,ALL --stat p999_us --x krps -o s3.svg
check "slowdown --type SHORT,LONG,ALL: 6 series (SVG)" series s3.svg 6
check "slowdown --type: a panel per type" has s3.svg "high-bimodal: SHORT"
# columns selected by name: an extra column first and one in the middle, the
# columns reordered: the same figure
$py - <<'P'
import csv
rows = list(csv.reader(open("curve.csv")))
head = rows[0]
order = list(reversed(range(len(head))))
with open("extra.csv", "w", newline="") as f:
    w = csv.writer(f)
    for i, r in enumerate(rows):
        r = [r[j] for j in order]
        w.writerow(["warmup_detected" if i == 0 else "123"] + r[:5] + ["cmp_ratio" if i == 0 else "x"] + r[5:])
P
check "slowdown: extra and reordered columns read the same" "$plot" slowdown extra.csv --slo 20 -o e.svg
check "slowdown: extra columns: 2 series" series e.svg 2
# psp-client's rows (one load per run)
check "slowdown of a psp-client CSV" "$plot" slowdown "$data/engine-darc.csv" --x krps -o c.svg
check "slowdown of a psp-client CSV: 1 series" series c.svg 1

# psp-sweep: two worker counts, two cells; drawn together, told apart
cat >sweep.yml <<'Y'
name: plot
workloads: [high-bimodal]
workers: [8, 14]
policies: [cfcfs, darc]
knobs:
  darc_samples: [2000]
loads: [0.5, 0.8]
replications: 1
requests: 20000
shards: 1
format: csv
capacity: true
Y
"$sweep" sweep.yml --local --jobs 1 --quiet -o sw --psp-sim "$sim" >/dev/null 2>&1
check "psp-sweep wrote two cells" test "$(ls sw/*.capacity.csv 2>/dev/null | wc -l)" -eq 2
check "slowdown of two psp-sweep cells" "$plot" slowdown sw/high-bimodal-k8-*[0-9].csv sw/high-bimodal-k14-*[0-9].csv -o sw.svg
check "two psp-sweep cells: 4 series" series sw.svg 4
check "two psp-sweep cells: told apart by workers" has sw.svg "DARC (8 workers)"
check "capacity of two psp-sweep cells" "$plot" capacity sw/*.capacity.csv -o swc.svg
check "capacity of two psp-sweep cells: 2 series (policies)" series swc.svg 2
check "capacity of two psp-sweep cells: the bracket said" has swc.svg "bracket"

# capacity: bars with intervals, in load and kRPS
check "capacity PNG" "$plot" capacity cap.csv -o cap.png
check "capacity PNG is a PNG" png cap.png
check "capacity SVG (kRPS)" "$plot" capacity cap.csv --y krps -o cap.svg
check "capacity SVG: 2 series" series cap.svg 2
check "capacity SVG: the 95% range said" has cap.svg "95% range"

# timeline: psp-sim's (a panel per load) and psp-engine's darc-timeline.csv
check "timeline PNG" "$plot" timeline tl.csv -o tl.png
check "timeline PNG is a PNG" png tl.png
check "timeline SVG" "$plot" timeline tl.csv -o tl.svg
check "timeline SVG: 2 groups x 3 loads" series tl.svg 6
check "timeline --load 0.9: 2 series" "$plot" timeline tl.csv --load 0.9 --workers 14 -o tl9.svg
check "timeline --load 0.9: 2 series (SVG)" series tl9.svg 2
check "timeline of psp-engine's darc-timeline.csv" "$plot" timeline "$data/darc-timeline.csv" -o te.svg
check "timeline of psp-engine's: its groups" series te.svg "$(cut -d, -f3 "$data/darc-timeline.csv" | tail -n +2 | sort -u | wc -l)"

# sim vs engine: psp-sim at the engine's workload, workers and load
"$sim" -w high-bimodal -k 3 -p cfcfs,darc -l 0.08,0.3 -n 20000 -r 6 --darc-samples 2000 --jobs 1 \
  --format csv -o sim3.csv --no-capacity --quiet 2>/dev/null
check "psp-sim wrote the simulation side" test -s sim3.csv
check "sim-vs-engine PNG" "$plot" sim-vs-engine --sim sim3.csv --engine "$data/engine-cfcfs.csv" \
  --engine "$data/engine-darc.csv" -o se.png
check "sim-vs-engine PNG is a PNG" png se.png
check "sim-vs-engine SVG" "$plot" sim-vs-engine --sim sim3.csv --engine "$data/engine-cfcfs.csv" \
  --engine "$data/engine-darc.csv" -o se.svg
check "sim-vs-engine SVG: 2 policies x 2 sources" series se.svg 4
check "sim-vs-engine SVG: the nearest simulated load (the engine's 0.0842)" \
  has se.svg "DARC, psp-sim at load 0.08"

# Bad inputs: exit 2, the file and the column (or line, or flag) named.
$py -c "
import csv
rows = list(csv.reader(open('curve.csv')))
drop = rows[0].index('p999_slowdown')
csv.writer(open('nostat.csv', 'w', newline='')).writerows([r[:drop] + r[drop + 1:] for r in rows])
rows = list(csv.reader(open('cap.csv')))
drop = rows[0].index('capacity_lo')
csv.writer(open('nolo.csv', 'w', newline='')).writerows([r[:drop] + r[drop + 1:] for r in rows])
rows = list(csv.reader(open('curve.csv')))
rows[3][rows[0].index('load')] = 'half'
csv.writer(open('badload.csv', 'w', newline='')).writerows(rows)
"
cut -d, -f1,2,3,5 tl.csv >nocores.csv
grep -v '^darc,' sim3.csv >cfcfs-only.csv
$py -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
drop = rows[0].index('p99_us')
csv.writer(open('engine-nop99.csv', 'w', newline='')).writerows([r[:drop] + r[drop + 1:] for r in rows])
" "$data/engine-darc.csv"
head -1 curve.csv >header-only.csv
: >empty.csv
check "a results CSV without p999_slowdown" refused nostat.csv "missing column 'p999_slowdown'" -- \
  slowdown nostat.csv -o bad.png
check "a capacity CSV without capacity_lo" refused nolo.csv "missing column 'capacity_lo'" -- \
  capacity nolo.csv -o bad.svg
check "a results CSV given as capacities" refused curve.csv "missing column 'slo'" -- \
  capacity curve.csv -o bad.svg
check "a timeline without reserved_cores" refused nocores.csv "missing column 'reserved_cores'" -- \
  timeline nocores.csv -o bad.png
check "an engine CSV without p99_us" refused engine-nop99.csv "missing column 'p99_us'" -- \
  sim-vs-engine --sim sim3.csv --engine engine-nop99.csv -o bad.png
check "a non-number: file, line and column" refused "badload.csv:4: column 'load': not a number: 'half'" -- \
  slowdown badload.csv -o bad.png
check "a header without rows" refused header-only.csv "no rows" -- slowdown header-only.csv -o bad.png
check "an empty file" refused empty.csv "empty" -- slowdown empty.csv -o bad.png
check "a missing file" refused nowhere.csv "cannot read" -- slowdown nowhere.csv -o bad.png
check "a type no row has" refused "no rows of type 'MEDIUM'" "SHORT" -- \
  slowdown curve.csv --type MEDIUM -o bad.png
# psp-client without --workers writes no load: the fixture's load cells emptied
$py -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
i = rows[0].index('load')
for r in rows[1:]:
    r[i] = ''
csv.writer(open('noload.csv', 'w', newline='')).writerows(rows)
" "$data/engine-darc.csv"
check "--x load of a psp-client CSV without load" refused noload.csv "column 'load' is empty" "--x krps" -- \
  slowdown noload.csv -o bad.png
check "--x krps of a psp-client CSV without load" "$plot" slowdown noload.csv --x krps -o nl.svg
check "an engine policy the simulation lacks" refused cfcfs-only.csv "no rows of policy 'darc'" -- \
  sim-vs-engine --sim cfcfs-only.csv --engine "$data/engine-darc.csv" -o bad.png
check "a load no timeline row has" refused "no row at load 0.6" -- timeline tl.csv --load 0.6 -o bad.png
check "an unknown output extension" refused "extension must be .png or .svg" -- \
  slowdown curve.csv -o bad.pdf
check "no output" refused "-o/--output FILE is required" -- slowdown curve.csv
check "an unknown figure" refused "unknown figure 'latency'" -- latency curve.csv -o bad.png
check "a flag of another figure" refused "--slo" -- capacity cap.csv --slo 20 -o bad.png
check "an unknown --stat" refused "--stat: one of" -- slowdown curve.csv --stat p42 -o bad.png
check "a negative --slo" refused "--slo: must be a positive number" -- slowdown curve.csv --slo -3 -o bad.png
check "sim-vs-engine without --engine" refused "needs --sim FILE and --engine FILE" -- \
  sim-vs-engine --sim sim3.csv -o bad.png
"$plot" slowdown curve.csv -o /nonexistent/dir/s.png 2>err
st=$?
check "an output that cannot be written: exit 1, named" \
  eval '[ $st -eq 1 ] && grep -q "/nonexistent/dir/s.png: cannot write" err'

# --help documents every flag the parser takes; --version
"$plot" --help >help.txt
check "--help exits 0" test -s help.txt
flags=$(grep -oE 'add_argument\("(-[a-z], )?"?--[a-z-]+' "$plot" | grep -oE -- '--[a-z-]+' | sort -u)
for f in $flags; do
  check "--help documents $f" grep -qE -- "(^|[ ,])$f( |$)" help.txt
done
check "--version" eval '"$plot" --version | grep -qE "^psp-plot [0-9]+\.[0-9]+\.[0-9]+$"'
checks_done "psp-plot"
