"""Command line of the benchmark suite: ``python -m zmqx.bench [options]``.

Parses the options, imports the modules to compare, builds the C program,
runs the selected scenarios and writes the table (terminal), ``bench.json``,
``bench.png`` and, with ``--record``, ``benchmarks/RESULTS.md``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from . import cbench, registry, report, runner, sysinfo

REPO = Path(__file__).resolve().parents[2]
IN_CHECKOUT = (REPO / "csrc" / "bench").is_dir()


def parse(argv):
    p = argparse.ArgumentParser(
        prog="python -m zmqx.bench",
        description="Benchmark zmqx against pyzmq and raw C libzmq on the same work.")
    p.add_argument("--quick", action="store_true",
                   help="every scenario once at small counts (a smoke test, not a measurement)")
    p.add_argument("--only", metavar="PATTERN",
                   help="comma-separated group names, globs or name substrings "
                        "(e.g. 'latency', 'thr/tcp/*', 'call/opt')")
    p.add_argument("--modules", default="zmqx,zmq",
                   help="comma-separated modules with pyzmq's API; the first is the one "
                        "the ratios are about (default: zmqx,zmq)")
    p.add_argument("--repeats", type=int, default=5, help="measured runs per cell (default 5)")
    p.add_argument("--out", type=Path,
                   default=(REPO if IN_CHECKOUT else Path.cwd()) / "benchmarks" / "out",
                   help="output directory (default benchmarks/out)")
    p.add_argument("--json", action="store_true",
                   help="print the JSON report on stdout (the table goes to stderr)")
    p.add_argument("--no-c", action="store_true", help="skip the C column")
    p.add_argument("--list", action="store_true", help="list the selected scenarios and exit")
    p.add_argument("--record", action="store_true",
                   help="also write benchmarks/RESULTS.md and benchmarks/results.png")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    if args.quick:
        args.repeats = 1
    if args.record and not IN_CHECKOUT:
        p.error("--record needs a source checkout (benchmarks/ beside zmqx/)")
    return args


def load_modules(names, notes):
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except ImportError as exc:
            notes.append(f"{sysinfo.label(name)} columns skipped: cannot import {name} ({exc})")
    return modules


def like_with_like(infos, notes):
    """Note when the bindings do not run on the same libzmq."""
    versions = {info["libzmq"] for info in infos.values()}
    if len(versions) > 1:
        notes.append("bindings use different libzmq versions ("
                     + ", ".join(f"{n} {i['libzmq']}" for n, i in infos.items())
                     + "): not a like-with-like comparison")
    for name, info in infos.items():
        if any(p.startswith("(none") for p in info["libzmq_linked"]):
            notes.append(f"{name} carries its own libzmq (built in), not the system one")


def main(argv=None):
    args = parse(argv)
    scenarios = registry.select(args.only)
    if args.list:
        for s in scenarios:
            print(f"{s.name:32} {s.group}")
        return 0
    if not scenarios:
        print(f"no scenario matches {args.only!r} (try --list)", file=sys.stderr)
        return 2
    notes = []
    # libzmq puts an "ipc://*" socket under $TMPDIR, $TEMPDIR or $TMP and, with
    # none set, under the current directory; the C program and peers inherit this.
    if not any(os.environ.get(v) for v in ("TMPDIR", "TEMPDIR", "TMP")):
        os.environ["TMPDIR"] = tempfile.gettempdir()
    modules = load_modules([m.strip() for m in args.modules.split(",") if m.strip()], notes)
    impls = [runner.Binding(m) for m in modules]
    args.out.mkdir(parents=True, exist_ok=True)
    cprog = None
    if args.no_c:
        notes.append("C column skipped: --no-c")
    else:
        cprog, note = cbench.build(args.out / "cbench")
        notes += [note] if note else []
    impls += [cprog] if cprog else []
    if not impls:
        print("nothing to measure:\n" + "\n".join(notes), file=sys.stderr)
        return 2
    infos = {sysinfo.label(m.__name__): sysinfo.module_info(m) for m in modules}
    like_with_like(infos, notes)
    if args.quick:
        notes.append("--quick: one run at small counts; a smoke test, not a measurement")

    started = time.monotonic()
    results = runner.run_all(scenarios, impls, args.repeats, args.quick)
    data = {
        "meta": {
            "machine": sysinfo.machine(),
            "command": sysinfo.command_line(),
            "commit": sysinfo.git_commit(REPO) if IN_CHECKOUT else None,
            "columns": [i.label for i in impls],
            "modules": infos,
            "c": {"libzmq": cprog.libzmq, "binary": cprog.binary} if cprog else None,
            "repeats": args.repeats,
            "quick": args.quick,
            "seconds": round(time.monotonic() - started, 1),
            "notes": notes,
        },
        "scenarios": results,
    }
    png = args.out / "bench.png"
    chart_note = report.chart(data, png)
    if chart_note:
        notes.append(chart_note)
        png = None
    report.write_json(data, args.out / "bench.json")
    if args.record:
        report.record(data, png, REPO / "benchmarks")
    table = "\n".join(report.versions_lines(data)) + "\n" + report.text_table(data)
    print(table, file=sys.stderr if args.json else sys.stdout)
    print(f"\n{len(results)} scenarios in {data['meta']['seconds']:.0f} s; "
          f"wrote {args.out / 'bench.json'}" + (f" and {png}" if png else ""),
          file=sys.stderr)
    if args.json:
        print(json.dumps(data, default=str))
    failed = any("error" in c for e in results for c in e["cells"].values())
    return 1 if failed else 0
