"""Local network helpers for tests: a threaded HTTP server on 127.0.0.1 and
free ports (downloads, URLs, distributed rendezvous)."""
import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, Type


@contextlib.contextmanager
def serve_http(handler: Type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """Serve ``handler`` on a free port of 127.0.0.1 until the block ends.

    The yielded server has ``url`` (``http://127.0.0.1:PORT``); it is shut
    down, closed and its thread joined on exit.
    """
    httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    httpd.url = f'http://127.0.0.1:{httpd.server_address[1]}'
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
