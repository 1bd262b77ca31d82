#!/usr/bin/env bash
# The lists of policies written as text agree with the registry
# (psp_policies[], as psp-sim --list prints it), so that a new policy cannot
# be left out of them: the table of policies of docs/policies.md,
# one row per policy in the registry's order, each with the registry's
# aliases (some of them) and knobs with their defaults, and psp-engine's --help.
#   usage: policy_lists.sh PSP_SIM POLICIES_MD [PSP_ENGINE]
set -euo pipefail
sim=$1 doc=$2 engine=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
registry=$("$sim" --list | awk '/^policies:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^[^ ]/ { on = 0 }')
[ -n "$registry" ] || fail "psp-sim --list printed no policy"
table=$(awk '/^\| policy \| aliases \| model \| knobs/ { on = 1; next }
             on && /^\|---/ { next } on && /^\| `/ { split($0, c, "`"); print c[2]; next } on { exit }' "$doc")
[ "$table" = "$registry" ] || fail "$doc's policy table lists" $table "; the registry (psp-sim --list):" $registry
# Each row's aliases and knobs (with their defaults) are the registry's:
# "name (default)" in the table, "--name X (default D ...)" in --list.
list=$("$sim" --list)
while IFS= read -r row; do
  p=$(cut -d'|' -f2 <<< "$row" | tr -d ' `')
  block=$(awk -v p="$p" '$1 == p && /^  [a-z]/ { on = 1; next } on && /^  [a-z]/ { exit } on { print }' <<< "$list")
  for a in $(cut -d'|' -f3 <<< "$row" | tr -d ' `' | tr ',' ' '); do
    grep -qE "aliases: (.*,)?$a(,|$)" <<< "$block" || fail "$doc: $p's alias $a is not the registry's"
  done
  table_knobs=$(cut -d'|' -f5 <<< "$row" | { grep -oE '`[a-z_]+` \([^;)]*' || true; } |
                sed -E 's/`([a-z_]+)` \(([^ ]*).*/\1 \2/')
  # the flag's name with _ for -, its default's first word as printed (round-robin keeps its -)
  list_knobs=$(sed -nE 's/^ +--([a-z-]+)( [A-Z])? \(default ([^ )]*).*/\1 \3/p' <<< "$block" |
               awk '{ gsub("-", "_", $1); print }')
  [ "$table_knobs" = "$list_knobs" ] ||
    fail "$doc: $p's knobs and defaults are" $table_knobs "; the registry's (psp-sim --list):" $list_knobs
done < <(awk '/^\| policy \| aliases \| model \| knobs/ { on = 1; next }
               on && /^\|---/ { next } on && /^\| `/ { print; next } on { exit }' "$doc")
if [ -n "$engine" ]; then
  # psp-engine runs every policy but the model-only bounds (--list: "model only")
  runs=$(for p in $registry; do
           awk -v p="$p" '$1 == p && /^  [a-z]/ { on = 1; next } on && /^  [a-z]/ { exit } on { print }' <<< "$list" |
             grep -q 'model only' || echo "$p"
         done)
  listed=$("$engine" --help | tr '\n' ' ' | sed -n "s/.*any of psp-sim's but its model-only bounds: \([^)]*\)).*/\1/p" | tr -d ' ' | tr ',' '\n')
  [ "$listed" = "$runs" ] || fail "psp-engine --help lists" $listed "; the registry less its bounds:" $runs
fi
echo "policy lists agree with the registry:" $registry
