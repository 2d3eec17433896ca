"""Crawl benchmark: one polite concurrent cycle vs sequential fetching, then a conditional cycle.

    python bench/crawl.py [--feeds 1000 --hosts 100 --items 20 --latency 0.05]

A loopback asyncio server (its own thread, one listening port per simulated host on 127.0.0.1)
serves ``--feeds`` RSS feeds spread over ``--hosts`` hosts, answering every request after
``--latency`` seconds without blocking the others, with ETag/Last-Modified and 304 on conditional
requests, and a permissive robots.txt. The server counts the bytes it sends (status line, headers,
body). Figures go to stdout. Loopback only; bounded; stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.feeds import parse_feed  # noqa: E402
from monitor.fetch import Fetcher, FetchRequest, fetch_request  # noqa: E402
from monitor.models import FetchResult  # noqa: E402
from monitor.settings import FetchSettings  # noqa: E402

LAST_MODIFIED = "Tue, 01 Jul 2025 00:00:00 GMT"
ROBOTS = b"User-agent: *\nAllow: /\n"
RUN_LIMIT = 600.0  # seconds: the whole benchmark gives up after this long


# -- the simulated outlets ------------------------------------------------------------------------
def feed_body(host: int, feed: int, items: int) -> bytes:
    """A plausible Vietnamese RSS feed (a few KB) for one host and feed number."""
    entries = []
    for i in range(items):
        link = f"http://outlet{host}.example/tin-tuc/bai-{feed}-{i}.html"
        entries.append(
            f"<item><title>Tỉnh Bắc Giang: tin số {i} của chuyên mục {feed}</title>"
            f"<link>{link}</link><guid>{link}</guid>"
            f"<description>Sáng nay, UBND tỉnh tổ chức hội nghị triển khai nhiệm vụ phát triển "
            f"kinh tế - xã hội, bảo đảm an sinh xã hội cho người dân (bài {i}).</description>"
            f"<pubDate>Tue, 01 Jul 2025 0{i % 10}:00:00 +0700</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Báo mẫu {host} – chuyên mục {feed}</title>"
        f"<link>http://outlet{host}.example/</link>{''.join(entries)}</channel></rss>"
    ).encode()


@dataclass
class SimulatedWeb:
    """Feeds keyed by (port, path) with their ETags, plus the byte and request counters."""

    latency: float
    feeds: dict[tuple[int, str], tuple[bytes, str]] = field(default_factory=dict)
    bytes_sent: int = 0
    requests: int = 0

    def respond(self, port: int, path: str, headers: dict[str, str]) -> tuple[str, list, bytes]:
        if path == "/robots.txt":
            return "200 OK", [("Content-Type", "text/plain")], ROBOTS
        found = self.feeds.get((port, path))
        if found is None:
            return "404 Not Found", [("Content-Type", "text/plain")], b"not found"
        body, etag = found
        validators = [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
        if headers.get("if-none-match") == etag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == LAST_MODIFIED
        ):
            return "304 Not Modified", validators, b""
        return "200 OK", [("Content-Type", "application/rss+xml; charset=utf-8"), *validators], body

    async def serve(self, port: int, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                await asyncio.sleep(self.latency)
                status, extra, body = self.respond(port, path, headers)
                head_out = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in extra)
                data = (head_out + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
                self.bytes_sent += len(data)
                self.requests += 1
                writer.write(data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def reset(self) -> None:
        self.bytes_sent = 0
        self.requests = 0


class ServerThread:
    """Runs the simulated web on its own event loop, one listening port per host."""

    def __init__(self, web: SimulatedWeb, hosts: int) -> None:
        self.web = web
        self.hosts = hosts
        self.ports: list[int] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._servers: list[asyncio.Server] = []

    def __enter__(self) -> ServerThread:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("benchmark server did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._servers = self._loop.run_until_complete(self._listen())
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self) -> list[asyncio.Server]:
        servers = []
        for _ in range(self.hosts):
            holder: dict[str, int] = {}

            async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter,
                             holder: dict[str, int] = holder) -> None:
                with contextlib.suppress(asyncio.CancelledError):  # shutdown: end quietly
                    await self.web.serve(holder["port"], r, w)

            server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
            holder["port"] = server.sockets[0].getsockname()[1]
            self.ports.append(holder["port"])
            servers.append(server)
        return servers


def publish(web: SimulatedWeb, ports: Sequence[int], feeds: int, items: int) -> list[str]:
    """Create the feeds round-robin over the hosts; returns their URLs."""
    urls = []
    for n in range(feeds):
        host = n % len(ports)
        path = f"/rss/chuyen-muc-{n // len(ports)}.rss"
        body = feed_body(host, n, items)
        web.feeds[(ports[host], path)] = (body, f'"{hashlib.sha1(body).hexdigest()[:16]}"')
        urls.append(f"http://127.0.0.1:{ports[host]}{path}")
    return urls


# -- the crawls -----------------------------------------------------------------------------------
@dataclass
class Timing:
    """Wall-clock seconds of a cycle, seconds of it spent parsing, and what came out."""

    wall: float = 0.0
    parse: float = 0.0
    items: int = 0
    failed: int = 0

    @property
    def fetch(self) -> float:
        """Time not spent parsing (waiting on the network, and the client's own work)."""
        return self.wall - self.parse


def parse_one(body: bytes, url: str, headers: dict[str, str]) -> int:
    return len(parse_feed(body, url=url, headers=headers, kind="rss").items)


async def polite_cycle(fetcher: Fetcher, requests: list[FetchRequest]) -> tuple[list, Timing]:
    """The pipeline's way: all feeds fetched concurrently, each parsed as soon as it arrives."""
    timing = Timing()

    async def one(request: FetchRequest) -> FetchResult:
        result = await fetch_request(fetcher, request)
        if result.ok and not result.not_modified:
            parsing = time.perf_counter()
            timing.items += parse_one(result.body, result.final_url, result.headers)
            timing.parse += time.perf_counter() - parsing
        elif not result.ok:
            timing.failed += 1
        return result

    started = time.perf_counter()
    results = await asyncio.gather(*(one(r) for r in requests))
    timing.wall = time.perf_counter() - started
    return list(results), timing


async def sequential(urls: Sequence[str]) -> Timing:
    """Plain httpx, one request after the other, each body parsed as it comes."""
    timing = Timing()
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=10.0) as client:
        for url in urls:
            response = await client.get(url)
            if response.status_code != 200:
                timing.failed += 1
                continue
            parsing = time.perf_counter()
            timing.items += parse_one(response.content, url, dict(response.headers))
            timing.parse += time.perf_counter() - parsing
    timing.wall = time.perf_counter() - started
    return timing


def report(label: str, results: Sequence[FetchResult], timing: Timing, web: SimulatedWeb) -> None:
    unchanged = sum(1 for r in results if r.ok and r.not_modified)
    print(f"{label}: {len(results)} feeds in {timing.wall:.2f} s "
          f"({web.requests / timing.wall:.0f} requests/s as the server counts them; parsing "
          f"{timing.parse:.2f} s of it), items {timing.items}, unchanged {unchanged}, "
          f"failed {timing.failed}, server bytes {web.bytes_sent:,}")


async def run(args: argparse.Namespace, web: SimulatedWeb, urls: list[str]) -> None:
    settings = FetchSettings(min_interval=0.0, concurrency_per_host=2,
                             global_concurrency=args.global_concurrency, respect_robots=True,
                             retries=1, read_timeout=10.0, total_timeout=30.0)
    async with Fetcher(settings) as fetcher:
        web.reset()
        results, first = await polite_cycle(fetcher, [FetchRequest(u) for u in urls])
        report("cycle 1 (polite, concurrent)", results, first, web)
        first_bytes = web.bytes_sent
        web.reset()
        conditional = [FetchRequest(r.url, etag=r.headers.get("etag"),
                                    last_modified=r.headers.get("last-modified"),
                                    previous_hash=r.body_hash) for r in results]
        again, second = await polite_cycle(fetcher, conditional)
        report("cycle 2 (conditional GET)", again, second, web)
        print(f"cycle 2 bytes: {web.bytes_sent:,} = {100 * web.bytes_sent / first_bytes:.2f} % "
              f"of cycle 1 ({first_bytes:,}); target < 5 %")
    web.reset()
    seq = await sequential(urls)
    print(f"sequential baseline: {len(urls)} feeds in {seq.wall:.2f} s "
          f"({web.requests / seq.wall:.0f} requests/s; parsing {seq.parse:.2f} s of it), "
          f"items {seq.items}, failed {seq.failed}")
    print(f"speed-up vs sequential: {seq.wall / first.wall:.1f}x (cycle {first.wall:.2f} s vs "
          f"{seq.wall:.2f} s); target >= 20x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per response")
    parser.add_argument("--global-concurrency", type=int,
                        default=FetchSettings().global_concurrency,
                        help="requests in flight in all (default: the shipped setting)")
    args = parser.parse_args(argv)
    web = SimulatedWeb(latency=args.latency)
    with ServerThread(web, args.hosts) as server:
        urls = publish(web, server.ports, args.feeds, args.items)
        print(f"{args.feeds} feeds on {args.hosts} loopback hosts, {args.items} items each, "
              f"{args.latency * 1000:.0f} ms latency per response")
        asyncio.run(asyncio.wait_for(run(args, web, urls), RUN_LIMIT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
