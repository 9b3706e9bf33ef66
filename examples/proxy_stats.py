# SPDX-License-Identifier: BSD-3-Clause
"""Watch what a steerable proxy has passed, and what is still queued around it.

A producer pushes messages into a PULL -> PUSH steerable proxy faster than a
consumer takes them.  Every ``--interval`` seconds the main thread asks the
proxy for STATISTICS over a PAIR control socket and prints them, together
with what that tells about the queues:

    waiting before the proxy  = sent by the producer - frontend.messages_in
    waiting after the proxy   = backend.messages_out - taken by the consumer

When the consumer has everything, the main thread sends TERMINATE; the proxy
returns and the script ends by itself.

libzmq 4.3's proxy reads its control socket between bursts of up to 1000
messages, and waits inside a burst while the backend is full; so with a slow
consumer a report can come late (zmqx.priority_proxy checks its control
socket after every message).

    python examples/proxy_stats.py [--messages 3000] [--interval 0.2]
"""
import argparse
import threading
import time

import zmqx


def producer(ctx, url, n, sent):
    with ctx.socket(zmqx.PUSH) as push:
        push.connect(url)
        for i in range(n):
            push.send(b"x" * 100)
            sent[0] = i + 1


def consumer(ctx, url, n, taken, pause):
    with ctx.socket(zmqx.PULL) as pull:
        pull.rcvhwm = 10
        pull.connect(url)
        for i in range(n):
            pull.recv()
            taken[0] = i + 1
            time.sleep(pause)           # a slow consumer: the queues fill up


def run_proxy(ctx, control_url):
    frontend = ctx.socket(zmqx.PULL)
    backend = ctx.socket(zmqx.PUSH)
    control = ctx.socket(zmqx.PAIR)
    frontend.bind("inproc://frontend")
    backend.sndhwm = 10
    backend.bind("inproc://backend")
    control.bind(control_url)
    try:
        zmqx.proxy_steerable(frontend, backend, control=control)  # until TERMINATE
    finally:
        for s in (frontend, backend, control):
            s.close(linger=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--pause", type=float, default=0.0003, help="consumer's delay per message")
    args = parser.parse_args()

    ctx = zmqx.Context()
    control_url = "inproc://proxy-control"
    proxy_thread = threading.Thread(target=run_proxy, args=(ctx, control_url))
    proxy_thread.start()
    control = ctx.socket(zmqx.PAIR)
    control.connect(control_url)

    sent, taken = [0], [0]
    workers = [
        threading.Thread(target=producer, args=(ctx, "inproc://frontend", args.messages, sent)),
        threading.Thread(target=consumer, args=(ctx, "inproc://backend", args.messages, taken,
                                                args.pause)),
    ]
    for w in workers:
        w.start()
    while True:
        stats = zmqx.proxy_statistics(control, timeout=5.0)
        print(f"in {stats.frontend.messages_in:6d} msgs {stats.frontend.bytes_in:8d} B | "
              f"out {stats.backend.messages_out:6d} msgs {stats.backend.bytes_out:8d} B | "
              f"waiting before proxy {sent[0] - stats.frontend.messages_in:5d}, "
              f"after proxy {stats.backend.messages_out - taken[0]:5d}", flush=True)
        if taken[0] == args.messages:
            break
        time.sleep(args.interval)       # the reporting period, not synchronisation
    control.send(b"TERMINATE")
    proxy_thread.join()
    for w in workers:
        w.join()
    control.close()
    ctx.term()
    print(f"done: {args.messages} messages through the proxy")


if __name__ == "__main__":
    main()
