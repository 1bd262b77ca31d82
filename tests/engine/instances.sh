#!/usr/bin/env bash
# Two engine + client pairs on the shipped memif configs at once, as they
# ship (each engine's instance is its pid): each engine has its own EAL
# file prefix and memif socket, a client without an instance refuses to
# guess between them, each client given its engine's instance is answered
# by that engine alone, and every run removes its DPDK runtime directory.
# Then a client without an instance finds the one engine listening on its
# socket pattern (an abstract one, as DPDK's memif makes by default, in
# this test's directory, so that no other engine on the machine can be
# found).
. "$(dirname "$0")/lib.sh"

run_dir() { # the DPDK runtime directory of file prefix $1, or ""
	local d
	for d in /var/run/dpdk "${XDG_RUNTIME_DIR:-/tmp}/dpdk"; do
		[ -d "$d/$1" ] && echo "$d/$1" && return 0
	done
	echo ""
}
start_pair_engine() { # $1: name; more psp-engine arguments follow
	local n=$1
	shift
	start_engine "$T/engine-$n.log" "$BIN/psp-engine" --config "$SRC/configs/engine-memif.yml" \
		--set "output_dir=$T/out-$n" "$@"
	grep -q "^  instance: $ENGINE_PID (this process's id" "$T/engine-$n.log" ||
		fail "engine $n's instance is not its pid $ENGINE_PID"
	grep -q -- "--file-prefix psp-engine-$ENGINE_PID " "$T/engine-$n.log" ||
		fail "engine $n's file prefix is not psp-engine-$ENGINE_PID"
	[ -n "$(run_dir "psp-engine-$ENGINE_PID")" ] || fail "no runtime directory for engine $n"
}
start_pair_engine a
A=$ENGINE_PID
start_pair_engine b
B=$ENGINE_PID
SOCK_DIR=/tmp/psp-memif-$(id -u)
grep -q " $SOCK_DIR/$A.sock$" /proc/net/unix && grep -q " $SOCK_DIR/$B.sock$" /proc/net/unix ||
	fail "the engines do not listen on memif socket files of their own in $SOCK_DIR"

status=0
"$BIN/psp-client" --config "$SRC/configs/client-memif.yml" --workload high-bimodal --rate 100 \
	--duration 1 > "$T/which.log" 2>&1 || status=$?
cat "$T/which.log"
[ "$status" -eq 2 ] || fail "a client with two engines to pick from exited with $status, not 2"
grep -q "psp-engines listen on $SOCK_DIR/\*.sock (.*\b$A\b" "$T/which.log" &&
	grep -q "psp-engines listen on $SOCK_DIR/\*.sock (.*\b$B\b" "$T/which.log" &&
	grep -q "pick one with --set instance=ID" "$T/which.log" ||
	fail "the client does not list both engines' instances"

for n in a b; do
	inst=$A
	[ "$n" = b ] && inst=$B
	"$BIN/psp-client" --config "$SRC/configs/client-memif.yml" --set "instance=$inst" \
		--workload high-bimodal --rate 500 --duration 2 > "$T/client-$n.log" 2>&1 &
	eval "CP_$n=\$!"
	STARTED_PIDS+=("$!")
done
wait "$CP_a" || fail "client a failed: $(tail -3 "$T/client-a.log")"
wait "$CP_b" || fail "client b failed: $(tail -3 "$T/client-b.log")"
for n in a b; do
	p=$(grep -o -- "--file-prefix psp-client-[0-9]*" "$T/client-$n.log" | sed 's/.* //')
	[ -n "$p" ] || fail "client $n's file prefix is not psp-client-PID"
	[ -z "$(run_dir "$p")" ] || fail "client $n left its runtime directory $p behind"
done
for n in a b; do
	ENGINE_PID=$A
	[ "$n" = b ] && ENGINE_PID=$B
	stop_engine || fail "engine $n exited with status $?"
	check_clean_stop "$T/engine-$n.log"
	[ -z "$(run_dir "psp-engine-$ENGINE_PID")" ] || fail "engine $n left its runtime directory behind"
	s=$(counter sent "$T/client-$n.log"); a=$(counter answered "$T/client-$n.log")
	r=$(counter received "$T/engine-$n.log")
	echo "pair $n: client sent $s, answered $a; engine received $r"
	[ "$s" -gt 0 ] && [ "$a" -eq "$s" ] && [ "$r" -eq "$s" ] ||
		fail "pair $n: the engine received $r, the client sent $s and got $a answers"
done

VDEV="net_memif0,role=server,id=0,socket=$T/memif-%i.sock,mac=02:00:00:00:00:02"
start_pair_engine c --set "port.vdev=$VDEV"
"$BIN/psp-client" --config "$SRC/configs/client-memif.yml" \
	--set "port.vdev=net_memif0,role=client,id=0,socket=$T/memif-%i.sock,mac=02:00:00:00:00:01" \
	--workload high-bimodal --rate 200 --duration 1 > "$T/client-c.log" 2>&1 ||
	fail "a client with one engine on its pattern failed: $(tail -3 "$T/client-c.log")"
grep -q "^  instance: $ENGINE_PID (the only psp-engine listening on $T/memif-\*.sock)" \
	"$T/client-c.log" || fail "the client did not find the engine's instance"
stop_engine || fail "engine c exited with status $?"
check_clean_stop "$T/engine-c.log"
echo "PASS: two pairs ran side by side on their own prefixes and sockets; a lone engine is found"
