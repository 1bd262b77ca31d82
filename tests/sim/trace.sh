#!/usr/bin/env bash
# psp-sim --trace replays a trace exactly: a sampled run's --per-request file
# replays to the same requests and results; a user's CSV replays; a small
# trace through c-FCFS on one worker gives the FIFO (Lindley) completions
# computed here; --load scales the arrivals; --slo searches over scaled
# replays; the same inputs give the same output.  usage: trace.sh PSP_SIM
set -u
sim=$1
. "$(dirname "$0")/../check.sh"

# (a) Sampled run, then its --per-request file replayed with the same policy,
# workers, seed and warm-up.  The requests must be the same, row for row;
# the results too, except the load column: the sampled run's is the nominal
# load asked for, the replay's the trace's own load, measured on its rows.
for p in cfcfs darc ts; do
  args=(--quiet --workload high-bimodal --policy "$p" --workers 4 --seed 7 --warmup 0.2
        --no-capacity --format csv)
  [ "$p" = darc ] && args+=(--darc-samples 5000)
  "$sim" "${args[@]}" --load 0.8 --requests 50000 --per-request "$tmp/s.$p" >"$tmp/a.$p"
  "$sim" "${args[@]}" --trace "$tmp/s.$p" --per-request "$tmp/r.$p" >"$tmp/b.$p" 2>"$tmp/e.$p"
  check "$p: the sampled run wrote 50000 requests" [ "$(wc -l <"$tmp/s.$p")" -eq 50001 ]
  check "$p: the replay's per-request rows are the sampled run's" cmp -s "$tmp/s.$p" "$tmp/r.$p"
  check "$p: the replay's results are the sampled run's (but the load)" \
    cmp -s <(cut -d, -f1-3,5- "$tmp/a.$p") <(cut -d, -f1-3,5- "$tmp/b.$p")
  check "$p: 40000 measured" grep -q ",ALL,40000," "$tmp/b.$p"
  [ "$p" = darc ] && check "darc: it reserved cores" grep -q "SHORT: cores 0" "$tmp/b.$p"
  check "$p: the trace's own load is said" grep -q "its offered load on 4 workers is 0\.[78]" "$tmp/e.$p"
done

# (b) A user's CSV: columns in microseconds, blanks after commas, a type
# named with a comma (quoted), CRLF line ends; no workload, so the types are
# the trace's.
{ echo "arrival_us, type, service_us"
  awk 'BEGIN { for (i = 0; i < 2000; i++)
    printf "%.3f,%s,%s\n", i * 2.5, i % 10 ? "get" : "\"big, slow\"", i % 10 ? "0.5" : "50" }'
} | sed 's/$/\r/' >"$tmp/user.csv"
"$sim" --quiet --trace "$tmp/user.csv" --policy darc --darc-samples 100 --workers 4 --no-capacity --warmup 0.1 \
  >"$tmp/user.out"
check "user CSV: replayed" grep -Eq "^  ALL +1800 " "$tmp/user.out"
check "user CSV: its types" grep -Eq "^  big, slow +180 " "$tmp/user.out"
check "user CSV: the types and means are said to come from the trace" \
  grep -q "types from the trace (no --workload), nominal mean and ratio measured on it: big, slow 50 us x 0.1000, get 0.5 us x 0.9000" "$tmp/user.out"

# (c) c-FCFS on one worker serves in arrival order: completion
# c_i = max(a_i, c_{i-1}) + s_i (Lindley).  Columns in another order, an
# unknown one, ids not from 0; times in the trace's clock (origin 5 ns).
{ echo "note,service_ns,id,type,arrival_ns"
  awk 'BEGIN { for (i = 0; i < 120; i++)
    printf "x,%d,%d,%s,%d\n", i % 3 ? 5000 : 25000, 1000 + 7 * i, i % 3 ? "A" : "B", 12000 * i + 5 }'
} >"$tmp/fifo.csv"
"$sim" --quiet --trace "$tmp/fifo.csv" --policy cfcfs --workers 1 --warmup 0 --no-capacity \
  --per-request "$tmp/fifo.out" >/dev/null
awk -F, 'NR > 1 { c = ($5 > c ? $5 : c) + $2; print $3 "," $5 "," c - $2 "," c }' "$tmp/fifo.csv" >"$tmp/fifo.want"
awk -F, 'NR > 1 { print $1 "," $3 "," $6 "," $8 }' "$tmp/fifo.out" >"$tmp/fifo.got"
check "fifo: the Lindley completions, by id" cmp -s "$tmp/fifo.want" "$tmp/fifo.got"
check "fifo: the first four by hand" \
  [ "$(head -4 "$tmp/fifo.got" | cut -d, -f4 | tr '\n' ' ')" = "25005 30005 35005 61005 " ]

# (d) --load scales the inter-arrival times: the trace's own load is
# 1.4e6 ns of work over 1428000 ns on 1 worker = 0.98039..., so half of it
# doubles every gap (to the ns).
"$sim" --quiet --trace "$tmp/fifo.csv" --policy cfcfs --workers 1 --warmup 0 --no-capacity \
  --load 0.490196078 --per-request "$tmp/half.out" >/dev/null
check "--load: the last arrival twice as late" \
  awk -F, 'END { d = $3 - (5 + 2 * 1428000); exit !(d >= -1 && d <= 1) }' "$tmp/half.out"

# (e) A capacity search over scaled replays of the sampled trace.
"$sim" --quiet --trace "$tmp/s.cfcfs" --workload high-bimodal --policy cfcfs --workers 4 \
  --slo 200 --format csv --slo-output "$tmp/cap.csv" >/dev/null
check "--slo over a trace: a capacity found" awk -F, 'NR == 2 { exit !($6 == 1 && $7 > 0.3 && $7 < 0.95) }' "$tmp/cap.csv"

# (f) Determinism: the same inputs give the same output, whatever --jobs.
for j in 1 2; do
  "$sim" --quiet --trace "$tmp/s.darc" --workload high-bimodal --policy darc,ts --workers 4 --darc-samples 5000 \
    --load 0.5,0.7 --no-capacity --format csv --jobs $j >"$tmp/det.$j" 2>/dev/null
done
check "determinism: 1 vs 2 threads" cmp -s "$tmp/det.1" "$tmp/det.2"
check "determinism: results" [ "$(grep -c ',ALL,' "$tmp/det.1")" -eq 4 ]

# (g) --per-request in overload: arrivals dropped at --max-in-system never
# complete; they get no row, and the rows after them are written as their
# turn comes (held in memory until then, the file would take the whole run:
# 10x the requests once took 6x the memory).
perreq_overload() { # REQUESTS OUT: max RSS of the run in KiB
  /usr/bin/python3 - "$sim" "$1" "$2" <<'PY'
import resource, subprocess, sys
sim, n, out = sys.argv[1:]
subprocess.run([sim, "--quiet", "--workload", "high-bimodal", "--policy", "cfcfs", "--load", "1.3",
                "--allow-overload", "--max-in-system", "200", "--requests", n, "--no-capacity",
                "--format", "csv", "--per-request", out],
               stdout=open(out + ".res", "w"), check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
small=$(perreq_overload 30000 "$tmp/ov.small")
large=$(perreq_overload 300000 "$tmp/ov.large")
dropped=$(awk -F, 'NR == 2 { print $19 }' "$tmp/ov.large.res")
check "overload: arrivals were dropped" [ "${dropped:-0}" -gt 1000 ]
check "overload: a row per request not dropped" \
  [ "$(($(wc -l <"$tmp/ov.large") - 1))" -eq "$((300000 - ${dropped:-0}))" ]
check "overload: rows in arrival order, each once" \
  awk -F, 'NR > 1 { if ($1 + 0 <= last && NR > 2) exit 1; last = $1 + 0 }' "$tmp/ov.large"
check "overload: memory flat in the run's length ($small KiB at 30000, $large at 300000)" \
  [ "$large" -lt "$((small * 3 / 2))" ]

checks_done
