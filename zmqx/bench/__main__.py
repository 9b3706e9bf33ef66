"""Entry point: ``python -m zmqx.bench`` runs the benchmark suite (see cli.py)."""
from .cli import main

raise SystemExit(main())
