#!/usr/bin/env bash
# tools/fidelity.sh at CI size: c-FCFS and JBSQ(2) at 1000 rps for 1 s each
# on memif, the system fitted from the c-FCFS trace, both predicted on it and
# on the ideal machine.  Checks the pipeline, not the errors' sizes (the
# machine is shared; docs/system-model.md has a full table): the fitted file
# has a hand-off, and the table has a row per policy and type (SHORT, LONG)
# with the engine's and both predictions' p50 and p99 and their errors.
. "$(dirname "$0")/lib.sh"

BIN="$BIN" bash "$SRC/tools/fidelity.sh" -d 1 -r 1000 -p "cfcfs jbsq2" -n 20000 -o "$T/fid" \
	> "$T/fidelity.log" 2>&1 || fail "tools/fidelity.sh exited with status $?"
cat "$T/fidelity.log"
grep -q "^handoff:" "$T/fid/fitted.yml" || fail "the fitted system has no hand-off"
for pol in cfcfs jbsq2; do
	for type in SHORT LONG; do
		row=$(grep -E "^$pol +1000 +$type +\|" "$T/fidelity.log") || fail "no row for $pol $type"
		# policy rps type | e50 f50 err i50 err | e99 f99 err i99 err | n
		echo "$row" | awk '{
			ok = NF >= 17 && $4 == "|" && $10 == "|" && $16 == "|"
			for (i = 5; i <= 15; i++) if (i != 10 && $i !~ /^[-+]?[0-9.]+$/) ok = 0
			exit !(ok && $17 > 0) }' || fail "$pol $type: not a full row: $row"
	done
done
echo "PASS: fidelity table for cfcfs and jbsq2 at 1000 rps"
