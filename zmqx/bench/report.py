"""Turning a run's report dict into a terminal table, JSON, a PNG chart and RESULTS.md.

The report dict (what :func:`zmqx.bench.cli.main` builds) has ``meta``
(machine, versions, notes, columns) and ``scenarios`` (one entry per
scenario, from :func:`zmqx.bench.runner.measure`).  Everything shown is
derived from it, so a saved JSON can be re-rendered.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

GROUP_TITLES = {
    "throughput": "Throughput: msgs/s and MB/s (higher is better)",
    "latency": "Latency: round trip median / p99, µs (lower is better)",
    "per-call": "Per-call cost, one thread, inproc PAIR: µs per call (lower is better)",
    "poll": "Poller.poll(0) / zmq_poll over idle sockets: µs per call (lower is better)",
    "proxy": "PUSH -> proxy -> PULL throughput (higher is better)",
    "asyncio": "asyncio, awaited calls: µs per call, round trip median / p99 µs, or msgs/s",
}
BEGIN, END = "<!-- zmqx-bench:begin -->", "<!-- zmqx-bench:end -->"


def num(x):
    """About three significant digits, no exponent."""
    for limit, scale, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if x >= limit:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.0f}" if x >= 100 else f"{x:.3g}"


def spread(cell):
    """Half the interquartile range of the runs as a percentage of the median."""
    if "q1_us" not in cell:
        return ""
    return f" ±{(cell['q3_us'] - cell['q1_us']) / 2 / cell['median_us']:.0%}"


def cell_text(entry, cell):
    if "skipped" in cell:
        return "skipped"
    if "error" in cell:
        return "ERROR"
    if entry["kind"] == "rate":
        text = f"{num(cell['msgs_per_s'])}/s {num(cell['mb_per_s'])}MB/s"
    elif entry["kind"] == "latency":
        text = f"{num(cell['median_us'])} / {num(cell['p99_us'])}"
    else:
        text = num(cell["median_us"])
    return text + spread(cell)


def rows(report, group):
    """Header and rows of one group's table."""
    columns = report["meta"]["columns"]
    ratio_names = [f"{columns[0]}/{c}" for c in columns[1:]] if columns else []
    out = [["scenario", *columns, *ratio_names]]
    for entry in report["scenarios"]:
        if entry["group"] != group:
            continue
        ratio = entry["ratios"]
        out.append([
            entry["name"],
            *(cell_text(entry, entry["cells"].get(c, {"skipped": "-"})) for c in columns),
            *(f"{ratio[r]:.2f}×" if r in ratio else "-" for r in ratio_names),
        ])
    return out


def groups(report):
    seen = []
    for entry in report["scenarios"]:
        if entry["group"] not in seen:
            seen.append(entry["group"])
    return seen


def text_table(report):
    lines = []
    for group in groups(report):
        table = rows(report, group)
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        lines += ["", GROUP_TITLES.get(group, group)]
        for i, row in enumerate(table):
            lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                                   for j, (c, w) in enumerate(zip(row, widths))).rstrip())
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines + ["", *notes(report)])


def markdown_table(report):
    lines = []
    for group in groups(report):
        table = rows(report, group)
        lines += ["", f"**{GROUP_TITLES.get(group, group)}**", ""]
        lines.append("| " + " | ".join(table[0]) + " |")
        lines.append("| --- " + "| ---: " * (len(table[0]) - 1) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in table[1:]]
    return "\n".join(lines)


def notes(report):
    out = [f"note: {n}" for n in report["meta"]["notes"]]
    for entry in report["scenarios"]:
        for column, cell in entry["cells"].items():
            if "error" in cell:
                out.append(f"error: {entry['name']} [{column}]: {cell['error']}")
    return out


def versions_lines(report):
    meta = report["meta"]
    lines = [f"Python {meta['machine']['python']} on {meta['machine']['cpu']}, "
             f"{meta['machine']['cores']} cores, {meta['machine']['os']}"]
    for name, info in meta["modules"].items():
        linked = ", ".join(info["libzmq_linked"]) or "?"
        lines.append(f"{name} {info['version']}: libzmq {info['libzmq']} ({linked})")
    if meta.get("c"):
        lines.append(f"C: libzmq {meta['c']['libzmq']} (system, via pkg-config)")
    return lines


def write_json(report, path):
    Path(path).write_text(json.dumps(report, indent=1, default=str) + "\n")


def chart(report, path):
    """A horizontal log-scale bar chart of time per op per column; returns a
    note instead when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "chart skipped: matplotlib is not installed (pip install matplotlib)"
    columns, entries = report["meta"]["columns"], report["scenarios"]
    height, bar = 0.8 / max(len(columns), 1), len(entries)
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.26 * len(entries) * max(len(columns), 1) / 2))
    for i, column in enumerate(columns):
        ys, xs = [], []
        for j, entry in enumerate(entries):
            cell = entry["cells"].get(column, {})
            if "median_us" in cell:
                ys.append(bar - j - 0.4 + height * (len(columns) - i - 0.5))
                xs.append(cell["median_us"])
        ax.barh(ys, xs, height=height, label=column)
    ax.set_yticks([bar - j for j in range(len(entries))])
    ax.set_yticklabels([e["name"] for e in entries], fontsize=7)
    ax.set_ylim(0.4, bar + 0.6)
    ax.set_xscale("log")
    ax.set_xlabel("µs per operation (latency: median round trip), log scale; shorter is faster")
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.legend(loc="upper right")
    ax.set_title("zmqx benchmark: " + " vs ".join(columns))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def results_markdown(report, chart_name):
    meta = report["meta"]
    lines = [
        BEGIN,
        f"## Latest full run: {meta['machine']['date']}",
        "",
        f"Command: `{meta['command']}`"
        + (f" at commit `{meta['commit']}`" if meta.get("commit") else ""),
        "",
        *(f"- {line}" for line in versions_lines(report)),
        "",
        "Cells: median over repeats, ±half the interquartile range; ratios are speed ratios of",
        "medians (above 1: the first column is faster). See 'Benchmarks' in README.md.",
        markdown_table(report),
        "",
        *(f"- {n}" for n in notes(report)),
        "",
        f"![zmqx vs pyzmq vs C]({chart_name})" if chart_name else "(no chart)",
        END,
    ]
    return "\n".join(lines) + "\n"


def record(report, chart_path, bench_dir):
    """Write the run into ``bench_dir/RESULTS.md`` between the markers (text
    outside them, such as a change log, is kept) and copy the chart beside it."""
    bench_dir = Path(bench_dir)
    chart_name = None
    if chart_path and Path(chart_path).exists():
        chart_name = "results.png"
        shutil.copyfile(chart_path, bench_dir / chart_name)
    section = results_markdown(report, chart_name)
    target = bench_dir / "RESULTS.md"
    old = target.read_text() if target.exists() else "# zmqx benchmark results\n\n"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END) + "\n?", re.S)
    new = pattern.sub(lambda _: section, old) if pattern.search(old) else old.rstrip() + "\n\n" + section
    target.write_text(new)
    return target
