"""`HealthProber` over HTTPS with httpx: probing the public health endpoints of deployed
systems, safely.

A spec's domain is user input: SBH only requests `https://` URLs whose name resolves to
public addresses, never private, loopback, link-local or other non-global ranges (no SSRF
into SBH's own network), with a short timeout. The check sits here, in front of the only
code that makes the request, so no caller can skip it, and the request goes to the very
address that was checked (the name is resolved once; TLS still verifies the name, through
SNI): a DNS answer that changes between the check and the connection (DNS rebinding) cannot
steer it. Redirects are followed by hand, each hop checked the same way.
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
MAX_REDIRECTS = 3
# Prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and 8215), and
# the deprecated IPv4-compatible form: the embedded address is what gets reached.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[str]:
    return sorted(
        {str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    )


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _NAT64) or (
        ip in _IPV4_COMPATIBLE and int(ip) > 1  # not :: or ::1, which are IPv6's own
    ):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded is not None:
            return embedded.is_global
    return ip.is_global


def check_target(
    url: str, resolve: Resolver = system_resolver, *, allow_private: bool = False
) -> str:
    """The address to connect to for `url`; raises RefusedTarget unless `url` is https and
    every address of its host is public."""
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
    checked = [ipaddress.ip_address(address.split("%")[0]) for address in addresses]
    for ip in checked:
        if not is_public(ip) and not allow_private:
            raise RefusedTarget(f"{parts.hostname} resolves to {ip}, which is not a public address")
    return str(checked[0])


def pinned_request(client: httpx.Client, url: str, address: str) -> httpx.Request:
    """A GET of `url` sent to `address`, with the URL's host kept for TLS (SNI and the
    certificate check) and in the Host header."""
    target = httpx.URL(url)
    host = target.host
    authority = host if target.port is None else f"{host}:{target.port}"
    return client.build_request(
        "GET",
        target.copy_with(host=address),
        headers={"Host": authority, "User-Agent": "system-builder-hub-health"},
        extensions={"sni_hostname": host},
    )


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
        started = time.perf_counter()
        with httpx.Client(
            timeout=self.timeout, follow_redirects=False, transport=self.transport
        ) as client:
            try:
                response = self._get(client, url)
            except httpx.HTTPError as failure:
                return ProbeResult(False, None, None, type(failure).__name__)
        latency = round((time.perf_counter() - started) * 1000, 1)
        try:
            healthy = response.status_code == 200 and response.json().get("status") == "healthy"
        except ValueError:
            healthy = False
        problem = None if healthy else f"answered {response.status_code}"
        return ProbeResult(healthy, response.status_code, latency, problem)

    def _get(self, client: httpx.Client, url: str) -> httpx.Response:
        """GET `url`, following up to MAX_REDIRECTS redirects; every hop is checked before
        it is requested. Raises RefusedTarget for a hop that may not be requested."""
        for _ in range(MAX_REDIRECTS + 1):
            address = check_target(url, self.resolve, allow_private=self.allow_private)
            response = client.send(pinned_request(client, url, address))
            location = response.headers.get("location")
            if not response.is_redirect or location is None:
                return response
            url = str(httpx.URL(url).join(location))
        return response
