"""`HealthProber` over HTTPS with httpx: probing the public health endpoints of deployed
systems, safely.

A spec's domain is user input: SBH only requests `https://` URLs whose name resolves to
public addresses, never private, loopback, link-local or other non-global ranges (no SSRF
into SBH's own network), with a short timeout and no redirects. The check sits here, in front
of the only code that makes the request, so no caller can skip it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import httpx

from bot.ports import ProbeResult, RefusedTarget

Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    return sorted(
        {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    )


def check_target(
    url: str, resolve: Resolver = system_resolver, *, allow_private: bool = False
) -> None:
    """Raise RefusedTarget unless `url` is https and every address of its host is public."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not allow_private:
        raise RefusedTarget(f"{url}: only https:// is probed")
    if not parts.hostname:
        raise RefusedTarget(f"{url}: no host")
    try:
        addresses = resolve(parts.hostname, parts.port or 443)
    except OSError as error:
        raise RefusedTarget(f"{parts.hostname}: does not resolve ({error})") from None
    if not addresses:
        raise RefusedTarget(f"{parts.hostname}: does not resolve")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global and not allow_private:
            raise RefusedTarget(f"{parts.hostname} resolves to {ip}, which is not a public address")


class HttpHealthProber:
    def __init__(
        self,
        *,
        timeout: float = 5.0,
        resolve: Resolver = system_resolver,
        allow_private: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # `allow_private` exists for tests that probe a server on this machine.
        self.timeout, self.resolve, self.allow_private = timeout, resolve, allow_private
        self.transport = transport

    def probe(self, url: str) -> ProbeResult:
        check_target(url, self.resolve, allow_private=self.allow_private)
        started = time.perf_counter()
        try:
            with httpx.Client(
                timeout=self.timeout, follow_redirects=False, transport=self.transport
            ) as client:
                response = client.get(url, headers={"User-Agent": "system-builder-hub-health"})
        except httpx.HTTPError as failure:
            return ProbeResult(False, None, None, type(failure).__name__)
        latency = round((time.perf_counter() - started) * 1000, 1)
        try:
            healthy = response.status_code == 200 and response.json().get("status") == "healthy"
        except ValueError:
            healthy = False
        problem = None if healthy else f"answered {response.status_code}"
        return ProbeResult(healthy, response.status_code, latency, problem)
