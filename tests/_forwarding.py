"""Socket helpers shared by the proxy and device tests."""
JOIN_S = 10.0


def bound(ctx, kind, url, **options):
    """A socket for a proxy to own: LINGER 0, as close(linger=...) fails once term() began."""
    s = ctx.socket(kind)
    s.linger = 0
    for name, value in options.items():
        setattr(s, name, value)
    s.bind(url)
    return s


def connected(ctx, kind, url, **options):
    """A peer socket whose send and recv give up after 5 s."""
    s = ctx.socket(kind)
    s.rcvtimeo = s.sndtimeo = 5000
    for name, value in options.items():
        setattr(s, name, value)
    s.connect(url)
    return s
