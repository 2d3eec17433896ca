"""A real HTTP server on 127.0.0.1:0 in a daemon thread, with routes and a request log, for tests.

Usage::

    with TestServer() as server:
        server.route("/feed.xml", body=b"<rss/>", headers={"Content-Type": "application/rss+xml"})
        server.route("/slow", Response(body=iter([b"a", b"b"]), chunk_delay=0.5))
        server.route("/etag", lambda request: Response(304) if request.header("if-none-match")
                     else Response(body=b"x", headers={"ETag": '"1"'}))
        fetch(server.url("/feed.xml"))
        assert server.requests_for("/feed.xml")[0].header("user-agent") == "..."

A route is a ``Response`` or a callable ``(LoggedRequest) -> Response``. A ``Response`` body
given as ``bytes`` is sent with a Content-Length; given as an iterable of chunks it is streamed
without one (the connection closes at the end). ``drop_after`` closes the socket after that many
body bytes, ``delay`` waits before the status line, ``chunk_delay`` before each streamed chunk.
Unknown paths answer 404. Paths match with the query string first, then without it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, BinaryIO


@dataclass(frozen=True)
class Response:
    """What a route answers."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0
    chunk_delay: float = 0.0
    drop_after: int | None = None


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server received it; ``time`` is ``time.monotonic()`` at arrival."""

    method: str
    path: str
    headers: dict[str, str]
    time: float
    client_port: int

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Route = Response | Callable[[LoggedRequest], Response]


class TestServer:
    """Real threaded HTTP/1.1 server on 127.0.0.1 with an ephemeral port."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: Mapping[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[LoggedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> TestServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        httpd.daemon_threads = True
        httpd.owner = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- routes and log --------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, response: Route | None = None, *, status: int = 200,
              headers: Mapping[str, str] | None = None, body: bytes = b"") -> None:
        """Register ``path``: a Response, a handler callable, or a static status/headers/body."""
        self.routes[path] = response if response is not None else Response(
            status=status, headers=dict(headers or {}), body=body)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset_counters(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight
            self.bytes_sent = 0

    # -- called from handler threads -------------------------------------------------------------
    def _arrived(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _answered(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _count(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def _lookup(self, request: LoggedRequest) -> Response:
        route = self.routes.get(request.path) or self.routes.get(request.path.split("?", 1)[0])
        if route is None:
            return Response(404, {"Content-Type": "text/plain"}, b"not found")
        return route(request) if callable(route) else route


class _CountingWriter:
    """Wraps the handler's wfile to count bytes sent on the wire."""

    def __init__(self, raw: BinaryIO, count: Callable[[int], None]) -> None:
        self._raw = raw
        self._count = count

    def write(self, data: bytes) -> int:
        written = self._raw.write(data)
        self._count(len(data))
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.wfile = _CountingWriter(self.wfile, self._owner._count)  # type: ignore[assignment]

    @property
    def _owner(self) -> TestServer:
        return self.server.owner  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence stderr
        pass

    def do_GET(self) -> None:  # noqa: N802
        request = LoggedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            time=time.monotonic(),
            client_port=self.client_address[1],
        )
        self._owner._arrived(request)
        try:
            response = self._owner._lookup(request)
            if response.delay:
                time.sleep(response.delay)
        finally:
            self._owner._answered()  # before writing: the client cannot start its next one earlier
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (timeout, size cap): fine

    do_HEAD = do_GET

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        names = {k.lower() for k in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        streamed = not isinstance(response.body, bytes | bytearray)
        if streamed:
            self.send_header("Connection", "close")
            self.close_connection = True
        elif "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))  # type: ignore[arg-type]
        self.end_headers()
        if self.command == "HEAD":
            return
        if streamed:
            self._stream(response)
        elif response.drop_after is not None:
            self._drop(response.body[: response.drop_after])  # type: ignore[index]
        else:
            self.wfile.write(response.body)  # type: ignore[arg-type]

    def _stream(self, response: Response) -> None:
        for chunk in response.body:
            if response.chunk_delay:
                time.sleep(response.chunk_delay)
            self.wfile.write(chunk)
            self.wfile.flush()

    def _drop(self, partial: bytes) -> None:
        self.wfile.write(partial)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
