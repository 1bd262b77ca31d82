# Scaffolding shared by the scripted tests (sourced, bash): a temporary
# directory $tmp removed at exit; check NAME COMMAND... runs COMMAND and
# counts it passed, or failed under NAME; checks_done [NOTE] prints the tally
# and returns non-zero when any check failed (the script's last command).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
check() {
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name"; fails=$((fails + 1)); fi
}
checks_done() {
  echo "$passes passed, $fails failed${1:+ ($1)}"
  [ "$fails" -eq 0 ]
}
