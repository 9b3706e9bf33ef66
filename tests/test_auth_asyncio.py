"""AsyncioAuthenticator: ZAP answered on the running event loop, over
tcp://127.0.0.1; the server's monitor reports each handshake's outcome."""
import asyncio
import importlib

import pytest
from _backend import MODULE_NAME, zmq

aio = importlib.import_module(f"{MODULE_NAME}.asyncio")
auth_mod = importlib.import_module(f"{MODULE_NAME}.auth")
auth_aio = importlib.import_module(f"{MODULE_NAME}.auth.asyncio")
monitor = importlib.import_module(f"{MODULE_NAME}.utils.monitor")
E = zmq.Event
DEADLINE_S = 5.0
OUTCOMES = (E.HANDSHAKE_SUCCEEDED | E.HANDSHAKE_FAILED_AUTH | E.HANDSHAKE_FAILED_PROTOCOL
            | E.HANDSHAKE_FAILED_NO_DETAIL)

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")


async def outcome(mon):
    while True:
        msg = await asyncio.wait_for(mon.recv_multipart(), DEADLINE_S)
        event = monitor.parse_monitor_message(msg)
        if event["event"] & OUTCOMES:
            return event["event"]


async def scenario(allowed_dir, client_keys, provider):
    ctx = aio.Context()
    auth = auth_aio.AsyncioAuthenticator(ctx)
    auth.start()
    socks = []
    try:
        auth.configure_curve(location=allowed_dir)
        results = []
        for domain in ("*", "callback"):
            if domain == "callback":  # (pyzmq: once a callback is set, certs are not used)
                auth.configure_curve_callback("callback", provider)
            server_public, server_secret = zmq.curve_keypair()
            server = ctx.socket(zmq.REP)
            socks.append(server)
            if domain != "*":
                server.zap_domain = domain.encode()
            server.curve_server = True
            server.curve_publickey, server.curve_secretkey = server_public, server_secret
            mon = server.get_monitor_socket(OUTCOMES)
            socks.append(mon)
            server.bind("tcp://127.0.0.1:0")
            url = server.get_string(zmq.LAST_ENDPOINT)
            for keys in (client_keys, zmq.curve_keypair()):
                client = ctx.socket(zmq.REQ)
                socks.append(client)
                client.curve_serverkey = server_public
                client.curve_publickey, client.curve_secretkey = keys
                client.connect(url)
                await client.send(b"hello")
                event = await outcome(mon)
                if event == E.HANDSHAKE_SUCCEEDED:
                    frame = await asyncio.wait_for(server.recv(copy=False), DEADLINE_S)
                    await server.send(b"welcome")
                    assert await asyncio.wait_for(client.recv(), DEADLINE_S) == b"welcome"
                    results.append(frame.get("User-Id"))
                else:
                    results.append(event)
        return results
    finally:
        auth.stop()
        for s in socks:
            s.close(linger=0)
        ctx.term()


class AsyncProvider:
    def __init__(self, allowed):
        self.allowed = allowed

    async def callback(self, domain, key):
        await asyncio.sleep(0)  # a provider that awaits (a database, say)
        return key == self.allowed


def test_asyncio_authenticator_serves_and_refuses(tmp_path):
    public, secret = auth_mod.create_certificates(tmp_path, "client")
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (tmp_path / "client.key").rename(allowed / "client.key")
    keys = auth_mod.load_certificate(secret)
    provider = AsyncProvider(keys[0])
    results = asyncio.run(asyncio.wait_for(
        scenario(str(allowed), keys, provider), 4 * DEADLINE_S))
    user = keys[0].decode()
    assert results == [user, E.HANDSHAKE_FAILED_AUTH, user, E.HANDSHAKE_FAILED_AUTH]
