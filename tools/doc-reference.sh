#!/usr/bin/env bash
# docs/reference.md: what the programs print about themselves (--help, and
# psp-sim --list: every policy's properties and knobs), so that the manual
# quotes them without copying them by hand.
#   tools/doc-reference.sh BIN_DIR > docs/reference.md     (re)write it
#   tools/doc-reference.sh --check BIN_DIR FILE            exit 1, with the diff,
#                                                         when FILE is not what
#                                                         BIN_DIR's programs print
# Without psp-engine and psp-client in BIN_DIR (-DPSP_ENGINE=OFF), --check
# compares the other programs' sections only.  The test docs.reference runs
# --check on the built programs.
set -euo pipefail
check=""
if [ "${1:-}" = --check ]; then
	shift
	check=${2:?usage: doc-reference.sh --check BIN_DIR FILE}
fi
bin=${1:?usage: doc-reference.sh [--check] BIN_DIR [FILE]}

# section TITLE COMMAND...: one program's own text as a Markdown section
section() {
	local title=$1
	shift
	printf '## `%s`\n\n' "$title"
	printf '<!-- not run: the output of %s, written by tools/doc-reference.sh -->\n' "$title"
	printf '```text\n'
	# the workloads' directory is where this psp-sim runs from: not part of the text
	"$@" | sed 's|^workloads (in .*):$|workloads (in the workloads directory):|'
	printf '```\n\n'
}

generate() {
	local engine=$1
	cat <<'EOF'
# Command reference

What the programs print about themselves, quoted whole: every flag (`--help`) and every
policy's model, properties and knobs (`psp-sim --list`).  `tools/doc-reference.sh` writes this
page from the built programs and the test `docs.reference` fails when it no longer matches
them: after changing a program's help, run `tools/doc-reference.sh build/bin >
docs/reference.md`.  The man pages are the same text (help2man).  What the flags' outputs
mean: [sim.md](sim.md) (psp-sim), [sweeps.md](sweeps.md) (psp-sweep), [plot.md](plot.md)
(psp-plot), [engine-reference.md](engine-reference.md) (psp-engine, psp-client).

EOF
	section "psp-sim --help" "$bin/psp-sim" --help
	section "psp-sim --list" "$bin/psp-sim" --list
	section "psp-sweep --help" "$bin/psp-sweep" --help
	section "psp-plot --help" "$bin/psp-plot" --help
	if [ "$engine" = yes ]; then
		section "psp-engine --help" "$bin/psp-engine" --help
		section "psp-client --help" "$bin/psp-client" --help
	fi
}

engine=no
[ -x "$bin/psp-engine" ] && [ -x "$bin/psp-client" ] && engine=yes
if [ -z "$check" ]; then
	generate "$engine" | sed '$d'   # no blank line at the end
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expected=$check
if [ "$engine" = yes ]; then
	generate yes | sed '$d' > "$tmp/want.md"
else
	# the engine's sections aside (the last section kept ends with its blank line)
	generate no > "$tmp/want.md"
	awk '/^## `psp-(engine|client) / { skip = 1; next } /^## / { skip = 0 } !skip' "$check" > "$tmp/have.md"
	expected=$tmp/have.md
fi
if ! diff -u "$expected" "$tmp/want.md"; then
	echo "FAIL: $check is not what the programs of $bin print (above: - the file, + the programs);" \
		"regenerate it: tools/doc-reference.sh $bin > $check" >&2
	exit 1
fi
echo "$check: what the programs of $bin print"
