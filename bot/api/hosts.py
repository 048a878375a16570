"""Which host names this service answers to (DNS rebinding).

A page of another site can point its own name at this service's address (DNS rebinding):
the browser then sends that page's requests here as same-origin, with the other site's name
in `Host` and `Origin`. Two cases give such a request something worth having, and there the
`Host` must be one of this service's own names, else the answer is 421 with the reason:

- local mode (`bot.api.identity`): a request from this machine acts as the one local user,
  so it must name this machine: `localhost`, `127.0.0.1` or `[::1]`, any port;
- production with `SBH_PUBLIC_URL` set: every request names its host.

Health probes are exempt (load balancers and container health checks call by address), and
so is the webhook route, which sits outside this check: its signature is its proof.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.api.health import PROBE_PATHS
from bot.api.identity import LOOPBACK, local_mode_configured
from bot.intake.route import answer
from bot.settings import Settings

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str | None:
    """The name in a `Host` header, lower-case, without port or IPv6 brackets; None when
    there is none. A browser sends the name of the URL it loaded; other clients can send
    anything, but they are not who this check is for."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:  # an unclosed IPv6 bracket
        return None


class HostCheck:
    """Pure ASGI: refuses a request that names another host where a name matters (above)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.local_mode = local_mode_configured(settings)
        self.public_url = settings.public_url if settings.is_production else None
        self.public_host = urlsplit(self.public_url).hostname if self.public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await answer(send, 421, {"detail": refusal})

    def refusal(self, scope: Scope) -> str | None:
        """Why this request names the wrong host, or None when it may go on."""
        client = scope.get("client")
        if self.public_host is not None:
            allowed = frozenset({self.public_host})
            where = f"open it at {self.public_url}"
        elif self.local_mode and client is not None and client[0] in LOOPBACK:
            allowed = LOOPBACK_NAMES
            where = "in local mode SBH answers this machine only at localhost, 127.0.0.1 or [::1]"
        else:
            return None
        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        text = host.decode("latin-1")
        if host_name(text) in allowed:
            return None
        shown = repr(text) if text else "a request without Host"
        return f"{shown} is not a name of this service: {where}"
