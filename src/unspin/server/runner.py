"""Running the app under uvicorn: in the foreground (`unspin serve`) or in a background thread
(tests, benchmarks, the screenshot script), always on a socket we opened ourselves so that a
busy port is a clear error and port 0 picks a free one."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn

from ..inputs import InputError


def open_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                         "choose another --port or --host") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def uvicorn_server(app, log_level: str = "info", access_log: bool = True) -> uvicorn.Server:
    config = uvicorn.Config(app, log_level=log_level, access_log=access_log,
                            timeout_keep_alive=5, server_header=False)
    return uvicorn.Server(config)


def serve(app, sock: socket.socket, log_level: str = "info") -> None:
    """Serve until interrupted (Ctrl-C)."""
    uvicorn_server(app, log_level).run(sockets=[sock])


@contextmanager
def background_server(app, host: str = "127.0.0.1", port: int = 0,
                      log_level: str = "warning") -> Iterator[str]:
    """Serve `app` from a thread for the duration of the block; yields its base URL."""
    sock = open_socket(host, port)
    server = uvicorn_server(app, log_level, access_log=False)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
