#!/usr/bin/env bash
# The lists of policies written as text agree with the registry
# (psp_policies[], as psp-sim --list prints it), so that a new policy cannot
# be left out of them: the table of policies of docs/policies.md,
# one row per policy in the registry's order, and psp-engine's --help.
#   usage: policy_lists.sh PSP_SIM POLICIES_MD [PSP_ENGINE]
set -euo pipefail
sim=$1 doc=$2 engine=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
registry=$("$sim" --list | awk '/^policies:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^[^ ]/ { on = 0 }')
[ -n "$registry" ] || fail "psp-sim --list printed no policy"
table=$(awk '/^\| policy \| aliases \| model \| knobs/ { on = 1; next }
             on && /^\|---/ { next } on && /^\| `/ { split($0, c, "`"); print c[2]; next } on { exit }' "$doc")
[ "$table" = "$registry" ] || fail "$doc's policy table lists" $table "; the registry (psp-sim --list):" $registry
if [ -n "$engine" ]; then
  listed=$("$engine" --help | tr '\n' ' ' | sed -n "s/.*any of psp-sim's: \([^)]*\)).*/\1/p" | tr -d ' ' | tr ',' '\n')
  [ "$listed" = "$registry" ] || fail "psp-engine --help lists" $listed "; the registry:" $registry
fi
echo "policy lists agree with the registry:" $registry
