"""The health prober over HTTP: public https targets only (no SSRF), healthy means 200 +
healthy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

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
