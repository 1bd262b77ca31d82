#!/usr/bin/env bash
# psp-engine on an ordinary Linux interface, no driver rebinding: one end of
# a veth pair in a network namespace of its own, through DPDK's net_af_packet
# (veth.sh packet) or net_af_xdp (veth.sh xdp; generic XDP: veth has no
# native zero-copy mode here); the other end in a second namespace, where
#   1. a plain kernel UDP client (a client psp does not control) gets every
#      reply, the kernel resolving the engine's MAC by ARP;
#   2. malformed frames are counted by reason and valid traffic goes on;
#   3. psp-client, itself on net_af_packet, gets every reply.
# Counters balance and the mbuf pool is full at the stop.  Exit 77 (skip)
# without root or namespaces, or when the kernel refuses an AF_XDP socket.
. "$(dirname "$0")/lib.sh"
need_root_tun
pmd=${1:?usage: veth.sh packet|xdp}

NETNS="psp-ve-$ID"
NETNS_PEER="psp-vc-$ID"
ip netns add "$NETNS" && ip netns add "$NETNS_PEER" || fail "cannot create the namespaces"
NS="ip netns exec $NETNS"
PEER="ip netns exec $NETNS_PEER"
ve="pe$ID" vc="pc$ID" # at most 15 bytes
ip link add "$ve" numrxqueues 3 numtxqueues 3 type veth peer name "$vc" numrxqueues 3 numtxqueues 3 || fail "cannot create a veth pair"
ip link set "$ve" netns "$NETNS" && ip link set "$vc" netns "$NETNS_PEER" || fail "veth into namespaces"
for n in "$NS" "$PEER"; do
	$n ip link set lo up
	# No IPv6 chatter on the link: it would only be counted as bad_ether.
	$n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# veth leaves a sent UDP checksum to "the hardware" (CHECKSUM_PARTIAL): a
# packet socket would hand DPDK frames whose checksum was never written.  A
# real NIC fills it in; here the peer's kernel must.
$PEER ethtool -K "$vc" tx off > /dev/null 2>&1 || fail "ethtool -K $vc tx off (package ethtool)"
$NS ethtool -K "$ve" tx off > /dev/null 2>&1
$NS ip link set "$ve" up
$PEER ip addr add 198.18.0.1/24 dev "$vc" && $PEER ip link set "$vc" up || fail "peer address"
emac=$($NS cat "/sys/class/net/$ve/address")

case $pmd in
packet) vdev="net_af_packet0,iface=$ve,qpairs=3" ;;
xdp)
	# AF_XDP sockets lock their rings in memory.
	ulimit -l unlimited 2>/dev/null
	vdev="net_af_xdp0,iface=$ve,start_queue=0,queue_count=3"
	;;
*) fail "unknown PMD $pmd (packet or xdp)" ;;
esac

$NS "$BIN/psp-engine" --config "$SRC/configs/engine-af-$pmd.yml" --set "instance=$INST" \
	--set "output_dir=$T/out" --set "port.vdev=$vdev" > "$T/engine.log" 2>&1 &
ENGINE_PID=$!
STARTED_PIDS+=("$ENGINE_PID")
for i in $(seq 1 300); do
	grep -q "ready" "$T/engine.log" && break
	if ! kill -0 "$ENGINE_PID" 2>/dev/null; then
		# (the effective configuration's lines start with two spaces)
		if [ "$pmd" = xdp ] && grep -q "larger than combined queue count" "$T/engine.log"; then
			echo "SKIP: DPDK 22.11's net_af_xdp counts a device's combined channels,"
			echo "which veth does not have (it reports RX and TX channels apart): it offers"
			echo "one queue pair on veth, and psp-engine needs workers + 1 TX queues:"
			grep -v "^  " "$T/engine.log" | tail -6
			exit 77
		fi
		if [ "$pmd" = xdp ] && grep -v "^  " "$T/engine.log" | grep -qiE "xsk|bpf|xdp_"; then
			echo "SKIP: this kernel or container refuses an AF_XDP socket on veth:"
			grep -v "^  " "$T/engine.log" | tail -10
			exit 77
		fi
		fail "psp-engine exited before it was ready"
	fi
	sleep 0.1
done
grep -q "ready" "$T/engine.log" || fail "psp-engine not ready after 30 s"

N=1000
$PEER "$BIN/psp_udp_client" 198.18.0.2 6789 $N 500 1,2 2000 > "$T/client1.log" 2>&1 ||
	fail "the kernel UDP client did not get every reply"
K=20
$PEER "$BIN/psp_inject_frames" "$vc" "$emac" 198.18.0.1 198.18.0.2 6789 $K > "$T/inject.log" 2>&1 ||
	fail "injector failed or unknown-type requests were not answered"
kill -0 "$ENGINE_PID" || fail "psp-engine died on malformed frames"
$PEER "$BIN/psp-client" --config "$SRC/configs/client-memif.yml" --set "instance=$INST" \
	--set "port.vdev=net_af_packet1,iface=$vc" --set rx_queues=1 --set "mac=$($PEER cat /sys/class/net/$vc/address)" \
	--workload high-bimodal --rate 2000 --duration 1 > "$T/client2.log" 2>&1 ||
	fail "psp-client on net_af_packet did not measure (exit $?)"
cat "$T/client1.log" "$T/inject.log" "$T/client2.log"
stop_engine || fail "psp-engine exited with status $?"
sed -n '/^counters:/,$p' "$T/engine.log"
check_clean_stop "$T/engine.log"
for c in rx_runt rx_bad_ip rx_bad_port rx_short_payload rx_unknown_type; do
	[ "$(counter $c "$T/engine.log")" -eq $K ] || fail "$c != $K"
done
M=$(counter sent "$T/client2.log")
[ -n "$M" ] && [ "$M" -gt 1000 ] || fail "psp-client sent ${M:-nothing}"
[ "$(counter answered "$T/client2.log")" -eq "$M" ] || fail "psp-client's answered != sent $M"
[ "$(counter answered "$T/engine.log")" -eq $((N + K + M)) ] || fail "answered != $N + $K + $M"
echo "PASS: psp-engine on net_af_$pmd over veth: kernel client, malformed frames, psp-client"
