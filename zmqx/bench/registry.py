"""The scenario registry: what a benchmark scenario is, and the list of them.

A :class:`Scenario` is one cell row of the report: a workload function that
runs against any module with pyzmq's API (``zmqx`` or ``zmq``), the matching
argv of the C program (the physical-limit column), and how many operations a
measured run does.  Scenario files register their scenarios with
:func:`add`; a new kind of workload (asyncio, say) is one more file that
calls :func:`add`, listed in :data:`SCENARIO_MODULES`.
"""
from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass, field
from typing import Callable, Optional

#: Files whose import registers scenarios, in report order.
SCENARIO_MODULES = ("zmqx.bench.scenarios", "zmqx.bench.asyncio_scenarios",
                    "zmqx.bench.loop_scenarios", "zmqx.bench.auth_scenarios")

#: How a scenario's numbers read: "rate" (msgs/s, MB/s), "latency" (median
#: and p99 round trip), "time" (µs per call).
KINDS = ("rate", "latency", "time")


@dataclass(frozen=True)
class Scenario:
    """One benchmark cell row.

    ``func(zmq, count, **params)`` performs ``count`` operations with module
    ``zmq`` and returns ``{"ops": n, "seconds": s}`` (plus ``"median_us"`` and
    ``"p99_us"`` for latency).  ``cargs`` is the C program's argv before the
    count, or None when C has no equivalent.  ``needs`` names attributes the
    module must have (``"Poller"``, ``"Socket.send_many"``): a module without
    one is skipped with a note.  ``calibrate`` lets the runner raise ``count``
    for cheap one-thread calls so each run lasts long enough to time.
    """

    name: str
    group: str
    kind: str
    func: Callable[..., dict]
    count: int
    params: dict = field(default_factory=dict)
    cargs: Optional[tuple] = None
    size: int = 0
    needs: tuple = ()
    calibrate: bool = False
    min_count: int = 20

    def missing(self, module) -> Optional[str]:
        """Return why ``module`` cannot run this scenario, or None."""
        for need in self.needs:
            obj = module
            for part in need.split("."):
                obj = getattr(obj, part, None)
            if obj is None:
                return f"{module.__name__} has no {need}"
        return None


_SCENARIOS: list[Scenario] = []


def add(scenario: Scenario) -> Scenario:
    if scenario.kind not in KINDS:
        raise ValueError(f"{scenario.name}: unknown kind {scenario.kind!r}")
    if any(s.name == scenario.name for s in _SCENARIOS):
        raise ValueError(f"duplicate scenario {scenario.name}")
    _SCENARIOS.append(scenario)
    return scenario


def all_scenarios() -> list[Scenario]:
    for name in SCENARIO_MODULES:
        importlib.import_module(name)
    return list(_SCENARIOS)


def select(patterns: Optional[str]) -> list[Scenario]:
    """Scenarios matching any comma-separated pattern: a group name, a glob
    (``thr/tcp/*``) or a substring of the name (``lat/reqrep``)."""
    scenarios = all_scenarios()
    if not patterns:
        return scenarios
    pats = [p.strip() for p in patterns.split(",") if p.strip()]

    def hit(s: Scenario) -> bool:
        return any(p == s.group or p in s.name or fnmatch.fnmatchcase(s.name, p) for p in pats)

    return [s for s in scenarios if hit(s)]


def size_label(size: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale}{unit}"
    return f"{size}B"


def count_for(size: int, budget_bytes: int, lo: int, hi: int) -> int:
    """Operations for a run that moves about ``budget_bytes``, within [lo, hi]."""
    return max(lo, min(hi, budget_bytes // max(size, 1)))
