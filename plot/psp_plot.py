"""psp's standard figures, drawn from the CSV files the programs write.

The functions behind psp-plot (the command, beside this module) and the
notebooks (notebooks/psplib.py imports them from this directory):

- read_table(path, figure, need): a psp CSV as a DataFrame, '#' lines
  skipped, refused with InputError (naming the file and what is missing or
  malformed) when it lacks a column the figure needs.  Columns are selected by
  name: extra columns (later psp versions, --system) are ignored.
- style(policy): a policy's colour, marker and label, the same in every figure.
- draw_metric / mark_overloaded / overload_legend_note: a statistic against
  load per policy, with its 95% interval as a band; overloaded points are
  never drawn as latencies.
- reservations / final_reservation / draw_timeline: DARC's reserved cores
  over time, from psp-sim --timeline or psp-engine's darc-timeline.csv.
- slowdown_figure, capacity_figure, timeline_figure, sim_vs_engine_figure:
  the four figures of psp-plot; save(fig, path) writes PNG or SVG by the
  file's extension.

Every drawn series carries the SVG id "psp-series-N" (matplotlib's gid), so a
test can count the series of an SVG figure.

The column names are those of psp-sim's outputs (docs/sim.md, "Outputs");
psp-client writes psp-sim's --format csv columns.
"""

import io
import math
import sys
from pathlib import Path

import matplotlib

if "ipykernel" not in sys.modules:  # in a notebook: its inline backend (Agg-based)
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.transforms as mtransforms  # noqa: E402
import pandas as pd  # noqa: E402

# The figures psp-plot draws and the columns each needs in its input; the
# optional columns are used when present (intervals, reservations, ...).
RESULT_COLUMNS = ["policy", "workload", "workers", "load", "offered_rps", "type"]
STATISTICS = ["p999_slowdown", "mean_slowdown", "mean_us", "p50_us", "p99_us", "p999_us"]
CAPACITY_COLUMNS = ["policy", "workload", "slo", "found", "capacity_load", "capacity_lo",
                    "capacity_hi"]
TIMELINE_COLUMNS = ["time_ns", "types", "reserved_cores"]
PERCENTILES = [("p50_us", "p50"), ("p99_us", "p99"), ("p999_us", "p99.9")]
FORMATS = ("png", "svg")

POLICY_STYLE = {
    "cfcfs": dict(color="tab:blue", marker="o", label="c-FCFS"),
    "dfcfs": dict(color="tab:orange", marker="s", label="d-FCFS"),
    "ts": dict(color="tab:green", marker="^", label="TS"),
    "darc": dict(color="tab:red", marker="D", label="DARC"),
    "sjf": dict(color="tab:purple", marker="v", label="SJF"),
    "jbsq": dict(color="tab:brown", marker="P", label="JBSQ"),
    "ws": dict(color="tab:pink", marker="*", label="WS"),
    "tq": dict(color="tab:olive", marker="h", label="TQ"),
    "concord": dict(color="tab:cyan", marker="p", label="Concord"),
    "engine": dict(color="tab:gray", marker="x", label="engine"),
}
_BASE_STYLES = set(POLICY_STYLE)
_EXTRA_COLORS = ["black", "gold", "navy", "lime", "teal", "maroon"]


class InputError(Exception):
    """A file that cannot give the figure asked for; the message names the file."""


# ---------------------------------------------------------------- input

def read_table(path, figure, need, numeric=()):
    """A psp CSV -> DataFrame.  Lines starting with '#' (psp-sim's notes, a
    truncated timeline's last line) are skipped.  Raises InputError naming
    the file when it cannot be read, has no rows, lacks one of the columns
    `need` (the first missing one is named, with the figure that needs it),
    or holds a non-number in one of the columns `numeric` (file:line)."""
    path = str(path)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text (UTF-8) file") from None
    kept = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    if not kept:
        raise InputError(f"{path}: empty: no CSV header")
    try:
        df = pd.read_csv(io.StringIO("\n".join(line for _, line in kept)), dtype=str,
                         keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as e:
        raise InputError(f"{path}: not a CSV file: {e}") from None
    header = list(df.columns)
    for col in need:
        if col not in header:
            raise InputError(f"{path}: missing column '{col}' (the {figure} figure needs "
                             f"{', '.join(need)}; the file has {', '.join(header)})")
    if df.empty:
        raise InputError(f"{path}: no rows under the header")
    df.attrs["path"] = path
    df["_line"] = [n for n, _ in kept[1:1 + len(df)]]
    for col in numeric:
        if col in df:
            df[col] = _numbers(df, col, path)
    return df


def _numbers(df, col, path):
    """Column col as floats (an empty cell is NaN); InputError at the first
    cell that is not a number."""
    s = df[col].str.strip()
    out = pd.to_numeric(s.where(s != ""), errors="coerce")
    bad = out.isna() & (s != "")
    if bad.any():
        i = bad.idxmax()
        raise InputError(f"{path}:{df.at[i, '_line']}: column '{col}': not a number: {s[i]!r}")
    return out


def read_results(paths, figure, extra=()):
    """psp-sim / psp-sweep / psp-client results CSVs, concatenated, with a
    column `_file` (the file's name); extra: the statistic columns the
    figure also needs."""
    need = list(RESULT_COLUMNS) + list(extra)
    numeric = ["workers", "load", "offered_rps", "achieved_rps", "count", "overloaded"]
    numeric += [c for s in STATISTICS for c in (s, s + "_lo", s + "_hi")]
    frames = []
    for p in paths:
        d = read_table(p, figure, need, numeric)
        d["_file"] = str(p)
        frames.append(d)
    df = pd.concat(frames, ignore_index=True)
    df["overloaded"] = (df["overloaded"] == 1) if "overloaded" in df else False
    return df


def read_capacities(paths):
    """psp-sim --slo-output / psp-sweep's CELL.capacity.csv files, concatenated."""
    frames = []
    for p in paths:
        d = read_table(p, "capacity", CAPACITY_COLUMNS,
                       ["workers", "slo", "found", "capacity_load", "capacity_lo", "capacity_hi",
                        "capacity_rps"])
        d["_file"] = str(p)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def read_timelines(paths):
    """DARC timelines (psp-sim --timeline, psp-engine's darc-timeline.csv)."""
    frames = []
    for p in paths:
        d = read_table(p, "timeline", TIMELINE_COLUMNS, ["time_ns", "load"])
        d["_file"] = str(p)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- styles

def style(policy):
    """Plot style (color, marker, label) of a policy; a policy this file does
    not know (psp-sim --list grew, a psp-client --label) gets a colour of its own."""
    if policy not in POLICY_STYLE:
        i = sum(1 for k in POLICY_STYLE if k not in _BASE_STYLES)
        POLICY_STYLE[policy] = dict(color=_EXTRA_COLORS[i % len(_EXTRA_COLORS)], marker="d",
                                    label=policy)
    return POLICY_STYLE[policy]


class _Series:
    """Numbers the series of a figure: each gets the SVG id psp-series-N."""

    def __init__(self):
        self.n = 0

    def tag(self, *artists):
        """Gives the artists (containers: their parts) the next series' id."""
        def walk(a):
            if a is None:
                return
            if isinstance(a, (list, tuple)):
                for b in a:
                    walk(b)
            elif hasattr(a, "patches"):  # a BarContainer
                walk(list(a.patches))
            else:
                a.set_gid(f"psp-series-{self.n}")
        walk(list(artists))
        self.n += 1


def _series_keys(df, within):
    """The columns that tell apart the series of one policy among the rows
    df (a panel, or a capacity plot): `workers` when one policy (in one group
    `within`) has several worker counts, then `_file` when one policy still
    has two rows at one load (two files of the same runs); [] when the
    policy alone does."""
    chosen = []
    if "workers" in df and (df.groupby(["policy"] + within)["workers"].nunique() > 1).any():
        chosen.append("workers")
    at = [c for c in ("load", "offered_rps") if c in df]
    if df["_file"].nunique() > 1 and df.duplicated(["policy"] + within + chosen + at).any():
        chosen.append("_file")
    return chosen


def _suffix(row, varying):
    parts = []
    for c in varying:
        v = row[c]
        if c == "workers":
            parts.append(f"{v:g} workers")
        elif c == "_file":
            parts.append(Path(str(v)).stem)
        else:
            parts.append(str(v))
    return f" ({', '.join(parts)})" if parts else ""


# ---------------------------------------------------------------- curves

def mark_overloaded(ax, xs, color, marker="x", gid=None):
    """Overloaded points: an x at the top edge of the axes (never a latency)."""
    if len(xs) == 0:
        return None
    trans = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
    return ax.scatter(list(xs), [0.97] * len(xs), transform=trans, marker=marker, color=color,
                      s=40, clip_on=False, zorder=5, gid=gid)


def overload_legend_note(ax, where="upper left"):
    """Explains the x markers of mark_overloaded inside the axes."""
    x, ha = (0.01, "left") if "left" in where else (0.99, "right")
    y, va = (0.99, "top") if "upper" in where else (0.01, "bottom")
    ax.text(x, y, "x on top edge = overloaded", transform=ax.transAxes,
            fontsize=7, va=va, ha=ha, color="0.3")


def draw_metric(ax, df, column, policies, x="krps", label=True, styles=None, bands=True,
                series=None):
    """One line per policy of `column` against offered load (x='krps') or
    load (x='load'); its 95% interval (COLUMN_lo, COLUMN_hi), where the CSV
    has one, as a band.  Overloaded points are dropped from the line and
    marked on the top edge.  styles: {policy or variant key: style}
    (default: style(policy)).  Returns the number of lines drawn."""
    drawn = 0
    for pol in policies:
        d = df[df["policy"] == pol].sort_values("load" if x == "load" else "offered_rps")
        if d.empty:
            continue
        st = dict((styles or {}).get(pol) or style(pol))
        xs = d["offered_rps"] / 1e3 if x == "krps" else d["load"]
        ok = ~d["overloaded"].astype(bool) & d[column].notna() & xs.notna()
        line, = ax.plot(xs[ok], d[column][ok], ms=4, lw=1.2,
                        **{**st, "label": st.get("label") if label else None})
        band = None
        lo, hi = column + "_lo", column + "_hi"
        if bands and lo in d and hi in d:
            b = ok & d[lo].notna() & d[hi].notna()
            if b.any():
                band = ax.fill_between(xs[b], d[lo][b], d[hi][b], color=line.get_color(),
                                       alpha=0.18, lw=0)
        over = mark_overloaded(ax, xs[d["overloaded"].astype(bool)].dropna(), line.get_color())
        if series is not None:
            series.tag(line, band, over)
        drawn += 1
    ax.set_yscale("log")
    ax.set_xlabel("offered load (kRPS)" if x == "krps" else "load (fraction of capacity)")
    ax.grid(True, which="both", alpha=0.3)
    return drawn


# the notebooks' name for it
plot_metric = draw_metric

STAT_LABEL = {
    "p999_slowdown": "p99.9 slowdown (latency / service time)",
    "mean_slowdown": "mean slowdown (latency / service time)",
    "mean_us": "mean latency (µs)", "p50_us": "median latency (µs)",
    "p99_us": "p99 latency (µs)", "p999_us": "p99.9 latency (µs)",
}


def slowdown_figure(df, stat="p999_slowdown", types=("ALL",), x="load", slo=None, title=None,
                    size=None):
    """The statistic `stat` against load, one line per policy (and per file
    or worker count where those vary) with its interval band, one panel per
    (workload, type), the SLO as a horizontal line.  df: read_results'.
    Raises InputError when a type has no rows or no load can be placed."""
    path = ", ".join(dict.fromkeys(df["_file"]))
    present = list(dict.fromkeys(df["type"]))
    for t in types:
        if t not in present:
            raise InputError(f"{path}: no rows of type '{t}' (the files have: {', '.join(present)})")
    xcol = "load" if x == "load" else "offered_rps"
    if df[xcol].isna().all():
        raise InputError(f"{path}: column '{xcol}' is empty in every row"
                         + (" (psp-client without --workers): use --x krps" if x == "load" else ""))
    workloads = list(dict.fromkeys(df["workload"]))
    panels = [(w, t) for w in workloads for t in types]
    cols = min(len(panels), 3)
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=size or (5.6 * cols, 4.2 * nrows), squeeze=False)
    axes = axes.ravel()
    series = _Series()
    for ax, (w, t) in zip(axes, panels):
        d = df[(df["workload"] == w) & (df["type"] == t)].copy()
        varying = _series_keys(d, [])
        keys, styles = [], {}
        for _, r in d.drop_duplicates(["policy"] + varying).iterrows():
            key = r["policy"] + _suffix(r, varying)
            st = dict(style(r["policy"]))
            st["label"] = st["label"] + _suffix(r, varying)
            if varying:
                # the variants of one policy: dashed and hollow after the first
                n = sum(1 for k in keys if k.split(" (")[0] == r["policy"])
                if n % 2:
                    st.update(ls="--", mfc="none")
            keys.append(key)
            styles[key] = st
        d["policy"] = [r["policy"] + _suffix(r, varying) for _, r in d.iterrows()]
        draw_metric(ax, d, stat, keys, x="load" if x == "load" else "krps", styles=styles,
                    series=series)
        if slo is not None:
            unit = "x" if stat.endswith("slowdown") else " µs"
            ax.axhline(slo, ls=":", color="k", lw=1, label=f"SLO {slo:g}{unit}")
        ax.set_ylabel(STAT_LABEL.get(stat, stat) + ("" if t == "ALL" else f", {t}"))
        ax.set_title(f"{w}: {'all requests' if t == 'ALL' else t}", fontsize=10)
        overload_legend_note(ax)
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    lo = stat + "_lo"
    note = ("band: 95% interval" if lo in df and df[lo].notna().any() else
            "no interval in the file: one replication, or a percentile of fewer than 6")
    fig.suptitle(title or f"{STAT_LABEL.get(stat, stat)} vs load ({note})", fontsize=11)
    fig.tight_layout()
    fig.psp_series = series.n
    return fig


# ---------------------------------------------------------------- capacity

def capacity_figure(cap, y="load", title=None, size=None):
    """Capacity bars: one group per (workload, SLO, workers, file where
    these vary), one bar per policy, the 95% range (or bracket, under 6
    replications) as an error bar; a policy that met the SLO at no load gets
    an empty bar marked 'none'.  cap: read_capacities'."""
    varying = _series_keys(cap, ["workload", "slo"])
    gcols = ["workload", "slo"] + varying
    groups = list(dict.fromkeys(tuple(r[c] for c in gcols) for _, r in cap.iterrows()))
    policies = list(dict.fromkeys(cap["policy"]))
    nb = len(policies)
    wd = 0.8 / nb
    fig, ax = plt.subplots(figsize=size or (max(6.0, 1.1 * len(groups) * (1 + 0.3 * nb)), 4.4))
    series = _Series()
    scale = 1.0
    for i, pol in enumerate(policies):
        st = style(pol)
        xs, hs, lo, hi, nones = [], [], [], [], []
        for j, g in enumerate(groups):
            m = cap["policy"] == pol
            for c, v in zip(gcols, g):
                m &= cap[c] == v
            if not m.any():
                continue
            r = cap[m].iloc[0]
            xpos = j + (i - (nb - 1) / 2) * wd
            found = r["found"] == 1
            if y == "krps":
                rps = pd.to_numeric(r.get("capacity_rps", float("nan")), errors="coerce")
                scale = rps / r["capacity_load"] / 1e3 if found and r["capacity_load"] > 0 else 0
            h = r["capacity_load"] * scale if found else 0.0
            xs.append(xpos)
            hs.append(h)
            lo.append(max(h - r["capacity_lo"] * scale, 0) if found else 0)
            hi.append(max(r["capacity_hi"] * scale - h, 0) if found else 0)
            if not found:
                nones.append(xpos)
        if not xs:
            continue
        bars = ax.bar(xs, hs, wd, color=st["color"], label=st["label"])
        err = ax.errorbar(xs, hs, yerr=[lo, hi], fmt="none", ecolor="k", capsize=3, lw=1)
        for xpos in nones:
            ax.text(xpos, 0.01, "none", rotation=90, ha="center", va="bottom", fontsize=7,
                    color=st["color"], transform=ax.get_xaxis_transform())
        series.tag(bars, err.lines[1], err.lines[2])
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([f"{g[0]}\nSLO {g[1]:g}x" + "".join(
        f"\n{v:g} workers" if c == "workers" else f"\n{Path(str(v)).stem}" if c == "_file" else ""
        for c, v in zip(gcols[2:], g[2:])) for g in groups])
    if y == "krps":
        ax.set_ylabel("capacity at the SLO (kRPS)")
    else:
        ax.set_ylabel("capacity at the SLO\n(load, fraction of the workers)")
        ax.set_ylim(0, 1.1)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=min(nb, 6))
    kinds = set(cap["capacity_range"]) if "capacity_range" in cap else set()
    what = ("95% range" if kinds == {"confidence"} else
            "bracket: to the lowest load that missed the SLO" if kinds == {"bracket"} else
            "95% range (confidence) or bracket (under 6 replications)")
    ax.set_title(title or f"Highest load whose p99.9 slowdown meets the SLO (error bars: {what})",
                 fontsize=10)
    fig.tight_layout()
    fig.psp_series = series.n
    return fig


# ---------------------------------------------------------------- timelines

def core_count(spec):
    """'0-13' -> 14, '0' -> 1, '0-1,13' -> 3, '-' or '' -> 0."""
    if not isinstance(spec, str) or spec.strip() in ("", "-"):
        return 0
    n = 0
    for part in spec.replace("+", ",").split(","):
        part = part.strip()
        if not part or part == "-":
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            n += int(b) - int(a) + 1
        else:
            int(part)
            n += 1
    return n


def reservations(timeline):
    """A DARC timeline (sim or engine) -> the same rows with `cores` (the
    number of reserved cores) and `time_s`; 'types' names the group
    ('SHORT', 'A+B').  Raises InputError on a core set it cannot read."""
    t = timeline.copy()
    if t["time_ns"].dtype == object:
        t["time_ns"] = pd.to_numeric(t["time_ns"])
    cores = []
    for _, r in t.iterrows():
        try:
            cores.append(core_count(r["reserved_cores"]))
        except ValueError:
            where = f"{t.attrs.get('path') or r.get('_file', '')}:{r.get('_line', '?')}"
            raise InputError(f"{where}: column 'reserved_cores': not a core set: "
                             f"{r['reserved_cores']!r}") from None
    t["cores"] = cores
    t["time_s"] = t["time_ns"] / 1e9
    return t


def final_reservation(timeline):
    """{group types: reserved core count} of the last reservation, or {}."""
    if timeline is None or len(timeline) == 0:
        return {}
    t = reservations(timeline)
    last = t[t["time_ns"] == t["time_ns"].max()]
    return dict(zip(last["types"], last["cores"]))


def draw_timeline(ax, timeline, end_s=None, unit=None, series=None, colors=None):
    """DARC's reserved cores per group over time as step lines, one per group
    (named by its types; a group absent from a reservation has 0 cores
    then), each reservation a dot.  end_s: where the last plan's step ends
    (default 15% past the last reservation: a timeline does not say when the
    run ended); unit: 's' or 'ms' (default: ms when the last reservation is
    before 1 s).  Returns the groups drawn."""
    tl = reservations(timeline)
    if tl.empty:
        return []
    times = sorted(tl["time_s"].unique())
    groups = list(dict.fromkeys(tl["types"]))
    cores = pd.DataFrame(0, index=times, columns=groups)
    for ts, g in tl.groupby("time_s"):
        for _, row in g.iterrows():
            cores.loc[ts, row["types"]] = row["cores"]
    end = end_s if end_s is not None else (times[-1] * 1.15 if times[-1] > 0 else 1.0)
    if end > times[-1]:
        cores.loc[end] = cores.iloc[-1]
    unit = unit or ("ms" if times[-1] < 1 else "s")
    k = 1e3 if unit == "ms" else 1.0
    for i, g in enumerate(groups):
        c = (colors or {}).get(g, f"C{(i + len(colors or {})) % 10}")
        line, = ax.step(cores.index * k, cores[g], where="post", lw=2, color=c, label=f"group {g}")
        dots, = ax.plot([t * k for t in times], cores.loc[times, g], "o", ms=3, color=c)
        if series is not None:
            series.tag(line, dots)
    if times[0] > 0:  # DARC profiles before its first reservation
        ax.axvspan(0, times[0] * k, color="0.93", lw=0)
        ax.text(times[0] * k / 2, 0.5, "no reservation yet", transform=ax.get_xaxis_transform(),
                rotation=90, ha="center", va="center", fontsize=7, color="0.4")
    ax.set_xlim(0, end * k)
    ax.set_xlabel(f"time ({unit})")
    ax.set_ylabel("reserved cores")
    ax.grid(True, alpha=0.3)
    return groups


def timeline_figure(tl, workers=None, title=None, size=None):
    """One panel per (file, policy, load) of the timelines: DARC's reserved
    cores per group over time.  workers: the y axis' top (default: the most
    cores reserved + 1)."""
    keys = ["_file"] + [c for c in ("policy", "load") if c in tl]
    panels = list(dict.fromkeys(tuple(r[k] for k in keys) for _, r in tl.iterrows()))
    cols = min(len(panels), 2)
    nrows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, figsize=size or (6.5 * cols, 3.6 * nrows), squeeze=False)
    axes = axes.ravel()
    series = _Series()
    top = workers
    several_files = tl["_file"].nunique() > 1
    for ax, p in zip(axes, panels):
        m = pd.Series(True, index=tl.index)
        for k, v in zip(keys, p):
            m &= (tl[k] == v) if not (isinstance(v, float) and math.isnan(v)) else tl[k].isna()
        d = tl[m]
        draw_timeline(ax, d, series=series)
        most = int(reservations(d)["cores"].max())
        top = max(top or 0, most + 1)
        what = dict(zip(keys, p))
        parts = []
        if "policy" in what and isinstance(what["policy"], str) and what["policy"]:
            parts.append(what["policy"])
        if "load" in what and not pd.isna(what["load"]):
            parts.append(f"load {what['load']:g}")
        if several_files or not parts:
            parts.append(Path(what["_file"]).name)
        ax.set_title(", ".join(parts), fontsize=10)
        ax.legend(fontsize=8, loc="center right")
    for ax in axes[:len(panels)]:
        ax.set_ylim(-0.3, top + 0.3)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(title or "DARC's reserved cores per group of types over time", fontsize=11)
    fig.tight_layout()
    fig.psp_series = series.n
    return fig


# ---------------------------------------------------------------- sim vs engine

def sim_vs_engine_figure(sim, eng, title=None, size=None):
    """Per type (panels, ALL last), the p50, p99 and p99.9 latency of each
    policy the engine CSV has (psp-client's --label names it), psp-sim's
    (solid, its interval as error bars) beside psp-engine's (dashed,
    hollow).  psp-sim's row is the one whose load is nearest the engine's
    (by load when both have one, else by offered_rps).  Raises InputError
    when the simulation has no rows of a policy or type the engine has."""
    spath, epath = ", ".join(dict.fromkeys(sim["_file"])), ", ".join(dict.fromkeys(eng["_file"]))
    types = [t for t in dict.fromkeys(eng["type"]) if t != "ALL"] + ["ALL"]
    policies = list(dict.fromkeys(eng["policy"]))
    fig, axes = plt.subplots(1, len(types), figsize=size or (4.6 * len(types), 4.2), sharey=True,
                             squeeze=False)
    axes = axes.ravel()
    series = _Series()
    for pol in policies:
        s_all = sim[sim["policy"] == pol]
        if s_all.empty:
            raise InputError(f"{spath}: no rows of policy '{pol}', which {epath} has "
                             f"(psp-client --label names the engine's policy; the simulation "
                             f"has: {', '.join(dict.fromkeys(sim['policy']))})")
        e_all = eng[eng["policy"] == pol]
        e0 = e_all[e_all["type"] == "ALL"].iloc[0] if (e_all["type"] == "ALL").any() else e_all.iloc[0]
        by = "load" if not pd.isna(e0["load"]) and s_all["load"].notna().any() else "offered_rps"
        loads = s_all[[by]].drop_duplicates()[by]
        near = loads.iloc[(loads - e0[by]).abs().argsort().iloc[0]]
        s_at = s_all[s_all[by] == near]
        st = style(pol)
        for src, d, ls, fill in (("psp-sim", s_at, "-", st["color"]), ("psp-engine", e_all, "--", "none")):
            arts = []
            for ax, t in zip(axes, types):
                r = d[d["type"] == t]
                if r.empty:
                    raise InputError(f"{spath if src == 'psp-sim' else epath}: no row of policy "
                                     f"'{pol}', type '{t}'")
                r = r.iloc[0]
                ys = [r[c] for c, _ in PERCENTILES]
                tag = " (overloaded)" if bool(r["overloaded"]) else ""
                lab = f"{st['label']}, {src}" + (f" at load {near:g}" if src == "psp-sim" and by == "load"
                                                  else "") + tag
                line, = ax.plot(range(len(PERCENTILES)), ys, ls=ls, marker=st["marker"],
                                color=st["color"], mfc=fill, ms=7, label=lab)
                arts.append(line)
                if src == "psp-sim" and all(c + "_lo" in r and not pd.isna(r[c + "_lo"])
                                            for c, _ in PERCENTILES):
                    err = ax.errorbar(range(len(PERCENTILES)), ys,
                                      yerr=[[max(y - r[c + "_lo"], 0) for y, (c, _) in zip(ys, PERCENTILES)],
                                            [max(r[c + "_hi"] - y, 0) for y, (c, _) in zip(ys, PERCENTILES)]],
                                      fmt="none", ecolor=st["color"], capsize=3, lw=1)
                    arts.append(err.lines[2])
            series.tag(*arts)
    for ax, t in zip(axes, types):
        ax.set_xticks(range(len(PERCENTILES)))
        ax.set_xticklabels([n for _, n in PERCENTILES])
        ax.set_xlabel("percentile")
        ax.set_yscale("log")
        ax.set_title("all requests" if t == "ALL" else t, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("latency (µs)")
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(title or "psp-sim (solid) vs psp-engine (dashed): latency percentiles per type",
                 fontsize=11)
    fig.tight_layout()
    fig.psp_series = series.n
    return fig


# ---------------------------------------------------------------- output

def output_format(path):
    """'png' or 'svg' from the file's extension; InputError otherwise."""
    ext = Path(str(path)).suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise InputError(f"{path}: the output's extension must be .png or .svg"
                         f"{f', not .{ext}' if ext else ''}")
    return ext


def save(fig, path, dpi=110):
    """Writes the figure as PNG or SVG (by path's extension); the SVG keeps
    text as text and carries each series' id psp-series-N."""
    fmt = output_format(path)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "psp-plot"}):
        fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight",
                    metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return path
