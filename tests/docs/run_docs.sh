#!/usr/bin/env bash
# The doc tests (tests/docs.cmake; the rules for doc writers: CONTRIBUTING.md,
# "Documented commands").
#   run_docs.sh lint SRC                   every shell-looking block runs or is excused,
#                                          every relative link reaches its file and heading
#   run_docs.sh sim|engine|figures SRC BIN [FILE.md...]
#                                          runs the group's blocks, each in a fresh
#                                          directory made like the source tree
# The files are README.md, CONTRIBUTING.md, docs/*.md, notebooks/README.md and any
# Markdown under dist/ (default: doc_files).
# A block's directory links every top-level entry of SRC, and build/bin holds
# the programs of BIN, psp-sim being tests/docs/psp-sim-short.sh (the short
# settings) but in the figures group; build/bin is first in PATH, so a
# block's bare "psp-sim" is it.
# Fixtures there: engine.csv and prod.csv, one trace (psp-sim --per-request,
# High Bimodal, c-FCFS, 20,000 requests at load 0.5) under the names
# docs/trace-format.md uses.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../check.sh"
group=$1 src=$(cd "$2" && pwd) bin=""
[ "$group" = lint ] || bin=$(cd "$3" && pwd)
cd "$src"
shift 2
doc_files() { echo README.md CONTRIBUTING.md docs/*.md notebooks/README.md $(find dist -name '*.md' 2>/dev/null); }
if [ "$group" = lint ]; then
	files=($(doc_files))
	check "every shell-looking block of the docs runs or is excused" \
		/usr/bin/python3 "$here/doc_blocks.py" lint "${files[@]}"
	check "every relative link of the docs reaches its file and heading" \
		/usr/bin/python3 "$here/doc_blocks.py" links "${files[@]}"
	# the lint itself: each of these blocks must be refused
	refused() { ! /usr/bin/python3 "$here/doc_blocks.py" lint "$1" 2> /dev/null; }
	printf '%s\n' 'text' '```' 'build/bin/psp-sim -w x' '```' > "$tmp/untagged.md"
	printf '%s\n' '```text' '$ echo hi' '```' > "$tmp/prompt.md"
	printf '%s\n' '```' 'import json' '```' > "$tmp/python.md"
	printf '%s\n' '<!-- not run: -->' '```' 'cmake -S .' '```' > "$tmp/noreason.md"
	printf '%s\n' '<!-- doctest: engin -->' '```sh' 'true' '```' > "$tmp/typo.md"
	printf '%s\n' '<!-- doctest: engine -->' '```' 'true' '```' > "$tmp/untagged-run.md"
	for f in untagged prompt python noreason typo untagged-run; do
		check "lint refuses $f.md" refused "$tmp/$f.md"
	done
	printf '%s\n' '<!-- not run: an example -->' '```' 'cmake -S .' '```' '```yaml' 'cd: x' '```' \
		'```' 'usage: psp-sim' '```' > "$tmp/fine.md"
	check "lint accepts fine.md" /usr/bin/python3 "$here/doc_blocks.py" lint "$tmp/fine.md"
	# the link check itself: a missing file and a missing heading are refused
	badlink() { ! /usr/bin/python3 "$here/doc_blocks.py" links "$1" 2> /dev/null; }
	printf '%s\n' '# Top' '[x](nowhere.md)' > "$tmp/nofile.md"
	printf '%s\n' '# Top' '[x](#bottom)' > "$tmp/noanchor.md"
	printf '%s\n' '# Top `a`, b' '[x](#top-a-b) [y](fine.md) [z](https://example.org)' > "$tmp/links.md"
	check "links refuses a link to a missing file" badlink "$tmp/nofile.md"
	check "links refuses a link to a missing heading" badlink "$tmp/noanchor.md"
	check "links accepts links.md" /usr/bin/python3 "$here/doc_blocks.py" links "$tmp/links.md"
	checks_done
	exit
fi
# a block's time limit (timeout kills its whole process group: what it started)
DOC_BLOCK_TIMEOUT=${DOC_BLOCK_TIMEOUT:-240}
shift
files=("$@")
[ ${#files[@]} -gt 0 ] || files=($(doc_files))
# as the engine label's tap tests (tests/engine/lib.sh, need_root_tun)
if [ "$group" = engine ] && { [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] ||
	! command -v ip > /dev/null; }; then
	echo "SKIP: the engine's doc blocks need root (/var/run/dpdk), /dev/net/tun and iproute2 (the tap example)"
	exit 77
fi

/usr/bin/python3 "$here/doc_blocks.py" emit "$group" "$tmp/blocks" "${files[@]}" || exit 1

# doc_root DIR: a directory made like the source tree, build/bin the programs.
doc_root() {
	local d=$1 e
	mkdir -p "$d/build/bin"
	for e in "$src"/* "$src"/.[!.]*; do
		case "${e##*/}" in build* | .git) continue ;; esac
		[ -e "$e" ] && ln -s "$e" "$d/${e##*/}"
	done
	for e in "$bin"/*; do
		ln -s "$e" "$d/build/bin/${e##*/}"
	done
	if [ "$group" != figures ]; then
		rm -f "$d/build/bin/psp-sim"
		cp "$here/psp-sim-short.sh" "$d/build/bin/psp-sim"
	fi
	if [ "$group" = sim ]; then
		"$bin/psp-sim" -w high-bimodal -p cfcfs -l 0.5 -n 20000 -r 1 --no-capacity --quiet \
			--per-request "$d/engine.csv" > /dev/null && cp "$d/engine.csv" "$d/prod.csv"
	fi
}

run_block() {
	local script=$1 where=$2 d=$tmp/root.${1%.sh} st start=$SECONDS
	doc_root "$d"
	DOC_TESTS=$here DOC_ROOT=$d DOC_LOG=$tmp/${script%.sh}.log DOC_REAL_PSP_SIM=$bin/psp-sim \
		PATH="$d/build/bin:$PATH" \
		timeout -k 10 "$DOC_BLOCK_TIMEOUT" bash -c 'source "$1"; source "$2"' doc-block "$here/prelude.sh" "$tmp/blocks/$script" \
		> "$tmp/${script%.sh}.log" 2>&1
	st=$?
	[ "$st" -ne 124 ] || echo "doc test: $where: still running after $DOC_BLOCK_TIMEOUT s (killed)"
	sed "s|^|  |" "$tmp/${script%.sh}.log" | tail -n 40
	grep "^doc test:" "$tmp/${script%.sh}.log"   # the failures, past the tail
	echo "-- $where: exit $st, $((SECONDS - start)) s"
	return $st
}

while read -r script where; do
	echo "== $where"
	check "$where" run_block "$script" "$where"
done < "$tmp/blocks/index"
checks_done "$group blocks of ${files[*]}"
