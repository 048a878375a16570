"""Sign-in with GitHub (the App's OAuth user-to-server flow) and `GET /api/session`.

`GET /api/auth/login` sends the browser to GitHub with a random `state` that is also kept in
a short-lived signed cookie; `GET /api/auth/callback` checks it, lets the adapter turn the
code into who the person is and what they can reach, keeps that as a session in the
database and gives the browser a signed, HttpOnly, SameSite=Lax `sbh_session` cookie.
`POST /api/auth/logout` ends it. No secret and no GitHub token ever reaches the browser.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from bot.api.dependencies import Services, get_services
from bot.api.identity import CsrfChecked, find_viewer, how_to_sign_in
from bot.api.session_store import end_session, start_session
from bot.api.web_session import (
    CSRF_COOKIE,
    CSRF_SECONDS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    STATE_COOKIE,
    STATE_SECONDS,
    Purpose,
    authorize_url,
    new_token,
    same_token,
    sign,
    verify,
)
from bot.db.models import utcnow
from bot.logs import log_event
from bot.ports import SignInFailed
from bot.settings import Settings

router = APIRouter()
log = logging.getLogger("sbh.auth")
AUTH_PATH = "/api/auth"
START_AGAIN = "start again at /api/auth/login"


def _secret(settings: Settings) -> bytes:
    return settings.secret_key.get_secret_value().encode()


def _signed(settings: Settings, purpose: Purpose, value: str, seconds: int) -> str:
    return sign(_secret(settings), purpose, value, int(time.time()) + seconds)


def _verified(settings: Settings, purpose: Purpose, signed: str | None) -> str | None:
    return verify(_secret(settings), purpose, signed, time.time())


def _set_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    seconds: int,
    *,
    samesite: Literal["lax", "strict"] = "lax",
    path: str = "/",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=path,
        secure=settings.is_production,
        httponly=True,
        samesite=samesite,
    )


def _callback_url(request: Request, settings: Settings) -> str:
    if settings.public_url:
        return f"{settings.public_url.rstrip('/')}{AUTH_PATH}/callback"
    return str(request.url_for("auth_callback"))


def _sign_in_configured(settings: Settings) -> None:
    if not settings.sign_in_configured:
        raise HTTPException(
            404,
            "sign-in with GitHub is not configured: set GITHUB_CLIENT_ID and "
            "GITHUB_CLIENT_SECRET (the GitHub App's OAuth client)",
        )


async def _end_session(request: Request, services: Services) -> None:
    session_id = _verified(services.settings, "session", request.cookies.get(SESSION_COOKIE))
    if session_id is not None:
        await run_in_threadpool(end_session, services.database, session_id)


class SessionView(BaseModel):
    """Who the web app acts as. Never a secret: the CSRF token is also this browser's cookie."""

    user: str | None
    mode: Literal["local", "github", "token", "anonymous"]
    label: str
    sign_in_url: str | None  # where "Sign in with GitHub" goes; None: not configured
    csrf_token: str


class SignedOut(BaseModel):
    signed_out: Literal[True] = True


@router.get("/api/session")
async def session(
    request: Request,
    response: Response,
    services: Annotated[Services, Depends(get_services)],
    authorization: Annotated[str | None, Header()] = None,
) -> SessionView:
    """Who the web app is acting as, where to sign in, and the CSRF token to send with
    state-changing requests (also set as the `sbh_csrf` cookie). Never a secret."""
    settings = services.settings
    viewer = await find_viewer(request, services, authorization)
    csrf_token = request.cookies.get(CSRF_COOKIE)
    if _verified(settings, "csrf", csrf_token) is None:
        csrf_token = _signed(settings, "csrf", new_token(), CSRF_SECONDS)
        _set_cookie(response, settings, CSRF_COOKIE, csrf_token, CSRF_SECONDS, samesite="strict")
    return SessionView(
        user=viewer.login if viewer else None,
        mode=viewer.mode if viewer else "anonymous",
        label=viewer.label if viewer else f"Not signed in: {how_to_sign_in(settings)}",
        sign_in_url=f"{AUTH_PATH}/login" if settings.sign_in_configured else None,
        csrf_token=csrf_token,
    )


@router.get("/api/auth/login", response_class=RedirectResponse, status_code=302)
async def login(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> RedirectResponse:
    settings = services.settings
    _sign_in_configured(settings)
    assert settings.github_client_id is not None
    state = new_token()
    response = RedirectResponse(
        authorize_url(
            settings.github_web_url,
            settings.github_client_id,
            _callback_url(request, settings),
            state,
        ),
        status_code=302,
    )
    signed_state = _signed(settings, "oauth-state", state, STATE_SECONDS)
    _set_cookie(response, settings, STATE_COOKIE, signed_state, STATE_SECONDS, path=AUTH_PATH)
    return response


@router.get(
    "/api/auth/callback", name="auth_callback", response_class=RedirectResponse, status_code=302
)
async def callback(
    request: Request,
    services: Annotated[Services, Depends(get_services)],
    code: str | None = None,
    state: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> RedirectResponse:
    settings = services.settings
    _sign_in_configured(settings)
    assert services.user_auth is not None
    if error:
        reason = error_description or error
        raise HTTPException(400, f"GitHub did not sign you in ({reason}); {START_AGAIN}")
    expected = _verified(settings, "oauth-state", request.cookies.get(STATE_COOKIE))
    if expected is None or not same_token(state, expected):
        raise HTTPException(
            400,
            "this sign-in cannot be checked: its state is missing, expired or from another "
            f"browser; {START_AGAIN}",
        )
    if not code:
        raise HTTPException(400, f"GitHub sent no sign-in code; {START_AGAIN}")
    try:
        identity = await run_in_threadpool(
            services.user_auth.identify, code, _callback_url(request, settings)
        )
    except SignInFailed as failure:
        raise HTTPException(400, str(failure)) from None
    await _end_session(request, services)  # a new id at every sign-in, the old one ends
    session_id = await run_in_threadpool(
        start_session,
        services.database,
        identity,
        utcnow(),
        timedelta(seconds=SESSION_SECONDS),
    )
    log_event(
        log,
        logging.INFO,
        "web.signed_in",
        login=identity.login,
        repositories=len(identity.repositories),
    )
    response = RedirectResponse("/#/systems", status_code=302)
    signed_session = _signed(settings, "session", session_id, SESSION_SECONDS)
    _set_cookie(response, settings, SESSION_COOKIE, signed_session, SESSION_SECONDS)
    response.delete_cookie(STATE_COOKIE, path=AUTH_PATH)
    return response


@router.post("/api/auth/logout")
async def logout(
    request: Request,
    response: Response,
    services: Annotated[Services, Depends(get_services)],
    csrf: CsrfChecked,
) -> SignedOut:
    await _end_session(request, services)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, secure=services.settings.is_production
    )
    return SignedOut()
