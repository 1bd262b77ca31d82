#!/usr/bin/env bash
# The README's memif quick start runs DARC, and a learning policy that never
# installs a plan is named at stop:
#   quickstart.sh run      the quick start's client command (high-bimodal,
#                          2000 rps for 5 s, 3 workers, CSV) against the
#                          shipped config: DARC reserves (a DARC: line,
#                          darc_reservations > 0) and no warning.
#   quickstart.sh no-plan  darc_samples 50000 and 1000 requests: the stop
#                          warns that darc never installed a plan.
MODE=${1:?mode}
. "$(dirname "$0")/lib.sh"

case $MODE in
run)
	start_engine "$T/engine.log" "${ENGINE[@]}"
	"${CLIENT[@]}" --workload high-bimodal --rate 2000 --duration 5 --workers 3 --format csv \
		> "$T/client.csv" 2> "$T/client.log" || fail "psp-client failed (status $?)"
	stop_engine || fail "psp-engine exited with status $?"
	check_clean_stop "$T/engine.log"
	r=$(counter darc_reservations "$T/engine.log")
	grep "^DARC:" "$T/engine.log" | head -2
	[ -n "$r" ] && [ "$r" -gt 0 ] || fail "the quick start never ran DARC (darc_reservations=$r)"
	grep -q "WARNING: .* never installed a plan" "$T/engine.log" && fail "a warning with $r reservations"
	echo "quick start: darc_reservations=$r"
	;;
no-plan)
	start_engine "$T/engine.log" "${ENGINE[@]}" --set policy.darc_samples=50000
	"${CLIENT[@]}" --workload high-bimodal --rate 1000 --duration 1 --workers 3 \
		> "$T/client.out" 2> "$T/client.log" || fail "psp-client failed (status $?)"
	stop_engine || fail "psp-engine exited with status $?"
	[ "$(counter darc_reservations "$T/engine.log")" = 0 ] || fail "darc reserved after 1000 requests"
	grep "WARNING" "$T/engine.log"
	grep -q "^psp-engine: WARNING: darc never installed a plan (darc_reservations=0): it ran its profiling stand-in the whole run, c-FCFS warm-up ([0-9]* of 50000 samples); send more requests or lower policy.darc_samples" \
		"$T/engine.log" || fail "no warning that DARC never planned"
	;;
*)
	fail "unknown mode $MODE"
	;;
esac
echo "PASS"
