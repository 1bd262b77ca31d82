#!/usr/bin/env bash
# Executes one notebook headless in quick mode and checks it produced figures.
#   run_notebook.sh NOTEBOOK.ipynb BIN_DIR
# Exit 0 ok, 1 failure, 77 skipped (jupyter nbconvert not installed).
set -euo pipefail
nb=$1
bin_dir=$2
jupyter=/usr/bin/jupyter
python=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

if [ ! -x "$jupyter" ] || ! "$python" -c 'import nbconvert, nbformat, ipykernel, pandas, matplotlib' 2>/dev/null; then
	echo "SKIP: $jupyter or the Python packages of the notebooks are not installed" \
	     "(tools/setup.sh installs them)"
	exit 77
fi

# Committed notebooks carry no outputs.
"$python" "$src/tools/strip_notebooks.py" --check "$nb"

tmp=$(mktemp -d /tmp/psp-nbtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "$nb" .ipynb)
start=$(date +%s)
# The kernel is the notebook's kernelspec (python3): Debian's /usr/bin/python3.
PSP_QUICK=1 PSP_BIN_DIR="$bin_dir" PSP_RESULTS_DIR="$tmp/results" \
PSP_WORKLOAD_PATH="${PSP_WORKLOAD_PATH:-$src/workloads}" \
PYDEVD_DISABLE_FILE_VALIDATION=1 MPLBACKEND=Agg \
	"$jupyter" nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
	--output-dir "$tmp" --output "$name.out.ipynb" "$nb"
echo "$name: executed in $(( $(date +%s) - start )) s"

# At least one non-empty PNG, and no error output in the executed notebook.
shopt -s nullglob
pngs=("$tmp"/results/*.png)
if [ ${#pngs[@]} -eq 0 ]; then
	echo "FAIL: $name produced no figure in $tmp/results" >&2
	exit 1
fi
for p in "${pngs[@]}"; do
	if [ ! -s "$p" ]; then
		echo "FAIL: empty figure $p" >&2
		exit 1
	fi
	echo "figure: $(basename "$p") ($(stat -c %s "$p") bytes)"
done
"$python" - "$tmp/$name.out.ipynb" <<'PY'
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
errs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
        if o.get("output_type") == "error"]
if errs:
    sys.exit(f"FAIL: error output: {errs[0].get('ename')}: {errs[0].get('evalue')}")
PY
echo "ok: $name"
