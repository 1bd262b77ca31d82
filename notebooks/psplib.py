"""Shared helpers of the psp notebooks.

Finds the built binaries, runs psp-sim (and psp-engine/psp-client) and parses
their CSV output into pandas, caching every psp-sim result under the results
directory keyed by the command line (and the binary and workload file it used),
so re-running a notebook is cheap.  The plot helpers (styles, curves with
their interval bands, DARC's timeline) are psp-plot's, imported from
plot/psp_plot.py: overloaded points are never drawn as low latencies.

Environment:
  PSP_BIN_DIR      directory holding psp-sim, psp-engine, psp-client
                   (default: ../build/bin relative to this file)
  PSP_RESULTS_DIR  where figures (PNG) and the CSV cache go
                   (default: notebooks/results/)
  PSP_QUICK=1      reduced request counts and fewer load points (CI)
  PSP_NO_CACHE=1   ignore the cache (results are still written to it)
"""

import hashlib
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sys

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# The figures' functions are psp-plot's (plot/psp_plot.py): the notebooks
# draw with the same code as the command.
sys.path.insert(0, str(REPO / "plot"))
from psp_plot import (POLICY_STYLE, core_count, draw_metric, draw_timeline,  # noqa: E402,F401
                      final_reservation, mark_overloaded, overload_legend_note, plot_metric,
                      reservations, style)
QUICK = os.environ.get("PSP_QUICK", "") not in ("", "0")
BIN_DIR = Path(os.environ.get("PSP_BIN_DIR") or (REPO / "build" / "bin")).resolve()
RESULTS_DIR = Path(os.environ.get("PSP_RESULTS_DIR") or (HERE / "results")).resolve()
CACHE_DIR = RESULTS_DIR / "cache"
WORKLOAD_DIR = Path(os.environ.get("PSP_WORKLOAD_PATH") or (REPO / "workloads"))
JOBS = os.cpu_count() or 1

# Quick mode (CI): fewer arrivals per point, a shorter DARC profile to match,
# fewer load points.  Full mode: psp-sim's own defaults.
QUICK_REQUESTS = 100_000
QUICK_DARC_SAMPLES = 10_000
QUICK_LOADS = "0.1,0.3,0.5,0.6,0.7,0.8,0.85,0.9,0.95"
FULL_LOADS = "0.05:0.95:0.05"

_saved_figures = []


def mode_name():
    return "quick (PSP_QUICK=1)" if QUICK else "full"


def binary(name):
    """Path of a built binary; raises FileNotFoundError with a hint."""
    p = BIN_DIR / name
    if not (p.is_file() and os.access(p, os.X_OK)):
        raise FileNotFoundError(
            f"{p} not found: build psp (cmake -S . -B build && cmake --build build) "
            f"or set PSP_BIN_DIR")
    return p


def have_binary(name):
    p = BIN_DIR / name
    return p.is_file() and os.access(p, os.X_OK)


def _env():
    env = dict(os.environ)
    if WORKLOAD_DIR.is_dir():
        env.setdefault("PSP_WORKLOAD_PATH", str(WORKLOAD_DIR))
    return env


def default_loads():
    return QUICK_LOADS if QUICK else FULL_LOADS


def sim_defaults():
    """Arguments every notebook adds to psp-sim in quick mode (none in full)."""
    if QUICK:
        return ["--requests", str(QUICK_REQUESTS), "--darc-samples", str(QUICK_DARC_SAMPLES),
                "--replications", "1"]
    return []


# ---------------------------------------------------------------- policies

_policy_info = None


def policy_info():
    """psp-sim --list parsed, in its order: {name: dict(summary, aliases, props
    (list), preemptive, work_conserving, slots (default), knobs (set of flags),
    model)}.
    The notebooks take the policy list from here rather than hard-coding it."""
    global _policy_info
    if _policy_info is not None:
        return _policy_info
    p = subprocess.run([str(binary("psp-sim")), "--list"], env=_env(), capture_output=True,
                       text=True, check=True)
    info, cur, in_model = {}, None, False
    for line in p.stdout.splitlines():
        if line.startswith("policies:"):
            continue
        if not line.startswith(" "):  # "workloads (in ...):" ends the policies
            if info:
                break
            continue
        body = line.strip()
        if line.startswith("  ") and not line.startswith("   "):
            name, _, summary = body.partition(" ")
            cur = info[name] = dict(summary=summary.strip(), props=[], preemptive=False,
                                    work_conserving=False, slots=1, knobs=set(), model="",
                                    aliases=[])
            in_model = False
        elif cur is None:
            continue
        elif body.startswith("aliases:"):
            cur["aliases"] = [a for a in body[len("aliases:"):].strip().split(",") if a]
            in_model = False
        elif body.startswith("--"):
            cur["knobs"].add(body.split()[0])
            in_model = False
        elif body.startswith("model:"):
            cur["model"] = body[len("model:"):].strip()
            in_model = True
        elif in_model:
            cur["model"] += " " + body
        elif "slots" in body and not cur["props"]:
            props = [x.strip() for part in body.split(";") for x in part.split(",")]
            cur["props"] = props
            cur["preemptive"] = any(x.startswith("preemptive") for x in props)
            cur["work_conserving"] = "work-conserving" in props
            for x in props:
                if x.startswith("slots "):
                    cur["slots"] = int(x.split()[1])
    if not info:
        raise RuntimeError(f"could not parse psp-sim --list:\n{p.stdout}")
    _policy_info = info
    return info


def info_name(policy):
    """The --list name of a policy or one of its aliases ('c-fcfs' -> 'cfcfs')."""
    info = policy_info()
    if policy in info:
        return policy
    for name, v in info.items():
        if policy in v["aliases"]:
            return name
    raise KeyError(f"psp-sim knows no policy {policy!r}")


def policy_names():
    """Every policy psp-sim knows, in --list order."""
    return list(policy_info())


def knob_args(policy, knobs):
    """The psp-sim arguments of `knobs` ({'--quantum-us': 5, ...}) that
    `policy` reads: psp-sim refuses a knob none of the selected policies reads,
    so each run gets only its policies' knobs."""
    mine = policy_info()[policy]["knobs"]
    args = []
    for flag, val in knobs.items():
        if flag in mine:
            args += [flag] if val is True else [flag, str(val)]
    return args


class Variant:
    """A policy with its knobs, drawn as its own line: key ('cfcfs',
    'ts 0.1us'), the psp-sim policy name, its knob arguments, a label and a
    plot style (variants of one policy share its colour; alt=True draws the
    line dashed with hollow markers)."""

    def __init__(self, key, policy, args=(), label=None, alt=False):
        self.key, self.policy, self.args = key, policy, list(args)
        st = dict(style(policy))
        st["label"] = label or st["label"]
        if alt:
            st.update(ls="--", mfc="none")
        self.style = st

    @property
    def label(self):
        return self.style["label"]

    def __repr__(self):
        return f"Variant({self.key!r}: {' '.join(['-p', self.policy] + self.args)})"


def sim_variants(workload, variants, extra=(), **kw):
    """Runs variants of policies with as few psp-sim calls as possible: one
    per distinct knob set (policies that share their knobs run together, on
    the same seeds).  Returns (rows, slo, results): rows and slo as sim()'s,
    with the column `policy` replaced by the variant key; results maps each
    variant key to its SimResult (whose .cmd reproduces it)."""
    groups = {}
    for v in variants:
        groups.setdefault(tuple(v.args), []).append(v)
    rows, slos, results = [], [], {}
    for args, vs in groups.items():
        r = sim(workload, [v.policy for v in vs], extra=list(extra) + list(args), **kw)
        rename = {v.policy: v.key for v in vs}
        for v in vs:
            results[v.key] = r
        d = r.df[r.df["policy"].isin(rename)].copy()
        d["policy"] = d["policy"].map(rename)
        rows.append(d)
        s = r.slo[r.slo["policy"].isin(rename)].copy()
        s["policy"] = s["policy"].map(rename)
        slos.append(s)
    return (pd.concat(rows, ignore_index=True), pd.concat(slos, ignore_index=True), results)


# ---------------------------------------------------------------- psp-sim

def _file_sig(p):
    try:
        st = Path(p).stat()
        return [str(p), st.st_size, st.st_mtime_ns]
    except OSError:
        return [str(p), None, None]


def _cache_key(args):
    parts = {"bin": _file_sig(binary("psp-sim")), "args": list(args)}
    # The workload file's content is part of the key: editing it invalidates.
    if "--workload" in args:
        w = args[args.index("--workload") + 1]
        f = Path(w) if w.endswith((".yml", ".yaml")) else WORKLOAD_DIR / f"{w}.yml"
        if f.is_file():
            parts["workload"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def parse_sim_csv(path, slo_path=None):
    """psp-sim's CSV (and its --slo-output CSV, if any) -> (rows, SLO) DataFrames.
    The SLO frame keeps psp-sim's columns and adds max_load (the capacity,
    -1 when no load met the SLO) and max_rps."""
    df = pd.read_csv(path)
    if "reservation" in df:
        df["reservation"] = df["reservation"].fillna("")
    if "overloaded" in df:
        # 1 overloaded, 0 judged stable, empty: the run was too short to
        # judge (never counted as overloaded here; `judged` says which)
        df["overloaded"] = df["overloaded"] == 1
    if slo_path is not None and Path(slo_path).is_file():
        slo_df = pd.read_csv(slo_path)
        slo_df["max_load"] = slo_df["capacity_load"].where(slo_df["found"] == 1, -1.0)
        slo_df["max_rps"] = slo_df["capacity_rps"].where(slo_df["found"] == 1, 0.0)
    else:
        slo_df = pd.DataFrame(columns=["slo", "policy", "max_load", "max_rps"])
    return df, slo_df


class SimResult:
    def __init__(self, df, slo, timeline, series, cmd, seconds, cached):
        self.df, self.slo, self.timeline, self.series = df, slo, timeline, series
        self.cmd, self.seconds, self.cached = cmd, seconds, cached

    def all_rows(self):
        return self.df[self.df["type"] == "ALL"]

    def __repr__(self):
        how = "cached" if self.cached else f"{self.seconds:.1f} s"
        return f"<SimResult {len(self.df)} rows ({how}): {self.cmd}>"


def sim(workload, policy, load=None, workers=14, timeline=False, series_ms=None,
        extra=(), quick_defaults=True, verbose=True):
    """Runs psp-sim (or reads its cached result) and returns a SimResult.

    policy: 'darc' or a list of policies; load: psp-sim's --load SPEC (default:
    the notebook mode's load points); extra: more psp-sim arguments.
    """
    if not isinstance(policy, str):
        policy = ",".join(policy)
    args = ["--workload", workload, "--policy", policy, "--workers", str(workers),
            "--load", str(load if load is not None else default_loads())]
    if quick_defaults:
        # an explicit --requests/--darc-samples in extra wins; a policy knob
        # only when a selected policy reads it (psp-sim refuses it otherwise)
        info = policy_info()
        pols = [info_name(x) for x in policy.split(",")]
        for flag, val in zip(sim_defaults()[::2], sim_defaults()[1::2]):
            knob = any(flag in v["knobs"] for v in info.values())
            if flag in extra or (knob and not any(flag in info[x]["knobs"] for x in pols)):
                continue
            args += [flag, val]
    args += [str(a) for a in extra]
    if "--slo" not in args and "--no-capacity" not in args:
        # psp-sim searches the workload's slo: in every format; a notebook
        # that asks no --slo reads no capacity
        args.append("--no-capacity")
    if series_ms is not None:
        args += ["--series-ms", str(series_ms)]
    key = _cache_key(args + (["--timeline"] if timeline else []) + (["--series"] if series_ms else []))
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    base = CACHE_DIR / key
    files = {"csv": base.with_suffix(".csv")}
    if "--slo" in args:
        files["slo"] = base.with_suffix(".slo.csv")
    if timeline:
        files["timeline"] = base.with_suffix(".timeline.csv")
    if series_ms is not None:
        files["series"] = base.with_suffix(".series.csv")
    cmd = [str(binary("psp-sim"))] + args
    cached = all(f.is_file() for f in files.values()) and not os.environ.get("PSP_NO_CACHE")
    t0 = time.time()
    if not cached:
        with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
            tmp = Path(tmp)
            run = cmd + ["--format", "csv", "--quiet", "-o", str(tmp / "out.csv")]
            if timeline:
                run += ["--timeline", str(tmp / "timeline.csv")]
            if series_ms is not None:
                run += ["--series", str(tmp / "series.csv")]
            if "slo" in files:
                run += ["--slo-output", str(tmp / "slo.csv")]
            p = subprocess.run(run, env=_env(), capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(f"psp-sim failed ({p.returncode}): {shlex.join(run)}\n{p.stderr}")
            # commit the side files first: the main CSV marks a complete entry
            for k, name in (("timeline", "timeline.csv"), ("series", "series.csv"),
                            ("slo", "slo.csv")):
                if k in files:
                    shutil.move(str(tmp / name), files[k])
            shutil.move(str(tmp / "out.csv"), files["csv"])
            files["csv"].with_suffix(".cmd").write_text(shlex.join(cmd) + "\n")
    secs = time.time() - t0
    df, slo = parse_sim_csv(files["csv"], files.get("slo"))
    tl = pd.read_csv(files["timeline"]) if timeline else None
    se = pd.read_csv(files["series"]) if series_ms is not None else None
    res = SimResult(df, slo, tl, se, shlex.join(cmd), secs, cached)
    if verbose:
        print(("[cache] " if cached else f"[{secs:5.1f} s] ") + shlex.join(["psp-sim"] + args))
    return res


def sim_many(calls, jobs=None):
    """Runs several sim(**kwargs) calls in parallel (each one load point uses
    one core); returns the results in order."""
    with ThreadPoolExecutor(max_workers=jobs or JOBS) as ex:
        return list(ex.map(lambda kw: sim(**kw), calls))


# ---------------------------------------------------------------- timelines

def save_fig(fig, name):
    """Saves a figure as RESULTS_DIR/NAME.png and remembers it."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _saved_figures.append(path)
    print(f"saved {path}")
    return path


def check_figures(paths=None):
    """Asserts that every figure saved by this notebook exists and is not
    empty; returns their list."""
    paths = list(paths or _saved_figures)
    assert paths, "this notebook saved no figure"
    for p in paths:
        p = Path(p)
        assert p.is_file() and p.stat().st_size > 1000, f"figure {p} missing or empty"
    return paths


# ---------------------------------------------------------------- engine

class EngineUnavailable(RuntimeError):
    pass


def engine_commands(workload, policy, workers, out, instance, min_samples=50000):
    """The psp-engine and psp-client command lines (without the client's run
    flags) for a run on the shipped memif configs as their own instance, so
    that no other run's files are touched: --set items instead of edited
    copies of the configs.  The engine takes the workload's types."""
    lcores = "[" + ", ".join(str(i + 1) for i in range(workers)) + "]"
    eng = [str(binary("psp-engine")), "--config", str(REPO / "configs" / "engine-memif.yml"),
           "--workload", workload, "--set", f"instance={instance}",
           "--set", f"output_dir={out}", "--set", f"workers={workers}",
           "--set", f"worker_lcores={lcores}",
           "--set", f"policy.darc_samples={min_samples}", "--policy", policy]
    cli = [str(binary("psp-client")), "--config", str(REPO / "configs" / "client-memif.yml"),
           "--set", f"instance={instance}", "--set", f"rx_queues={workers + 1}"]
    return eng, cli


def run_engine(workload, policy, rate, duration, workers=3, min_samples=50000, seed=1,
               workdir=None, ready_timeout=30, verbose=True, trace=False):
    """Runs psp-engine (--policy POLICY) and psp-client on a private memif
    pair; returns dict(df=client CSV rows, timeline=engine DARC timeline or
    None, engine_log=str, client_log=str, seconds=float, trace=path of the
    engine's --trace CSV or None).  trace: run the engine with --trace.
    Raises EngineUnavailable when the binaries are missing."""
    for b in ("psp-engine", "psp-client"):
        if not have_binary(b):
            raise EngineUnavailable(f"{BIN_DIR / b} is not built (needs DPDK: cmake -DPSP_ENGINE=ON)")
    tag = f"{os.getpid()}-{policy}"
    own_workdir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix=f"psp-nb-{tag}-", dir="/tmp"))
    out = workdir / "engine-out"
    instance = f"nb{tag}"
    eng_cmd, cli_cmd = engine_commands(workload, policy, workers, out, instance, min_samples)
    trace_csv = workdir / "trace.csv"
    if trace:
        eng_cmd += ["--trace", str(trace_csv)]
    t0 = time.time()
    elog = open(workdir / "engine.log", "w+")
    eng = subprocess.Popen(eng_cmd, stdout=elog, stderr=subprocess.STDOUT, env=_env(), cwd=workdir,
                           start_new_session=True)
    try:
        deadline = time.time() + ready_timeout
        while True:
            elog.flush()
            text = (workdir / "engine.log").read_text()
            if "psp-engine: ready" in text:
                break
            if eng.poll() is not None:
                raise RuntimeError(f"psp-engine exited ({eng.returncode}) before ready:\n{text}")
            if time.time() > deadline:
                raise RuntimeError(f"psp-engine not ready after {ready_timeout} s:\n{text}")
            time.sleep(0.2)
        csv = workdir / "client.csv"
        cmd = cli_cmd + ["--workload", workload, "--rate", str(rate), "--duration", str(duration), "--format", "csv",
               "--workers", str(workers), "--label", policy,
               "--seed", str(seed)]
        p = subprocess.run(cmd, env=_env(), capture_output=True, text=True, cwd=workdir,
                           timeout=duration + 120)
        if p.returncode != 0:
            raise RuntimeError(f"psp-client failed ({p.returncode}): {shlex.join(cmd)}\n{p.stderr}")
        client_log = p.stderr
        # the CSV is on stdout (the run summary on stderr); keep the CSV lines
        lines = p.stdout.splitlines()
        start = next((i for i, l in enumerate(lines) if l.startswith("policy,")), None)
        if start is None:
            raise RuntimeError(f"psp-client printed no CSV: {shlex.join(cmd)}\n{p.stdout}\n{p.stderr}")
        csv.write_text("\n".join(l for l in lines[start:] if "," in l) + "\n")
    finally:
        if eng.poll() is None:
            eng.send_signal(signal.SIGINT)
            try:
                eng.wait(timeout=30)
            except subprocess.TimeoutExpired:
                eng.kill()
                eng.wait()
        elog.close()
    engine_log = (workdir / "engine.log").read_text()
    df = pd.read_csv(csv)
    if "overloaded" not in df:
        # psp-client flags an overloaded run in its summary (stderr)
        df["overloaded"] = "OVERLOADED" in client_log
    tlf = out / "darc-timeline.csv"
    tl = pd.read_csv(tlf) if tlf.is_file() else None
    secs = time.time() - t0
    # keep the run's files under the results directory; drop the private /tmp directory
    keep = RESULTS_DIR / "engine-runs" / f"{workload}-{policy}-{rate}rps-{duration}s"
    keep.mkdir(parents=True, exist_ok=True)
    for f in (csv, tlf, workdir / "engine.log", trace_csv):
        if f.is_file():
            shutil.copy(f, keep / f.name)
    (keep / "client.log").write_text(client_log)
    (keep / "commands.txt").write_text(shlex.join(eng_cmd) + "\n" + shlex.join(cmd) + "\n")
    if own_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    # Both remove their DPDK runtime directory at exit; not an engine killed
    for base in ("/var/run/dpdk", os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")):
        shutil.rmtree(os.path.join(base, f"psp-engine-{instance}"), ignore_errors=True)
    if verbose:
        print(f"[{secs:5.1f} s] psp-engine --policy {policy} + psp-client --rate {rate} "
              f"--duration {duration} (files in {keep})")
    return dict(df=df, timeline=tl, engine_log=engine_log, client_log=client_log,
                seconds=secs, files=keep, trace=keep / "trace.csv" if trace else None)


def replay_trace(trace, workload, policy, workers, extra=(), verbose=True):
    """Replays a psp trace CSV (psp-engine --trace, or a user's) through
    psp-sim --trace with POLICY on WORKERS workers, nothing discarded as
    warm-up; returns dict(per_request=DataFrame of psp-sim --per-request,
    df=psp-sim's CSV rows)."""
    with tempfile.TemporaryDirectory(prefix="psp-replay-") as tmp:
        tmp = Path(tmp)
        cmd = [str(binary("psp-sim")), "--trace", str(trace), "--workload", workload,
               "--policy", policy, "--workers", str(workers), "--warmup", "0",
               "--per-request", str(tmp / "per.csv"), "--no-capacity", "--format", "csv",
               "--quiet", "-o", str(tmp / "out.csv")] + [str(a) for a in extra]
        t0 = time.time()
        p = subprocess.run(cmd, env=_env(), capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"psp-sim failed ({p.returncode}): {shlex.join(cmd)}\n{p.stderr}")
        if verbose:
            print(f"[{time.time() - t0:5.1f} s] {shlex.join(cmd[1:])}")
        return dict(per_request=pd.read_csv(tmp / "per.csv"), df=pd.read_csv(tmp / "out.csv"))


def trace_vs_replay(trace, per_request):
    """Joins an engine trace with psp-sim's replay of it by id: per request
    the engine's server-side latency (reply - arrival), the replay's
    (completion - arrival), their difference, and the engine's parts
    (queue: dispatch - arrival, hand-off: start - dispatch, run: completion -
    start, reply: reply - completion), all in µs."""
    eng = pd.read_csv(trace)
    eng = eng[eng.status == "answered"]
    j = eng.merge(per_request, on="id", suffixes=("_eng", "_sim"))
    us = lambda a, b: (j[a] - j[b]) / 1e3
    out = pd.DataFrame({"id": j.id, "type": j.type_eng,
                        "engine_us": us("reply_ns", "arrival_ns_eng"),
                        "sim_us": us("completion_ns_sim", "arrival_ns_sim"),
                        "queue_us": us("dispatch_ns_eng", "arrival_ns_eng"),
                        "handoff_us": us("start_ns_eng", "dispatch_ns_eng"),
                        "run_us": us("completion_ns_eng", "start_ns_eng"),
                        "reply_us": us("reply_ns", "completion_ns_eng"),
                        "sim_queue_us": us("dispatch_ns_sim", "arrival_ns_sim")})
    out["overhead_us"] = out.engine_us - out.sim_us
    return out
