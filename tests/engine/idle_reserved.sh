#!/usr/bin/env bash
# reserved_idle: the idle mode of the workers DARC reserves for a shorter
# group (idle on purpose while longer requests may wait).  DARC static with
# reserve: 1 on the shipped memif config and High Bimodal: worker 0 is
# SHORT's, workers 1-2 LONG's (with the spillway); SHORT may steal them,
# LONG never takes worker 0.  1000 rps for 3 s, twice:
#   idle: spin, reserved_idle: park  -> only worker 0 parks, every park
#     while reserved, and the wakes all count under SHORT (reserved);
#   idle: park, reserved_idle: spin  -> worker 0 never parks, workers 1-2
#     do, and SHORT's wakes are 0 while LONG's are not.
# Both: every request answered, none timed out, parks = wakes + stop_wakes.
RATE=1000
DURATION=3
. "$(dirname "$0")/lib.sh"

run() { # name idle reserved_idle
	local name=$1 log=$T/$1.log
	start_engine "$log" "${ENGINE[@]}" --workload high-bimodal \
		--set "policy={name: darc, reserve: 1}" --set "idle=$2" --set "reserved_idle=$3"
	grep -qE "workers idle: $2( \(.*\))?; reserved by DARC for a shorter group: $3" "$log" ||
		fail "$name: the engine does not say idle $2, reserved_idle $3"
	"${CLIENT[@]}" --workload high-bimodal --rate "$RATE" --duration "$DURATION" \
		> "$T/$name-client.out" 2> "$T/$name-client.log" || fail "$name: psp-client failed (status $?)"
	stop_engine || fail "$name: psp-engine exited with status $?"
	check_clean_stop "$log"
	cat "$T/$name-client.out" >> "$T/$name-client.log"
	local sent timed_out
	sent=$(counter sent "$T/$name-client.log"); timed_out=$(counter timed_out "$T/$name-client.log")
	[ "$timed_out" -eq 0 ] || fail "$name: $timed_out requests timed out"
	[ "$(counter answered "$log")" -eq "$sent" ] || fail "$name: engine answered != client sent"
	local parks wakes stop_wakes
	parks=$(counter parks "$log"); wakes=$(counter wakes "$log"); stop_wakes=$(counter stop_wakes "$log")
	[ "$parks" -eq $((wakes + stop_wakes)) ] || fail "$name: parks $parks != wakes $wakes + stop_wakes $stop_wakes"
	grep -E "^DARC:|^  worker .*work_ms|^wakes by DARC group" "$log" | sed "s/^/$name: /"
	# per worker parks, from the lcores section
	for w in 0 1 2; do
		P[$w]=$(grep -E "^  worker $w \(lcore [0-9]+\): work_ms" "$log" | grep -oE "parks=[0-9]+" | cut -d= -f2)
	done
	GROUPS_LINE=$(grep "^wakes by DARC group" "$log") || fail "$name: no wakes by DARC group line"
	SHORT_WAKES=$(echo "$GROUPS_LINE" | grep -oE "SHORT\(reserved\)=[0-9]+" | cut -d= -f2)
	LONG_WAKES=$(echo "$GROUPS_LINE" | grep -oE " LONG=[0-9]+" | cut -d= -f2)
	RESERVED_PARKS=$(echo "$GROUPS_LINE" | grep -oE "[0-9]+ parks while reserved" | cut -d' ' -f1)
	UNPLANNED=$(echo "$GROUPS_LINE" | grep -oE "before_any_plan=[0-9]+" | cut -d= -f2)
	[ -n "$SHORT_WAKES" ] && [ -n "$LONG_WAKES" ] || fail "$name: groups not named: $GROUPS_LINE"
	[ "$UNPLANNED" -eq 0 ] || fail "$name: $UNPLANNED wakes before the static plan"
	PARKS=$parks
	rm -f "/tmp/psp-memif-$(id -u)/$INST.sock"
}
declare -A P
run reserved_parks spin park
[ "${P[0]}" -gt 100 ] || fail "reserved_parks: worker 0 parked only ${P[0]} times"
[ "${P[1]}" -eq 0 ] && [ "${P[2]}" -eq 0 ] || fail "reserved_parks: unreserved workers parked (${P[1]}, ${P[2]})"
[ "$RESERVED_PARKS" -eq "$PARKS" ] || fail "reserved_parks: $RESERVED_PARKS of $PARKS parks while reserved"
[ "$SHORT_WAKES" -gt 100 ] && [ "$LONG_WAKES" -eq 0 ] || fail "reserved_parks: SHORT $SHORT_WAKES, LONG $LONG_WAKES wakes"
run others_park park spin
[ "${P[0]}" -eq 0 ] || fail "others_park: the reserved worker parked ${P[0]} times"
[ $((P[1] + P[2])) -gt 100 ] || fail "others_park: workers 1-2 parked only $((P[1] + P[2])) times"
[ "$RESERVED_PARKS" -eq 0 ] || fail "others_park: $RESERVED_PARKS parks while reserved"
[ "$SHORT_WAKES" -eq 0 ] && [ "$LONG_WAKES" -gt 100 ] || fail "others_park: SHORT $SHORT_WAKES, LONG $LONG_WAKES wakes"
echo "PASS: reserved_idle applies to DARC's reserved worker only, its wakes counted under its group"
