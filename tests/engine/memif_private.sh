#!/usr/bin/env bash
# The shipped memif configs cannot be squatted or reached by another user
# (docs/engine.md, "Who can reach the engine"):
# - the socket is a file in /tmp/psp-memif-UID, a directory of the user's
#   with mode 0700;
# - a squatter listening on the abstract name of an instance is not found
#   by a client's discovery (it exits 1: no engine), and a client given that
#   instance does not connect to it;
# - a directory that is not private is refused by the engine and the client
#   (exit 2, naming it);
# - another user (nobody, when run as root) cannot connect to the socket;
# - a socket file left by a SIGKILLed engine does not stop the next start of
#   the same instance.
. "$(dirname "$0")/lib.sh"

DIR=/tmp/psp-memif-$(id -u)
SQUAT=squat$ID
# A squatter: an abstract socket named like an engine's socket, $1.
squat() {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0" + sys.argv[1]); s.listen(1)
open(sys.argv[2], "w").close()
time.sleep(60)' "$1" "$T/squatting" &
	STARTED_PIDS+=("$!")
	local i
	for i in $(seq 1 50); do [ -e "$T/squatting" ] && break; sleep 0.1; done
	rm -f "$T/squatting"
}
# Discovery on a pattern of this test's own (no other engine of the
# machine can be found), in a private directory as the shipped one: the
# squatter's abstract socket matches the pattern's name but is not taken.
mkdir -m 0700 "$T/priv"
squat "$T/priv/$SQUAT.sock"
status=0
"$BIN/psp-client" --config "$SRC/configs/client-memif.yml" \
	--set "port.vdev=net_memif0,role=client,id=0,socket=$T/priv/%i.sock,socket-abstract=no" \
	--workload high-bimodal --rate 100 --duration 1 > "$T/found.log" 2>&1 || status=$?
cat "$T/found.log"
grep -q "$SQUAT" "$T/found.log" && fail "the client's discovery found the squatter's abstract socket"
[ "$status" -eq 1 ] && grep -q "no memif server listens on $T/priv/\*.sock" "$T/found.log" ||
	fail "a client with only a squatter to find exited with $status"
# On the shipped socket's name.
squat "$DIR/$SQUAT.sock"
status=0
"${CLIENT[@]}" --set "instance=$SQUAT" --workload high-bimodal --rate 100 --duration 1 \
	> "$T/squat.log" 2>&1 || status=$?
[ "$status" -eq 1 ] && grep -q "no memif server listens on $DIR/$SQUAT.sock" "$T/squat.log" ||
	fail "a client given the squatter's instance did not refuse (status $status): $(tail -2 "$T/squat.log")"

start_engine "$T/engine.log" "${ENGINE[@]}"
[ -S "$DIR/$INST.sock" ] || fail "no socket file $DIR/$INST.sock"
[ "$(stat -c '%u %a' "$DIR")" = "$(id -u) 700" ] || fail "$DIR is not the user's with mode 0700: $(stat -c '%u %a' "$DIR")"
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	status=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])' "$DIR/$INST.sock" > "$T/nobody.log" 2>&1 || status=$?
	grep -q "Permission denied" "$T/nobody.log" || fail "user nobody could reach the engine's socket (status $status): $(cat "$T/nobody.log")"
	echo "user nobody: $(tail -1 "$T/nobody.log")"
fi
"${CLIENT[@]}" --workload high-bimodal --rate 500 --duration 1 > "$T/client.log" 2>&1 ||
	fail "the client failed on the private socket: $(tail -3 "$T/client.log")"
kill -KILL "$ENGINE_PID"
wait "$ENGINE_PID" 2>/dev/null
[ -S "$DIR/$INST.sock" ] || fail "SIGKILL left no socket file to clean"
start_engine "$T/engine2.log" "${ENGINE[@]}"
stop_engine || fail "psp-engine exited with status $?"
check_clean_stop "$T/engine2.log"
[ ! -e "$DIR/$INST.sock" ] || fail "a clean stop left the socket file"

# A directory that is not private: refused by both sides.
mkdir -m 0755 "$T/open"
VDEV="net_memif0,role=server,id=0,socket=$T/open/%i.sock,socket-abstract=no"
status=0
"${ENGINE[@]}" --set "port.vdev=$VDEV" > "$T/open-engine.log" 2>&1 || status=$?
[ "$status" -eq 2 ] && grep -q "memif socket directory $T/open is not private" "$T/open-engine.log" ||
	fail "the engine took a socket directory of mode 0755 (status $status): $(tail -2 "$T/open-engine.log")"
status=0
"${CLIENT[@]}" --set "port.vdev=net_memif0,role=client,id=0,socket=$T/open/%i.sock,socket-abstract=no" \
	--workload high-bimodal --rate 100 --duration 1 > "$T/open-client.log" 2>&1 || status=$?
[ "$status" -eq 2 ] && grep -q "memif socket directory $T/open is not private" "$T/open-client.log" ||
	fail "the client took a socket directory of mode 0755 (status $status): $(tail -2 "$T/open-client.log")"
echo "PASS: the memif socket is private: no squatting, no other user, a killed engine's file cleaned"
