#!/usr/bin/env bash
# Test 4: malformed frames sent into the tap are counted by reason, nothing
# crashes, valid requests keep being served, and a request of an unknown type
# is answered (on the spillway core: the engine runs DARC).
. "$(dirname "$0")/lib.sh"
need_root_tun

NETNS="psp-m-$ID"
ip netns add "$NETNS" || fail "cannot create netns"
NS="ip netns exec $NETNS"
$NS ip link set lo up
$NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
start_engine "$T/engine.log" $NS "$BIN/psp-engine" --config "$SRC/configs/engine-tap.yml" \
	--set "instance=$INST" --set "output_dir=$T/out" --policy darc
$NS ip addr add 198.18.0.1/24 dev "psp-$INST" || fail "no psp-$INST in the namespace"
$NS ip link set "psp-$INST" up

# Valid traffic first (also resolves ARP), then the bad frames, then valid
# traffic again.
$NS "$BIN/psp_udp_client" 198.18.0.2 6789 200 500 1,2 1000 > "$T/client1.log" 2>&1 ||
	fail "valid requests before the malformed frames were not all answered"
K=20
$NS "$BIN/psp_inject_frames" "psp-$INST" 02:00:00:00:00:02 198.18.0.1 198.18.0.2 6789 $K \
	> "$T/inject.log" 2>&1
irc=$?
kill -0 "$ENGINE_PID" || fail "psp-engine died on malformed frames"
$NS "$BIN/psp_udp_client" 198.18.0.2 6789 200 500 1,2 1000 > "$T/client2.log" 2>&1 ||
	fail "valid requests after the malformed frames were not all answered"
cat "$T/client1.log" "$T/inject.log" "$T/client2.log"
stop_engine || fail "psp-engine exited with status $?"
sed -n '/^counters:/,$p' "$T/engine.log"
[ $irc -eq 0 ] || fail "injector failed or unknown-type requests were not answered"
check_clean_stop "$T/engine.log"
# The kernel may add frames of its own (ICMP errors, IGMP), so a reason
# counts at least K; the ones only the injector produces count exactly K.
for c in rx_runt rx_bad_ip rx_bad_port rx_short_payload rx_unknown_type; do
	[ "$(counter $c "$T/engine.log")" -eq $K ] || fail "$c != $K"
done
for c in rx_bad_ether rx_not_udp; do
	[ "$(counter $c "$T/engine.log")" -ge $K ] || fail "$c < $K"
done
[ "$(counter received "$T/engine.log")" -eq $((400 + K)) ] || fail "received != 400 + $K"
[ "$(counter answered "$T/engine.log")" -eq $((400 + K)) ] || fail "answered != 400 + $K"
awk '/server-side latency/ {on=1} on && $1 == "UNKNOWN" && $3 == '$K' {ok=1} END {exit !ok}' \
	"$T/engine.log" || fail "the unknown type's row does not show $K answered"
# DARC runs unknown types on the spillway core only: the last worker (1 of 2).
grep -q "worker 1 (lcore [0-9]*): handled=[0-9]* unknown_type=$K " "$T/engine.log" ||
	fail "the unknown-type requests did not all run on the spillway core (worker 1)"
grep -q "worker 0 (lcore [0-9]*): handled=[0-9]* unknown_type=0 " "$T/engine.log" ||
	fail "an unknown-type request ran outside the spillway core"
echo "PASS: malformed frames counted by reason; service continued"
