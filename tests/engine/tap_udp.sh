#!/usr/bin/env bash
# Test 3: psp-engine on a net_tap device inside a private network namespace;
# a plain-socket client (no DPDK) sends PSP_MB requests to 198.18.0.2:6789
# and gets every reply; the kernel resolves the engine's MAC by ARP.
. "$(dirname "$0")/lib.sh"
need_root_tun

NETNS="psp-t-$ID"
ip netns add "$NETNS" || fail "cannot create netns"
NS="ip netns exec $NETNS"
$NS ip link set lo up
# No IPv6 chatter on the tap: it would only be counted as bad_ether.
$NS sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
start_engine "$T/engine.log" $NS "$BIN/psp-engine" --config "$SRC/configs/engine-tap.yml" \
	--set "instance=$INST" --set "output_dir=$T/out"
$NS ip addr add 198.18.0.1/24 dev "psp-$INST" || fail "no psp-$INST in the namespace"
$NS ip link set "psp-$INST" up
N=1000
$NS "$BIN/psp_udp_client" 198.18.0.2 6789 $N 500 1,2 2000 > "$T/client.log" 2>&1
rc=$?
cat "$T/client.log"
stop_engine || fail "psp-engine exited with status $?"
sed -n '/^counters:/,$p' "$T/engine.log"
[ $rc -eq 0 ] || fail "the kernel-side client did not get every reply"
check_clean_stop "$T/engine.log"
[ "$(counter received "$T/engine.log")" -eq $N ] || fail "engine received != $N"
[ "$(counter answered "$T/engine.log")" -eq $N ] || fail "engine answered != $N"
[ "$(counter arp_replied "$T/engine.log")" -ge 1 ] || fail "the engine answered no ARP request"
echo "PASS: tap end to end with a kernel UDP client"
