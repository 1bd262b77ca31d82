#!/usr/bin/env python3
"""The fenced blocks of the Markdown documentation, for the doc tests.

  doc_blocks.py lint FILE.md...        every shell-looking block is run or excused
  doc_blocks.py links FILE.md...       every relative link names a file of the tree and,
                                       with #ANCHOR, a heading of that file
  doc_blocks.py match SHOWN ACTUAL     a console block's output shown matches ACTUAL
  doc_blocks.py emit GROUP DIR FILE.md...
                                       writes DIR/NNN.sh (one bash script per block of
                                       GROUP: sim, engine or figures) and DIR/index (NNN.sh FILE:LINE)
                                       for tests/docs/run_docs.sh

The rules for doc writers (which blocks run, the markers, what looks like a command)
are in CONTRIBUTING.md, "Documented commands"; COMMANDS, TOP_DIRS and shell_looking()
below are the lint's word list.
"""
import os
import re
import subprocess
import sys

RUN_TAGS = {"sh", "console", "python"}
NOT_SHELL_TAGS = {"c", "yaml", "json", "csv"}
COMMANDS = {
    "apt-get", "cat", "cc", "cd", "cmake", "ctest", "dpkg-buildpackage", "echo", "export",
    "flock", "for", "git", "grep", "ip", "jupyter", "kill", "ldconfig", "ls", "make",
    "modprobe", "parallel", "python3", "sbatch", "scancel", "sinfo", "sleep", "squeue",
    "sudo", "systemctl", "while",
}
TOP_DIRS = {"bench", "build", "core", "debian", "dist", "docs", "engine", "examples",
            "notebooks", "plot", "sim", "tests", "tools", "workloads", "yaml"}
FENCE = re.compile(r"^(\s*)(`{3,})\s*([A-Za-z0-9_+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(not run:|doctest:)(.*?)-->\s*$")
DIRECTIVES = {"engine", "with-engine", "output"}


class Block:
    def __init__(self, path, line, tag, lines, marker):
        self.path, self.line, self.tag, self.lines, self.marker = path, line, tag, lines, marker
        self.excused = None        # the reason, when excused
        self.directives = set()
        self.command = None        # the output directive's command

    def where(self):
        return "%s:%d" % (self.path, self.line)


def blocks(path, errors):
    """The fenced blocks of one Markdown file, with the marker above each."""
    with open(path, encoding="utf-8") as f:
        text = f.read().splitlines()
    out, i = [], 0
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            i += 1
            continue
        indent, ticks, tag = m.group(1), m.group(2), m.group(3).lower()
        start = i
        body = []
        i += 1
        while i < len(text) and not re.match(r"^\s*" + ticks + r"\s*$", text[i]):
            line = text[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i == len(text):
            errors.append("%s:%d: fence never closed" % (path, start + 1))
        i += 1
        marker = MARKER.match(text[start - 1]) if start > 0 else None
        b = Block(path, start + 1, tag, body, marker)
        if marker:
            kind, rest = marker.group(1), marker.group(2).strip()
            if kind == "not run:":
                if not rest:
                    errors.append("%s: <!-- not run: --> needs a reason" % b.where())
                b.excused = rest or "?"
            elif rest.startswith("output "):
                b.directives = {"output"}
                b.command = rest[len("output "):].strip()
                if tag in RUN_TAGS:
                    errors.append("%s: <!-- doctest: output ... --> above a block tagged '%s': "
                                  "it checks a block of output (untagged or text)"
                                  % (b.where(), tag))
            else:
                b.directives = set(rest.split())
                unknown = b.directives - DIRECTIVES
                if unknown or not b.directives or "output" in b.directives:
                    errors.append("%s: <!-- doctest: %s -->: unknown directive (known: engine, "
                                  "with-engine, output COMMAND)" % (b.where(), rest))
                if tag not in RUN_TAGS:
                    errors.append("%s: <!-- doctest: %s --> above a block tagged '%s': "
                                  "only sh, console and python blocks run"
                                  % (b.where(), rest, tag))
        out.append(b)
    return out


def first_command(line):
    """The first word of a shell line past a prompt, sudo and assignments."""
    words = line.strip()
    if words.startswith("$ "):
        words = words[2:]
    words = words.split()
    while words and (re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]) or words[0] == "sudo"):
        words = words[1:]
    return words[0] if words else ""


def shell_looking(block):
    """The first line of block that reads as a command, or None."""
    for line in block.lines:
        if line.strip().startswith("$ "):
            return line
        w = first_command(line)
        if not w:
            continue
        if re.match(r"^(import \w|from [\w.]+ import )", line.strip()):
            return line            # Python: tag it python
        if w in COMMANDS or re.match(r"^psp[-_]", w) or re.match(r"^dpdk-.*\.py$", w):
            return line
        parts = w.lstrip("./").split("/")
        if len(parts) > 1 and (parts[0] in TOP_DIRS or parts[0].startswith("build")):
            return line
    return None


def lint(files):
    errors = []
    for path in files:
        for b in blocks(path, errors):
            if b.tag in RUN_TAGS or b.excused or b.tag in NOT_SHELL_TAGS or b.directives:
                continue
            line = shell_looking(b)
            if line is not None:
                errors.append("%s: a block tagged '%s' holds a command (%s): tag it sh, "
                              "console or python to run it, or put <!-- not run: REASON --> "
                              "above it" % (b.where(), b.tag or "", line.strip()))
    for e in errors:
        print("doc_blocks: " + e, file=sys.stderr)
    return 1 if errors else 0


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchor(heading):
    """The anchor GitHub gives a Markdown heading."""
    h = heading.strip().lower().replace("`", "")
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(path):
    out, fenced = set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if re.match(r"^\s*```", line):
                fenced = not fenced
            elif not fenced and line.startswith("#"):
                out.add(anchor(line.lstrip("#")))
    return out


def links(files):
    errors = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"(?ms)^\s*```.*?^\s*```", "", text)   # no links in code
        text = re.sub(r"`[^`\n]*`", "", text)
        for m in LINK.finditer(text):
            target = m.group(1)
            if re.match(r"^[a-z]+:", target):
                continue                                     # https:, mailto:
            file, _, frag = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(dest):
                errors.append("%s: link to %s: no such file" % (path, target))
            elif frag and dest.endswith(".md") and frag not in anchors(dest):
                errors.append("%s: link to %s: %s has no heading with that anchor"
                              % (path, target, dest))
    for e in errors:
        print("doc_blocks: " + e, file=sys.stderr)
    return 1 if errors else 0


def command_groups(lines):
    """Splits shell lines into complete commands (bash -n accepts each)."""
    groups, acc = [], []
    for line in lines:
        acc.append(line)
        text = "\n".join(acc)
        if not text.strip() or text.rstrip().endswith("\\"):
            continue
        if subprocess.run(["bash", "-n"], input=text + "\n", text=True,
                          stderr=subprocess.DEVNULL).returncode == 0:
            groups.append(acc)
            acc = []
    if acc and "\n".join(acc).strip():
        groups.append(acc)     # incomplete: bash will report the syntax error
    return groups


def script(b):
    """A bash script running block b: each command, then its status checked."""
    out = ['cd "$DOC_ROOT"']
    if "output" in b.directives:
        out.append("doc_expect_output %s %s <<'DOC_EXPECTED_EOF'" % (b.where(),
                                                                     shell_quote(b.command)))
        out += b.lines
        out.append("DOC_EXPECTED_EOF")
        out.append("doc_block_end %s" % b.where())
        return "\n".join(out) + "\n"
    if "with-engine" in b.directives:
        out.append("doc_engine_start || exit 1")
    if b.tag == "python":
        out.append("/usr/bin/python3 - <<'DOC_PYTHON_EOF'")
        out += b.lines
        out.append("DOC_PYTHON_EOF")
        out.append("doc_status $? %s 'the python block'" % b.where())
    else:
        lines = b.lines
        if b.tag == "console":
            console_commands(b, out)
            lines = []
        for g in command_groups(lines):
            first = g[0].strip()
            out += g
            out.append("doc_status $? %s %s" % (b.where(), shell_quote(first)))
            if re.search(r"&\s*(#.*)?$", g[-1]):
                out.append("doc_bg $!")
                if re.search(r"psp-engine\b", "\n".join(g)):
                    out.append("doc_wait_ready $! %s" % b.where())
    if "with-engine" in b.directives:
        out.append('cd "$DOC_ROOT"; doc_engine_stop || DOC_FAILED=1')
    out.append("doc_block_end %s" % b.where())
    return "\n".join(out) + "\n"


def console_commands(b, out):
    """A console block: each "$ " command, its output matched against the lines shown
    under it (match below).  Appends to out; the caller ends the block."""
    cmds = []
    for line in b.lines:
        if line.strip().startswith("$ "):
            cmds.append((line.strip()[2:], []))
        elif cmds:
            cmds[-1][1].append(line)
    for cmd, shown in cmds:
        out.append("{\n%s\n} > \"$DOC_ROOT/console.out\"" % cmd)
        out.append("doc_status $? %s %s" % (b.where(), shell_quote(cmd)))
        out.append('cat "$DOC_ROOT/console.out"')
        if any(l.strip() for l in shown):
            out.append("doc_console_match %s %s <<'DOC_SHOWN_EOF'" % (b.where(), shell_quote(cmd)))
            out += shown
            out.append("DOC_SHOWN_EOF")


def pattern(text):
    """The output a console block shows, as a pattern: lines stripped and joined (a
    long line may be wrapped for display), each number matching any number, "..."
    matching anything."""
    flat = "".join(l.strip() for l in text.splitlines())
    parts = re.split(r"(\.\.\.|-?[0-9]+(?:\.[0-9]+)?)", flat)
    rx = ""
    for p in parts:
        if p == "...":
            rx += ".*?"
        elif re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", p or "x"):
            rx += r"-?[0-9]+(?:\.[0-9]+)?"
        else:
            rx += re.escape(p)
    return rx


def match(shown_path, actual_path):
    with open(shown_path, encoding="utf-8") as f:
        shown = f.read()
    with open(actual_path, encoding="utf-8", errors="replace") as f:
        actual = "".join(l.strip() for l in f.read().splitlines())
    return 0 if re.search(pattern(shown), actual) else 1


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def emit(group, outdir, files):
    errors = []
    os.makedirs(outdir, exist_ok=True)
    index = []
    for path in files:
        for b in blocks(path, errors):
            if b.excused or (b.tag not in RUN_TAGS and "output" not in b.directives):
                continue
            if "output" in b.directives:
                g = "figures"
            elif b.directives & {"engine", "with-engine"}:
                g = "engine"
            else:
                g = "sim"
            if g != group:
                continue
            name = "%03d.sh" % len(index)
            with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
                f.write(script(b))
            index.append("%s %s" % (name, b.where()))
    with open(os.path.join(outdir, "index"), "w", encoding="utf-8") as f:
        f.write("".join(l + "\n" for l in index))
    for e in errors:
        print("doc_blocks: " + e, file=sys.stderr)
    return 1 if errors else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "lint":
        return lint(argv[2:])
    if len(argv) >= 2 and argv[1] == "links":
        return links(argv[2:])
    if len(argv) == 4 and argv[1] == "match":
        return match(argv[2], argv[3])
    if len(argv) >= 4 and argv[1] == "emit":
        return emit(argv[2], argv[3], argv[4:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
