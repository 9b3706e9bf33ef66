# SPDX-License-Identifier: BSD-3-Clause
"""``python -m zmqx``: the ``zmqx`` command line (zmqx.cli)."""
from zmqx.cli import main

raise SystemExit(main())
