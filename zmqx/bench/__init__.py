"""zmqx's benchmark suite: zmqx vs pyzmq vs raw C libzmq on the same work.

Run it with ``python -m zmqx.bench`` (``--help`` for options).  Files, one job
each: ``registry`` (what a scenario is, the list of them), ``scenarios`` (the
workloads), ``peers`` (sockets and peer threads/processes for one run),
``runner`` (warm-up, interleaved repeats, statistics), ``cbench`` (the C
column), ``sysinfo`` (machine and versions), ``report`` (table, JSON, chart,
RESULTS.md) and ``cli`` (options).
"""
