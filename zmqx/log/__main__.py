# SPDX-License-Identifier: BSD-3-Clause
"""``python -m zmqx.log URL``: print the log records a PUBHandler publishes
(pyzmq's ``python -m zmq.log``; the same options)."""
from __future__ import annotations

import argparse
from datetime import datetime

from zmqx._zmq import Context
from zmqx.constants import POLLIN, SUB


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser("ZMQ Log Watcher")
    parser.add_argument("zmq_pub_url", type=str, help="URL to a ZMQ publisher socket.")
    parser.add_argument("-t", "--topic", type=str, default="",
                        help="Only receive messages that start with this topic.")
    parser.add_argument("--timestamp", action="store_true",
                        help="Append local time to the log messages.")
    parser.add_argument("--separator", type=str, default=" | ",
                        help="String to print between topic and message.")
    parser.add_argument("--dateformat", type=str, default="%Y-%d-%m %H:%M",
                        help="Set alternative date format for use with --timestamp.")
    parser.add_argument("--align", action="store_true", default=False,
                        help="Try to align messages by the width of their topics.")
    parser.add_argument("--color", action="store_true", default=False,
                        help="Color the output based on the error level. "
                             "Requires the colorama module.")
    return parser


def _colors(enabled: bool) -> dict[str, str]:
    if not enabled:
        return {}
    import colorama  # type: ignore[import-untyped, import-not-found, unused-ignore]

    colorama.init()
    fore = colorama.Fore
    return {"DEBUG": fore.LIGHTCYAN_EX, "INFO": fore.LIGHTWHITE_EX, "WARNING": fore.YELLOW,
            "ERROR": fore.LIGHTRED_EX, "CRITICAL": fore.LIGHTRED_EX, "__RESET__": fore.RESET}


def main(argv: list[str] | None = None) -> None:
    """Subscribe to ``--topic`` at the URL and print each record until Ctrl-C."""
    args = _parser().parse_args(argv)
    colors = _colors(args.color)
    widths: list[int] = []
    with Context() as ctx, ctx.socket(SUB) as sub:
        sub.subscribe(args.topic.encode("utf8"))
        sub.connect(args.zmq_pub_url)
        try:
            while True:
                if not sub.poll(100, POLLIN):
                    continue
                topic, msg = sub.recv_multipart()
                text = topic.decode("utf8").strip()
                parts = text.split(".")
                level = parts[0] if len(parts) == 1 else parts[1]
                if args.align:
                    parts += [" "] * (len(widths) - len(parts))
                    widths += [0] * (len(parts) - len(widths))
                    for i, part in enumerate(parts):
                        widths[i] = max(widths[i], len(part))
                    text = ".".join(p.ljust(w) for p, w in zip(parts, widths))
                stamp = datetime.now().strftime(args.dateformat) + " " if args.timestamp else ""
                print(f"{stamp}{colors.get(level, '')}{text}{args.separator}"
                      f"{msg.decode('utf8').strip()}{colors.get('__RESET__', '')}", flush=True)
        except KeyboardInterrupt:
            pass
    if args.color:
        print(colors["__RESET__"])


if __name__ == "__main__":
    main()
