"""Finding free loopback ports for servers that need fixed, consecutive ports."""

from __future__ import annotations

import random
import socket


def free_port_range(count: int, *, low: int = 20000, high: int = 60000) -> int:
    """A base port such that base .. base+count-1 are all free on 127.0.0.1 right now."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(low, high - count)
        if all(_free(base + i) for i in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found on 127.0.0.1")


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
