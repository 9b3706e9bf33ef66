"""The measurement loop: warm-up, repeats interleaved across bindings, statistics.

For each scenario every implementation (each Python module, then the C
program) gets one warm-up run, which also calibrates the count of cheap
one-thread calls; then ``repeats`` measured runs in which the order of the
implementations rotates every repeat, so drift on a noisy machine hits all of
them alike.  A cell keeps every run's raw numbers and summarises them as the
median time per operation with min/max and quartiles; ratios between the
first module and each other column are speed ratios of the medians (above 1:
the first module is faster).
"""
from __future__ import annotations

import statistics
import sys
import time

from .sysinfo import label

#: Seconds a calibrated (one-thread call) run aims to last.
TARGET_S = 0.25
#: Full-mode counts are divided by this in quick mode.
QUICK_DIVISOR = 50


class Binding:
    """A Python module with pyzmq's API as one column of the report."""

    def __init__(self, module):
        self.module, self.label = module, label(module.__name__)

    def skip_reason(self, scenario):
        return scenario.missing(self.module)

    def run(self, scenario, count):
        return scenario.func(self.module, count, **scenario.params)


class Progress:
    """A one-line progress bar on stderr (a line per scenario when not a tty)."""

    def __init__(self, total, stream=sys.stderr, width=28):
        self.total, self.done, self.stream, self.width = max(total, 1), 0, stream, width
        self.tty = stream.isatty()
        self.t0 = time.monotonic()

    def step(self, what, n=1):
        self.done += n
        if self.tty and n:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * round(frac * self.width)
            elapsed = time.monotonic() - self.t0
            eta = elapsed / frac - elapsed if frac else 0
            self.stream.write(f"\r[{bar:<{self.width}}] {frac:4.0%} eta {eta:4.0f}s  {what:<40.40}")
            self.stream.flush()

    def scenario_done(self, name):
        if not self.tty:
            self.stream.write(f"[{self.done}/{self.total}] {name}\n")
            self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write(f"\r{'':<{self.width + 60}}\r")
            self.stream.flush()


def sample(scenario, result):
    """One run's numbers, with ``us``: the run's time per op (latency: median)."""
    out = {k: result[k] for k in ("ops", "seconds", "median_us", "p99_us") if k in result}
    out["us"] = result["median_us"] if scenario.kind == "latency" else (
        result["seconds"] / result["ops"] * 1e6)
    if not out["us"] > 0:
        raise ValueError(f"non-positive measurement {out}")
    return out


def summarise(scenario, runs):
    us = sorted(r["us"] for r in runs)
    cell = {
        "runs": runs,
        "median_us": statistics.median(us),
        "min_us": us[0],
        "max_us": us[-1],
    }
    if len(us) > 1:
        cell["q1_us"], _, cell["q3_us"] = statistics.quantiles(us, n=4, method="inclusive")
    if scenario.kind == "latency":
        cell["p99_us"] = statistics.median(r["p99_us"] for r in runs)
    if scenario.kind == "rate":
        cell["msgs_per_s"] = 1e6 / cell["median_us"]
        cell["mb_per_s"] = cell["msgs_per_s"] * scenario.size / 1e6
    return cell


def ratios(cells, first):
    """Speed of ``first`` relative to every other column with a median."""
    base = cells.get(first, {}).get("median_us")
    return {
        f"{first}/{name}": cell["median_us"] / base
        for name, cell in cells.items()
        if name != first and base and "median_us" in cell
    }


def base_count(scenario, quick):
    return max(scenario.min_count, scenario.count // QUICK_DIVISOR) if quick else scenario.count


def _run_once(impl, scenario, count):
    return sample(scenario, impl.run(scenario, count))


def measure(scenario, impls, repeats, quick, progress):
    """Run one scenario on every implementation; return its report entry."""
    cells, counts, active = {}, {}, []
    per_impl = repeats + (0 if quick else 1)
    for impl in impls:
        count = base_count(scenario, quick)
        reason = impl.skip_reason(scenario)
        cell = {"skipped": reason} if reason else {"runs": []}
        if reason is None and not quick:
            try:
                warm = _run_once(impl, scenario, count if scenario.calibrate else
                                 max(scenario.min_count, count // 5))
            except Exception as exc:  # a broken cell must not stop the suite
                cell = {"error": f"{type(exc).__name__}: {exc}"}
            else:
                if scenario.calibrate:
                    count = int(min(count * 100, max(count, TARGET_S / warm["us"] * 1e6)))
        cells[impl.label] = cell
        if "runs" in cell:
            counts[impl.label] = count
            active.append(impl)
            progress.step(f"{scenario.name} {impl.label} warm-up", per_impl - repeats)
        else:
            progress.step(scenario.name, per_impl)
    for rep in range(repeats):
        shift = rep % len(active) if active else 0
        for impl in active[shift:] + active[:shift]:
            cell = cells[impl.label]
            if "error" not in cell:
                try:
                    cell["runs"].append(_run_once(impl, scenario, counts[impl.label]))
                except Exception as exc:
                    cells[impl.label] = {"error": f"{type(exc).__name__}: {exc}"}
            progress.step(f"{scenario.name} {impl.label}")
    for name, cell in cells.items():
        if cell.get("runs"):
            cells[name] = summarise(scenario, cell["runs"])
    progress.scenario_done(scenario.name)
    return {
        "name": scenario.name,
        "group": scenario.group,
        "kind": scenario.kind,
        "size": scenario.size,
        "counts": counts,
        "cells": cells,
        "ratios": ratios(cells, impls[0].label) if impls else {},
    }


def run_all(scenarios, impls, repeats, quick):
    runs_each = repeats + (0 if quick else 1)
    progress = Progress(len(scenarios) * len(impls) * runs_each)
    try:
        return [measure(s, impls, repeats, quick, progress) for s in scenarios]
    finally:
        progress.close()
