# Sourced (bash) before each block that tests/docs/run_docs.sh runs: the
# helpers the generated block scripts call (tests/docs/doc_blocks.py, script).
# DOC_ROOT is the block's working directory (the source tree's files, build/
# the built programs); DOC_LOG the block's output file.
DOC_FAILED=0
DOC_PIDS=()
DOC_READY=0

# doc_status STATUS WHERE COMMAND: a command of the block ended with STATUS.
doc_status() {
	if [ "$1" -ne 0 ]; then
		echo "doc test: $2: exit $1: $3"
		DOC_FAILED=1
	fi
}

# doc_bg PID: a command of the block went to the background.
doc_bg() { DOC_PIDS+=("$1"); }

# doc_wait_ready PID WHERE: psp-engine started in the background; wait for
# its "ready" line, as a reader of the docs does (30 s at most).
doc_wait_ready() {
	local i
	for i in $(seq 1 300); do
		if [ "$(grep -c 'psp-engine: ready' "$DOC_LOG")" -gt "$DOC_READY" ]; then
			DOC_READY=$((DOC_READY + 1))
			return 0
		fi
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	echo "doc test: $2: psp-engine did not print ready"
	DOC_FAILED=1
}

# doc_stop PID: SIGINT, then 30 s for it to end; returns its exit status.
doc_stop() {
	local i
	kill -INT "$1" 2>/dev/null
	for i in $(seq 1 300); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1"
}

# doc_block_end WHERE: a block stops what it starts.  Waits 30 s for its
# background commands; one still running, or that failed, fails the block.
doc_block_end() {
	local pid i st
	for pid in "${DOC_PIDS[@]}" $(jobs -p); do
		for i in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "doc test: $1: a background command (pid $pid) still runs at the end of the block: the block must stop it"
			DOC_FAILED=1
			doc_stop "$pid"
		else
			wait "$pid" 2>/dev/null
			st=$?
			# 127: already reaped and reported by the shell (listed twice)
			if [ "$st" -ne 0 ] && [ "$st" -ne 127 ]; then
				echo "doc test: $1: a background command (pid $pid) exited $st"
				DOC_FAILED=1
			fi
		fi
	done
	exit "$DOC_FAILED"
}

# doc_engine_start / doc_engine_stop: the engine that with-engine blocks
# query (CONTRIBUTING.md, "Documented commands"): the shipped memif config as
# instance 4242 with --stats-ms 500 (so output_dir is
# results/engine-memif/4242/), given one second of High Bimodal at 2000 rps.
DOC_ENGINE_PID=""
doc_engine_start() {
	local log=$DOC_ROOT/engine-4242.log i
	build/bin/psp-engine --config configs/engine-memif.yml --set instance=4242 \
		--stats-ms 500 > "$log" 2>&1 &
	DOC_ENGINE_PID=$!
	for i in $(seq 1 300); do
		grep -q 'psp-engine: ready' "$log" && break
		kill -0 "$DOC_ENGINE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q 'psp-engine: ready' "$log"; then
		echo "doc test: the instance 4242 engine did not start:"; cat "$log"
		return 1
	fi
	build/bin/psp-client --config configs/client-memif.yml --set instance=4242 \
		--workload high-bimodal --rate 2000 --duration 1 --workers 3 --format csv \
		> "$DOC_ROOT/client-4242.log" 2>&1 || { cat "$DOC_ROOT/client-4242.log"; return 1; }
}
doc_engine_stop() {
	local st
	doc_stop "$DOC_ENGINE_PID"
	st=$?
	[ "$st" -eq 0 ] || { echo "doc test: the instance 4242 engine exited $st:"; cat "$DOC_ROOT/engine-4242.log"; }
	return "$st"
}

# doc_expect_output WHERE COMMAND < EXPECTED: COMMAND's output holds every
# non-empty line of EXPECTED (spaces at either end aside).
doc_expect_output() {
	local where=$1 cmd=$2 line missing=()
	local expected=$DOC_ROOT/expected.txt out=$DOC_ROOT/output.txt
	cat > "$expected"
	eval "$cmd" > "$out"
	doc_status $? "$where" "$cmd"
	while IFS= read -r line; do
		line=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<< "$line")
		[ -n "$line" ] || continue
		sed 's/^[[:space:]]*//; s/[[:space:]]*$//' "$out" | grep -qxF -- "$line" || missing+=("$line")
	done < "$expected"
	if [ ${#missing[@]} -gt 0 ]; then
		echo "\$ $cmd  (the end of its output)"
		tail -n 20 "$out"
		for line in "${missing[@]}"; do
			echo "doc test: $where: quoted, no longer printed by '$cmd': $line"
		done
		DOC_FAILED=1
	fi
}

# doc_console_match WHERE COMMAND < SHOWN: the output a console block shows
# under COMMAND matches what it printed ($DOC_ROOT/console.out): numbers match
# any number, "..." anything (doc_blocks.py, pattern).
doc_console_match() {
	cat > "$DOC_ROOT/console.shown"
	if ! /usr/bin/python3 "$DOC_TESTS/doc_blocks.py" match "$DOC_ROOT/console.shown" \
		"$DOC_ROOT/console.out"; then
		echo "doc test: $1: '$2' no longer prints what the block shows (numbers and ... aside):"
		sed 's/^/  shown: /' "$DOC_ROOT/console.shown"
		DOC_FAILED=1
	fi
}
