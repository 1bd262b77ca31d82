#!/usr/bin/env bash
# The bash completion of psp-sim, psp-sweep, psp-engine, psp-client and psp-plot, asked
# as bash would ask it, against the programs in BIN_DIR: flags from each
# program's --help, values from psp-sim --values (policies with a comma
# list, workloads, formats, knob choices), files where a path is expected.
#   completion.sh COMPLETION_FILE BIN_DIR
set -euo pipefail
file=$1 bin=$2
export PATH=$bin:$PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
# complete WORDS...: prints the candidates for the last word.
complete_words() {
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _psp
           printf "%s\n" "${COMPREPLY[@]}"' "$file" "$@"
}
expect() { # expect WANT WORDS...
  local want=$1 got; shift
  got=$(complete_words "$@")
  grep -qx -- "$want" <<<"$got" || fail "'$*' does not offer $want: $(tr '\n' ' ' <<<"$got")"
}
refuse() { # refuse UNWANTED WORDS...
  local unwanted=$1 got; shift
  got=$(complete_words "$@")
  ! grep -qx -- "$unwanted" <<<"$got" || fail "'$*' offers $unwanted"
}
# psp-sim: flags, policies (a comma list), workloads, formats, knob choices.
expect --workload psp-sim --work
expect --darc-samples psp-sim --darc-s
expect --trace psp-sim --tra
expect --per-request psp-sim --per-
expect --values psp-sim --val
expect -k psp-sim -
expect darc psp-sim --policy d
expect c-fcfs psp-sim -p c-
expect cfcfs,darc psp-sim --policy cfcfs,da
expect high-bimodal psp-sim --workload high
expect exponential psp-sim -w ''
expect json psp-sim --format j
expect robust psp-sim --darc-variant r
expect flow-hash psp-sim --placement fl
expect per-type psp-sim --ts-variant ''
refuse 1 psp-sim --seed ''
n=$(complete_words psp-sim --policy '' | wc -l)
[ "$n" -ge 9 ] || fail "--policy offers only $n names"
# Every policy and every choice of every choice knob comes from the program.
[ "$(complete_words psp-sim --policy '' | sort)" = "$(psp-sim --values --policy | sort)" ] ||
  fail "--policy does not offer exactly psp-sim --values --policy"
# psp-sweep: its own flags, not psp-sim's.
expect --resume psp-sweep --res
expect --sshloginfile psp-sweep --ssh
refuse --darc-samples psp-sweep --darc
# psp-plot: the figures its --help lists, then its flags, CSV files.
expect slowdown psp-plot slo
expect sim-vs-engine psp-plot sim
expect --slo psp-plot slowdown --sl
expect --engine psp-plot sim-vs-engine --eng
csvdir=$(mktemp -d)
trap 'rm -rf "$csvdir"' EXIT
touch "$csvdir/curve.csv" "$csvdir/curve.txt"
cd "$csvdir"
expect curve.csv psp-plot slowdown cur
refuse curve.txt psp-plot slowdown cur
cd - >/dev/null
if [ -x "$bin/psp-engine" ]; then
  # psp-engine and psp-client: their flags; --policy and --workload from the
  # psp-sim beside them; a single policy, no comma list.
  expect --stats-ms psp-engine --stat
  expect --trace-limit psp-engine --trace-
  expect darc psp-engine --policy da
  expect high-bimodal psp-engine --workload high-b
  refuse cfcfs,darc psp-engine --policy cfcfs,da
  expect --duration psp-client --dur
  expect tpcc psp-client --workload tp
  refuse json psp-client --format ''   # psp-client's formats are its own
fi
echo "completion ok"
