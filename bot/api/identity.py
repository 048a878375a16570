"""Who is asking (`CurrentViewer`) and whether the browser meant it (`CsrfChecked`).

In order, a request is:
1. a person signed in with GitHub (a valid `sbh_session` cookie): sees the systems whose
   repositories they can reach through the App's installations;
2. a program with `Authorization: Bearer <SBH_API_TOKEN>`: sees everything;
3. in development with neither sign-in nor a token configured, a request from this machine
   (which `bot.api.hosts` holds to naming it: localhost): the one local user, who sees
   everything;
4. anyone else: 401, saying how to sign in.

`CsrfChecked` guards every state-changing route the browser calls, by double-submit:
`GET /api/session` sets a signed random `sbh_csrf` cookie (HttpOnly, SameSite=Strict) and
returns the same value as `csrf_token`; the web app sends it back in the `X-CSRF-Token`
header. Another site can make the browser send the cookie but can neither read the token
nor set the header, and a present `Origin` must be this service. Requests with
`Authorization: Bearer <SBH_API_TOKEN>` are exempt: no browser adds that header on its own.
The webhook route needs none of this: its signature is its proof.

    @router.post("/api/things")
    async def change_things(csrf: CsrfChecked, ...) -> ...:
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from bot.api.dependencies import Services, get_services
from bot.api.session_store import find_session
from bot.api.web_session import (
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    same_origin,
    same_token,
    verify,
)
from bot.db.models import utcnow
from bot.settings import Settings

LOOPBACK = frozenset({"127.0.0.1", "::1"})


@dataclass(frozen=True)
class Viewer:
    login: str | None
    mode: Literal["local", "github", "token"]
    # Lower-case `owner/name` of what the viewer may see; None: everything.
    repositories: frozenset[str] | None

    def can_see(self, full_name: str) -> bool:
        return self.repositories is None or full_name.lower() in self.repositories

    @property
    def label(self) -> str:
        if self.mode == "github":
            return f"Signed in as @{self.login}"
        if self.mode == "token":
            return "Signed in with SBH_API_TOKEN"
        return "Local mode — one local user"


LOCAL_USER = Viewer(login="local", mode="local", repositories=None)
TOKEN_USER = Viewer(login=None, mode="token", repositories=None)


def local_mode_configured(settings: Settings) -> bool:
    """Development with no way to sign in configured: this machine is the one local user."""
    return (
        not settings.is_production
        and settings.api_token is None
        and not settings.sign_in_configured
    )


def local_mode(settings: Settings, request: Request) -> bool:
    """Local mode, asked from this machine. `bot.api.hosts` has already refused such a
    request unless it names this machine (localhost), as a page of another site cannot."""
    client = request.client.host if request.client else ""
    return local_mode_configured(settings) and client in LOOPBACK


def bearer_token(settings: Settings, authorization: str | None) -> bool:
    """Whether `authorization` is `Bearer <SBH_API_TOKEN>` (constant-time); False when no
    token is configured."""
    expected = settings.api_token.get_secret_value() if settings.api_token else ""
    if not expected or authorization is None:
        return False
    return same_token(authorization.removeprefix("Bearer ").strip(), expected)


def how_to_sign_in(settings: Settings) -> str:
    ways = []
    if settings.sign_in_configured:
        ways.append("sign in with GitHub at /api/auth/login")
    if settings.api_token is not None:
        ways.append("send Authorization: Bearer <SBH_API_TOKEN>")
    if not ways:
        return (
            "nobody can sign in: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (sign-in with "
            "GitHub) or SBH_API_TOKEN"
        )
    return " or ".join(ways)


async def find_viewer(
    request: Request, services: Services, authorization: str | None
) -> Viewer | None:
    """The viewer of `request`, or None when it carries no credentials. A wrong bearer token
    is refused outright rather than ignored."""
    settings = services.settings
    session_id = verify(
        settings.secret_key.get_secret_value().encode(),
        "session",
        request.cookies.get(SESSION_COOKIE),
        time.time(),
    )
    if session_id is not None:
        identity = await run_in_threadpool(find_session, services.database, session_id, utcnow())
        if identity is not None:
            return Viewer(identity.login, "github", identity.repositories)
    if authorization is not None:
        if bearer_token(settings, authorization):
            return TOKEN_USER
        raise HTTPException(401, f"that Authorization is not accepted: {how_to_sign_in(settings)}")
    if local_mode(settings, request):
        return LOCAL_USER
    return None


async def current_viewer(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> Viewer:
    viewer = await find_viewer(request, services, authorization)
    if viewer is None:
        raise HTTPException(401, f"not signed in: {how_to_sign_in(services.settings)}")
    return viewer


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


async def check_csrf(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
    origin: Annotated[str | None, Header()] = None,
    csrf_header: Annotated[str | None, Header(alias=CSRF_HEADER)] = None,
) -> None:
    settings = services.settings
    if bearer_token(settings, authorization):
        return
    host = request.headers.get("host", "")
    if origin is not None and not same_origin(origin, host, settings.public_url):
        raise HTTPException(403, f"cross-site request refused: {origin} is not this site")
    cookie = request.cookies.get(CSRF_COOKIE)
    secret = settings.secret_key.get_secret_value().encode()
    if cookie is None or verify(secret, "csrf", cookie, time.time()) is None:
        raise HTTPException(
            403,
            "CSRF check failed: no valid sbh_csrf cookie; GET /api/session first and send its "
            f"csrf_token in the {CSRF_HEADER} header",
        )
    if not same_token(csrf_header, cookie):
        raise HTTPException(
            403,
            f"CSRF check failed: the {CSRF_HEADER} header is missing or does not match; send "
            "the csrf_token from GET /api/session",
        )


CsrfChecked = Annotated[None, Depends(check_csrf)]
