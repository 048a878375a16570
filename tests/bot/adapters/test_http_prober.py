"""The health prober over HTTP: public https targets only (no SSRF), healthy means 200 +
healthy."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from bot.adapters.http_prober import HttpHealthProber, check_target
from bot.ports import RefusedTarget


def resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "::1",
        "fd00::1",
        "fe80::1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str) -> None:
    with pytest.raises(RefusedTarget, match="not a public address"):
        check_target("https://app.example.com/health", resolving_to(address))


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(RefusedTarget):
        check_target("https://app.example.com/health", resolving_to("93.184.216.34", "10.1.1.1"))


def test_only_https_is_probed() -> None:
    with pytest.raises(RefusedTarget, match="only https"):
        check_target("http://app.example.com/health", resolving_to("93.184.216.34"))


def test_a_public_https_target_passes() -> None:
    check_target(
        "https://app.example.com/health", resolving_to("93.184.216.34", "2606:2800:220:1::1")
    )


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(RefusedTarget, match="does not resolve"):
        check_target("https://nowhere.invalid/health", fail)


@pytest.fixture
def local_server() -> Iterator[dict[str, object]]:
    state: dict[str, object] = {"status": 200, "body": {"status": "healthy"}}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(state["body"]).encode()
            self.send_response(int(state["status"]))  # type: ignore[call-overload]
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/api/health"
    yield state
    server.shutdown()


def test_the_prober_refuses_the_local_server_unless_the_test_relaxes_the_check(
    local_server: dict[str, object],
) -> None:
    with pytest.raises(RefusedTarget):
        HttpHealthProber().probe(str(local_server["url"]))

    result = HttpHealthProber(allow_private=True).probe(str(local_server["url"]))

    assert result.up
    assert result.status_code == 200
    assert result.latency_ms is not None


def test_an_unhealthy_answer_is_down(local_server: dict[str, object]) -> None:
    local_server["status"] = 503
    local_server["body"] = {"status": "unhealthy"}

    result = HttpHealthProber(allow_private=True).probe(str(local_server["url"]))

    assert not result.up
    assert result.error == "answered 503"


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:10.0.0.1",  # IPv4-mapped
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv4_addresses_embedded_in_ipv6_are_judged_as_what_they_reach(address: str) -> None:
    with pytest.raises(RefusedTarget, match="not a public address"):
        check_target("https://app.example.com/health", resolving_to(address))


def test_a_public_ipv4_behind_nat64_passes() -> None:
    check_target("https://app.example.com/health", resolving_to("64:ff9b::5db8:d822"))


class Answers:
    """An HTTP transport that answers each URL as told and keeps what it was sent."""

    def __init__(self, answers: dict[str, httpx.Response]) -> None:
        self.answers = answers
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.answers[str(request.url)]


HEALTHY = httpx.Response(200, json={"status": "healthy"})


def test_the_request_goes_to_the_address_that_was_checked_even_if_the_name_changes() -> None:
    answers = ["93.184.216.34", "127.0.0.1"]  # a rebinding DNS: public first, then loopback

    def rebinding(host: str, port: int) -> list[str]:
        return [answers.pop(0)] if answers else ["127.0.0.1"]

    transport = Answers({"https://93.184.216.34/health": HEALTHY})
    prober = HttpHealthProber(resolve=rebinding, transport=httpx.MockTransport(transport))

    result = prober.probe("https://app.example.com/health")

    assert result.up
    (request,) = transport.sent
    assert request.url.host == "93.184.216.34"
    assert request.headers["Host"] == "app.example.com"
    assert request.extensions["sni_hostname"] == "app.example.com"


def test_every_redirect_hop_is_checked_before_it_is_requested() -> None:
    names = {"app.example.com": ["93.184.216.34"], "internal.example.com": ["10.0.0.5"]}
    transport = Answers(
        {
            "https://93.184.216.34/health": httpx.Response(
                302, headers={"Location": "https://internal.example.com/health"}
            )
        }
    )
    prober = HttpHealthProber(
        resolve=lambda host, port: names[host], transport=httpx.MockTransport(transport)
    )

    with pytest.raises(RefusedTarget, match=re.escape("internal.example.com resolves to 10.0.0.5")):
        prober.probe("https://app.example.com/health")
    assert [str(request.url) for request in transport.sent] == ["https://93.184.216.34/health"]


def test_a_redirect_to_a_public_name_is_followed_to_its_checked_address() -> None:
    names = {"app.example.com": ["93.184.216.34"], "www.example.com": ["93.184.216.35"]}
    transport = Answers(
        {
            "https://93.184.216.34/health": httpx.Response(
                301, headers={"Location": "https://www.example.com/health"}
            ),
            "https://93.184.216.35/health": HEALTHY,
        }
    )
    prober = HttpHealthProber(
        resolve=lambda host, port: names[host], transport=httpx.MockTransport(transport)
    )

    assert prober.probe("https://app.example.com/health").up
    assert transport.sent[-1].headers["Host"] == "www.example.com"
