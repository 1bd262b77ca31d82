#!/usr/bin/env bash
# psp-sim: nothing lost, nothing corrupted.  Every output path against
# /dev/full exits 1 saying so; a shard file's records carry checksums (an
# edited digit, count or NaN is refused by --merge and --verify alike), a
# merge checks each record's load and types against the run and refuses a
# shard of another version or an absurd slicing, and never crashes on a
# refusal; the CSV quotes free text (a comma or newline in a workload name);
# a trace read from a pipe with ids not increasing replays; input without
# newlines is refused at its first line; a trace's BOM is skipped, its type
# names must be printable UTF-8, its service bound is the one enforced.
#   usage: integrity.sh PSP_SIM [--sanitized]   (PSP_WORKLOAD_PATH set)
set -u
sim=$1 sanitized=${2:-}
. "$(dirname "$0")/../check.sh"

# reseal FILE: recomputes a shard file's check lines after an edit (FNV-1a
# 64 of the lines since the previous check line), so that a test reaches
# the checks behind the checksums.  A file without check lines is unchanged.
reseal() {
  local LC_ALL=C line h i c out=()
  h=$((0xcbf29ce484222325))
  while IFS= read -r line; do
    if [[ $line == "check "* ]]; then
      out+=("$(printf 'check %016x' "$h")")
      h=$((0xcbf29ce484222325))
      continue
    fi
    for ((i = 0; i < ${#line}; i++)); do
      printf -v c '%d' "'${line:i:1}"
      h=$(( (h ^ (c & 255)) * 0x100000001b3 ))
    done
    h=$(( (h ^ 10) * 0x100000001b3 ))
    out+=("$line")
  done <"$1"
  printf '%s\n' "${out[@]}" >"$1"
}
# expect NAME STATUS PATTERN COMMAND...: COMMAND exits STATUS and its stderr
# matches PATTERN
expect() {
  local name=$1 want=$2 pattern=$3; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/err"; then passes=$((passes + 1)); else
    echo "FAIL: $name -> exit $got (wanted $want), stderr:"; head -c 800 "$tmp/err" | sed 's/^/    /'
    echo "    (wanted /$pattern/)"; fails=$((fails + 1)); fi
}

run=(--quiet -w high-bimodal -p darc -n 20000 -r 1 -l 0.5 --darc-samples 2000)
lost='write failed: No space left on device: output lost'

# Row 3: every output, and a full disk.
expect "results on stdout to /dev/full" 1 "stdout: $lost" bash -c '"$0" "$@" >/dev/full' "$sim" "${run[@]}" --no-capacity
expect "-o /dev/full" 1 "/dev/full: $lost" "$sim" "${run[@]}" --no-capacity -o /dev/full
expect "--series /dev/full" 1 "/dev/full: $lost" "$sim" "${run[@]}" --no-capacity --series /dev/full
expect "--timeline /dev/full" 1 "/dev/full: $lost" "$sim" "${run[@]}" --no-capacity --timeline /dev/full
expect "--per-request /dev/full" 1 "/dev/full: $lost" "$sim" "${run[@]}" --no-capacity --per-request /dev/full
expect "--slo-output /dev/full" 1 "/dev/full: $lost" "$sim" "${run[@]}" -r 2 --format csv --slo 20 --slo-output /dev/full
expect "--shard to stdout on /dev/full" 1 "stdout: write failed" bash -c '"$0" "$@" >/dev/full' "$sim" "${run[@]}" --no-capacity --shard 1/1
expect "--list to /dev/full" 1 "stdout: write failed: .*output lost" bash -c '"$0" --list >/dev/full' "$sim"
expect "--help to /dev/full" 1 "stdout: write failed: .*output lost" bash -c '"$0" --help >/dev/full' "$sim"
for i in 1 2; do "$sim" "${run[@]}" -r 2 --slo 20 --shard $i/2 -o "$tmp/cap.$i"; done
expect "--merge to stdout on /dev/full" 1 "stdout: $lost" bash -c '"$0" --merge "$@" >/dev/full' "$sim" "$tmp"/cap.?
expect "--merge -o /dev/full" 1 "/dev/full: $lost" "$sim" --merge -o /dev/full "$tmp"/cap.?
expect "--merge --slo-output /dev/full" 1 "/dev/full: $lost" "$sim" --merge --format csv --slo-output /dev/full "$tmp"/cap.?
"$sim" --merge --format csv "$tmp"/cap.? >"$tmp/cap.csv" 2>/dev/null
check "... and a merge to a file that can be written succeeds" test $? -eq 0 -a -s "$tmp/cap.csv"

# Shards of a run without capacity: unit = replication, 2 of them.
nc=("${run[@]}" -r 2 --no-capacity)
for i in 1 2; do "$sim" "${nc[@]}" --shard $i/2 -o "$tmp/nc.$i"; done
"$sim" "${nc[@]}" --format csv >"$tmp/whole.csv" 2>/dev/null
"$sim" --merge --format csv "$tmp"/nc.? >"$tmp/merged.csv" 2>/dev/null
check "the shards merge into the unsharded run" cmp -s "$tmp/whole.csv" "$tmp/merged.csv"
# edit NAME SED: nc.1 edited into $tmp/NAME.1, check lines left as they were
edit() { sed "$2" "$tmp/nc.1" >"$tmp/$1.1"; }
# both NAME STATUS PATTERN: --merge (exit 2) and --verify (exit 1) refuse it
both() {
  expect "$1: --merge refuses it" 2 "$2" "$sim" --merge "$tmp/$1.1" "$tmp/nc.2"
  expect "$1: --verify refuses it" 1 "$2" "$sim" "${nc[@]}" --shard 1/2 --verify -o "$tmp/$1.1"
}

# Row 4: refusals after the shards' flags were parsed crashed (merge_file
# reset); --verify passed what --merge refused.
edit flag 's/^flags .*/& --nosuch/'; reseal "$tmp/flag.1"
sed 's/^flags .*/& --nosuch/' "$tmp/nc.2" >"$tmp/flag.2"; reseal "$tmp/flag.2"
expect "an unknown flag in the shards' flags: refused, no crash" 2 "flag.1: its flags do not parse: --nosuch: unknown option" \
  "$sim" --merge "$tmp/flag.1" "$tmp/flag.2"
edit renum '0,/^rep 0 0 0 /s//rep 0 0 1 /'; reseal "$tmp/renum.1"
both renum "renum.1: holds a replication it does not own, or twice \(policy 0, load 0, replication 1\)"
edit drop '/^rep /,/^check /d'; sed -i 's/^end 1 0$/end 0 0/' "$tmp/drop.1"; reseal "$tmp/drop.1"
both drop "drop.1: lacks replication 0 of load 0.5 of darc, which its slice owns"

# Row 9: records carry checksums; a merge checks a record's load and types.
edit digit '0,/^type 0 /s/^\(type 0 [0-9]* [0-9a-f]*\)[0-9a-f]/\1f/'
check "(the digit edit changed the file)" bash -c '! cmp -s "$0" "$1"' "$tmp/nc.1" "$tmp/digit.1"
both digit "digit.1:[0-9]+: the checksum of the record above does not match"
edit count '0,/^type 0 /s/^type 0 \([0-9]*\) /type 0 \1000 /'
both count "count.1:[0-9]+: the checksum of the record above does not match"
edit nan '0,/^type 0 /s/^\(type 0 [0-9]*\) [0-9a-f]*/\1 7ff8000000000000/'
both nan "nan.1:[0-9]+: the checksum of the record above does not match"
edit head 's/^units 2 /units 3 /'
both head "head.1:[0-9]+: the checksum of the header above does not match"
edit load '0,/^rep /s/^\(rep 0 0 0\) [0-9a-f]*/\1 3fe3333333333333/'; reseal "$tmp/load.1"
both load "load.1: the record of replication 0 of load 0.5 of darc is at load 0.6"
edit types '0,/^rep /s/^\(rep\( [^ ]*\)\{10\}\) 2 /\1 1 /; 0,/^type 2 /{/^type 2 /d}'
sed -i '0,/^type 1 /s/^type 1 /type 1 /' "$tmp/types.1"; reseal "$tmp/types.1"
both types "types.1: the record of replication 0 of load 0.5 of darc has 1 types, workload high-bimodal 2"

# Row 18: shards of another version; a slicing beyond 100000.
for i in 1 2; do sed 's/^version .*/version 0.0.0-other/' "$tmp/nc.$i" >"$tmp/ver.$i"; reseal "$tmp/ver.$i"; done
expect "--merge refuses shards of another psp-sim version" 2 "ver.1: written by psp-sim 0.0.0-other, this is " \
  "$sim" --merge "$tmp"/ver.?
sed 's#^shard 1/2$#shard 1/4294967295#' "$tmp/nc.1" >"$tmp/huge.1"; reseal "$tmp/huge.1"
expect "a shard claiming 1/4294967295 is refused" 2 "huge.1:7: not a psp-sim shard file: bad shard line" \
  "$sim" --merge "$tmp/huge.1"

# Row 10: free text in CSV is quoted (RFC 4180); a newline in a workload
# name makes a shard that merges.
printf 'arrival_us,type,service_us\n' >"$tmp/a,b.csv"
for i in $(seq 0 1999); do echo "$((i * 10)),A,5"; done >>"$tmp/a,b.csv"
"$sim" --quiet --trace "$tmp/a,b.csv" -p cfcfs -k 1 --format csv --slo-output "$tmp/ab.slo" --slo 50 >"$tmp/ab.out" 2>/dev/null
check "a comma in a trace's name: quoted in every result row" \
  test "$(grep -c '^cfcfs,"a,b.csv",1,' "$tmp/ab.out")" -eq 2
check "... and in the capacity CSV" grep -q '^cfcfs,"a,b.csv",1,' "$tmp/ab.slo"
sed 's/^name: .*/name: "hb,x\\ny"/' "$PSP_WORKLOAD_PATH/high-bimodal.yml" >"$tmp/nl.yml"
nl=(--quiet -w "$tmp/nl.yml" -p darc -n 20000 -r 2 -l 0.5 --darc-samples 2000 --no-capacity)
"$sim" "${nl[@]}" --format csv >"$tmp/nl.whole" 2>/dev/null
check "a newline in a workload name: quoted" grep -q '^darc,"hb,x$' "$tmp/nl.whole"
for i in 1 2; do "$sim" "${nl[@]}" --shard $i/2 -o "$tmp/nl.$i"; done
"$sim" --merge --format csv "$tmp"/nl.? >"$tmp/nl.merged" 2>"$tmp/err"
check "... its shards merge into the unsharded run" cmp -s "$tmp/nl.whole" "$tmp/nl.merged"

# Row 13: a trace from a pipe whose ids are not increasing (it was rewound).
{ echo "id,arrival_us,type,service_us"; for i in $(seq 0 1999); do echo "$((5000 - i)),$((i * 10)),A,5"; done; } >"$tmp/desc.csv"
"$sim" --quiet --trace "$tmp/desc.csv" -p cfcfs -k 1 --format csv --no-capacity 2>/dev/null | cut -d, -f3- >"$tmp/desc.file"
cat "$tmp/desc.csv" | "$sim" --quiet --trace /dev/stdin -p cfcfs -k 1 --format csv --no-capacity 2>"$tmp/err" | cut -d, -f3- >"$tmp/desc.pipe"
check "ids not increasing, from a pipe: replays as from the file" cmp -s "$tmp/desc.file" "$tmp/desc.pipe"
check "... (and it did replay)" test -s "$tmp/desc.pipe"
{ cat "$tmp/desc.csv"; echo "4999,20000,A,5"; } >"$tmp/dup.csv"
expect "a duplicate id from a pipe is named with its lines" 2 "stdin:2002: id: duplicate id 4999 \(also on line 3\)" \
  bash -c 'cat "$1" | "$0" --quiet --trace /dev/stdin -p cfcfs -k 1' "$sim" "$tmp/dup.csv"

# Row 14: input without newlines is refused at its first line, in bounded memory.
limit() { if [ -z "$sanitized" ]; then ulimit -v 1000000; fi; timeout 60 "$@"; }
expect "--trace /dev/zero: refused" 2 "/dev/zero:1: a line longer than 65536 bytes: not a trace CSV file" limit "$sim" --trace /dev/zero
expect "--merge /dev/zero: refused" 2 "/dev/zero:1: a line longer than any of a psp-sim shard file" limit "$sim" --merge /dev/zero

# Row 18: the trace's service bound as enforced; a BOM; type names.
trace() { printf 'arrival_ns,type,service_ns\n' >"$tmp/t.csv"; for i in $(seq 0 199); do echo "$((i * 1000)),$1,$2"; done >>"$tmp/t.csv"; }
trace A 2000000000000
expect "a service of 2e12 ns is refused with the bound enforced" 2 "t.csv:2: service_ns: 2000000000000 ns is outside 1 ns .. 1e\+12 ns \(1e\+09 us\)" \
  "$sim" --quiet --trace "$tmp/t.csv" -p cfcfs -k 1
trace A 500
{ printf '\xef\xbb\xbf'; cat "$tmp/t.csv"; } >"$tmp/bom.csv"
expect "a UTF-8 BOM before the header is skipped" 0 "" "$sim" --quiet --trace "$tmp/bom.csv" -p cfcfs -k 1 --no-capacity
trace $'A\x1b[2J' 500
expect "a control character in a type name is refused" 2 "t.csv:2: type: holds a control character or is not valid UTF-8" \
  "$sim" --quiet --trace "$tmp/t.csv" -p cfcfs -k 1
trace $'A\xff' 500
expect "invalid UTF-8 in a type name is refused" 2 "t.csv:2: type: holds a control character or is not valid UTF-8" \
  "$sim" --quiet --trace "$tmp/t.csv" -p cfcfs -k 1
trace 'Größe' 500
expect "valid UTF-8 in a type name is accepted" 0 "" "$sim" --quiet --trace "$tmp/t.csv" -p cfcfs -k 1 --no-capacity

checks_done
