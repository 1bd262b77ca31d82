#!/usr/bin/python3
"""Strips outputs and execution counts from Jupyter notebooks (in place), or,
with --check, fails if any notebook carries them.

    tools/strip_notebooks.py [--check] [NOTEBOOK.ipynb ...]   (default: notebooks/*.ipynb)

Exit status: 0 ok; 1 --check found outputs; 2 usage error; 77 nbformat missing.
"""
import sys
from pathlib import Path

try:
    import nbformat
except ImportError:
    print("strip_notebooks: python3-nbformat is not installed", file=sys.stderr)
    sys.exit(77)


def dirty(nb):
    for c in nb.cells:
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None):
            return True
    return False


def strip(nb):
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
    return nb


def main(argv):
    check = "--check" in argv
    files = [a for a in argv if a != "--check"]
    if any(a.startswith("-") for a in files):
        print(__doc__, file=sys.stderr)
        return 2
    if not files:
        files = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
    bad = 0
    for f in files:
        nb = nbformat.read(f, as_version=4)
        if check:
            if dirty(nb):
                print(f"{f}: has outputs; run tools/strip_notebooks.py {f}", file=sys.stderr)
                bad += 1
        elif dirty(nb):
            nbformat.write(strip(nb), f)
            print(f"stripped {f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
