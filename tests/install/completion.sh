#!/usr/bin/env bash
# The bash completion of psp-sim, asked as bash would ask it, against the
# psp-sim in BIN_DIR: flags, policies (with a comma list) and workloads.
#   completion.sh COMPLETION_FILE BIN_DIR
set -euo pipefail
file=$1
export PATH=$2:$PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
# complete WORDS...: prints the candidates for the last word.
complete_words() {
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _psp_sim
           printf "%s\n" "${COMPREPLY[@]}"' "$file" "$@"
}
expect() { # expect WANT WORDS...
  local want=$1 got; shift
  got=$(complete_words "$@")
  grep -qx -- "$want" <<<"$got" || fail "'$*' does not offer $want: $(tr '\n' ' ' <<<"$got")"
}
expect --workload psp-sim --work
expect --darc-samples psp-sim --darc-s
expect --trace psp-sim --tra
expect --per-request psp-sim --per-
expect -k psp-sim -
expect darc psp-sim --policy d
expect c-fcfs psp-sim -p c-
expect cfcfs,darc psp-sim --policy cfcfs,da
expect high-bimodal psp-sim --workload high
expect exponential psp-sim -w ''
n=$(complete_words psp-sim --policy '' | wc -l)
[ "$n" -ge 9 ] || fail "--policy offers only $n names"
echo "completion ok"
