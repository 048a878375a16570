"""Sign-in with GitHub over real HTTP against the fake GitHub: the App's OAuth web flow, the
session cookie, what a signed-in person may see, signing out, and CSRF protection."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.api.web_session import CSRF_HEADER, SESSION_COOKIE, sign
from bot.app import create_app
from bot.db.database import Database
from bot.db.models import System
from tests.bot.conftest import as_the_web_app, make_settings
from tests.fakes.github_http import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeGitHubHttp, serving

SECRET_KEY = "a-long-random-secret-key-for-the-sign-in-tests"
API_TOKEN = "api-token-for-tests"
CALLBACK = "http://testserver/api/auth/callback"


@pytest.fixture
def github() -> Iterator[FakeGitHubHttp]:
    hub = FakeGitHubHttp()
    hub.add_user("alice", {1: ["acme/orders-api", "acme/web"], 2: ["alice/notes"]})
    hub.add_user("bob", {})
    with serving(hub):
        yield hub


@pytest.fixture
def sbh(github: FakeGitHubHttp, database: Database) -> Iterator[TestClient]:
    settings = make_settings(
        SECRET_KEY=SECRET_KEY,
        SBH_API_TOKEN=API_TOKEN,
        GITHUB_CLIENT_ID=OAUTH_CLIENT_ID,
        GITHUB_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        GITHUB_WEB_URL=github.base_url,
        GITHUB_API_URL=github.base_url,
    )
    with database.session() as session:
        for owner, name in (("acme", "orders-api"), ("globex", "billing")):
            session.add(
                System(owner=owner, name=name, spec="", spec_hash="0", template_version="1")
            )
    with TestClient(create_app(settings, database=database)) as client:
        yield client


def sign_in(client: TestClient, github: FakeGitHubHttp, login: str) -> httpx.Response:
    """What a browser does: SBH sends it to GitHub, GitHub (where `login` is signed in)
    sends it back to SBH's callback with a code and the state."""
    github.browser_user = login
    to_github = client.get("/api/auth/login", follow_redirects=False)
    back_to_sbh = httpx.get(to_github.headers["location"], follow_redirects=False)
    return client.get(back_to_sbh.headers["location"], follow_redirects=False)


def test_signing_in_sets_a_session_cookie_and_the_session_names_the_person(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    to_github = sbh.get("/api/auth/login", follow_redirects=False)
    assert to_github.status_code == 302
    assert to_github.headers["location"].startswith(f"{github.base_url}/login/oauth/authorize?")
    assert (
        "redirect_uri=http%3A%2F%2Ftestserver%2Fapi%2Fauth%2Fcallback"
        in (to_github.headers["location"])
    )

    signed_in = sign_in(sbh, github, "alice")

    assert signed_in.status_code == 302
    assert signed_in.headers["location"] == "/#/systems"
    cookie = next(
        header
        for header in signed_in.headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    session = sbh.get("/api/session").json()
    assert session["user"] == "alice"
    assert session["mode"] == "github"
    assert session["label"] == "Signed in as @alice"
    assert session["sign_in_url"] == "/api/auth/login"


def test_signing_in_again_ends_the_previous_session(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    sign_in(sbh, github, "alice")
    first = sbh.cookies[SESSION_COOKIE]

    sign_in(sbh, github, "alice")

    assert sbh.cookies[SESSION_COOKIE] != first
    sbh.cookies.clear()
    sbh.cookies.set(SESSION_COOKIE, first)
    assert sbh.get("/api/systems").status_code == 401


def test_no_token_or_secret_reaches_the_browser(sbh: TestClient, github: FakeGitHubHttp) -> None:
    signed_in = sign_in(sbh, github, "alice")
    session = sbh.get("/api/session")

    seen_by_the_browser = str(signed_in.headers) + str(session.headers) + session.text
    (user_token,) = github.user_tokens
    for secret in (user_token, OAUTH_CLIENT_SECRET, SECRET_KEY, API_TOKEN):
        assert secret not in seen_by_the_browser


def test_a_signed_in_person_sees_only_systems_of_repositories_they_can_reach(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    github.page_size = 1  # every installation and repository on its own page
    sign_in(sbh, github, "alice")

    listing = sbh.get("/api/systems").json()
    reachable = sbh.get("/api/systems/orders-api")
    unreachable = sbh.get("/api/systems/billing")

    assert [item["repository"] for item in listing["items"]] == ["acme/orders-api"]
    assert listing["total"] == 1
    assert reachable.status_code == 200
    assert unreachable.status_code == 404
    assert unreachable.json() == {"detail": "no system named 'billing'"}  # as if it did not exist
    assert sbh.get("/api/deliveries").status_code == 403


def test_someone_without_installations_sees_no_systems(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    sign_in(sbh, github, "bob")

    assert sbh.get("/api/systems").json()["items"] == []


def test_the_bearer_token_still_sees_everything(sbh: TestClient) -> None:
    listing = sbh.get("/api/systems", headers={"Authorization": f"Bearer {API_TOKEN}"}).json()

    assert [item["repository"] for item in listing["items"]] == [
        "acme/orders-api",
        "globex/billing",
    ]


def test_without_a_session_the_api_says_how_to_sign_in(sbh: TestClient) -> None:
    refused = sbh.get("/api/systems")
    session = sbh.get("/api/session").json()

    assert refused.status_code == 401
    assert "sign in with GitHub at /api/auth/login" in refused.json()["detail"]
    assert (session["user"], session["mode"]) == (None, "anonymous")
    assert session["sign_in_url"] == "/api/auth/login"


def test_a_tampered_expired_or_foreign_session_cookie_is_refused(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    sign_in(sbh, github, "alice")
    genuine = sbh.cookies[SESSION_COOKIE]
    session_id, expires, signature = genuine.split(".")
    forged = {
        "tampered": f"{session_id}.{expires}.{signature[::-1]}",
        "longer": f"{session_id}.{int(expires) + 86400}.{signature}",
        "expired": sign(SECRET_KEY.encode(), "session", session_id, 1_000_000_000),
        "another key": sign(b"another-key", "session", session_id, int(expires)),
        "unknown id": sign(SECRET_KEY.encode(), "session", "not-a-session", int(expires)),
    }

    for kind, value in forged.items():
        sbh.cookies.clear()
        sbh.cookies.set(SESSION_COOKIE, value)
        assert sbh.get("/api/systems").status_code == 401, kind
    sbh.cookies.clear()
    sbh.cookies.set(SESSION_COOKIE, genuine)
    assert sbh.get("/api/systems").status_code == 200


def test_a_callback_whose_state_does_not_match_is_a_400(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    github.browser_user = "alice"
    to_github = sbh.get("/api/auth/login", follow_redirects=False)
    back = httpx.get(to_github.headers["location"], follow_redirects=False).headers["location"]
    code = httpx.URL(back).params["code"]

    wrong_state = sbh.get(f"/api/auth/callback?code={code}&state=guessed")
    sbh.cookies.clear()
    no_state_cookie = sbh.get(back)

    for refused in (wrong_state, no_state_cookie):
        assert refused.status_code == 400
        assert "start again at /api/auth/login" in refused.json()["detail"]
    assert SESSION_COOKIE not in sbh.cookies


def test_a_code_github_does_not_accept_is_a_400_not_a_500(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    github.browser_user = "alice"
    to_github = sbh.get("/api/auth/login", follow_redirects=False)
    back = httpx.get(to_github.headers["location"], follow_redirects=False).headers["location"]
    sbh.get(back, follow_redirects=False)

    replayed = sbh.get(back)  # the state cookie is gone and the code was used
    state = httpx.URL(back).params["state"]
    sbh.get("/api/auth/login", follow_redirects=False)  # a fresh state cookie …
    refused = sbh.get("/api/auth/callback", params={"code": "made-up", "state": state})

    assert replayed.status_code == 400
    assert refused.status_code == 400  # … that does not match the old state either
    assert "state is missing, expired or from another browser" in refused.json()["detail"]


def test_github_refusing_the_code_or_the_person_is_a_clear_400(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    github.browser_user = "alice"
    to_github = sbh.get("/api/auth/login", follow_redirects=False)
    back = httpx.get(to_github.headers["location"], follow_redirects=False).headers["location"]
    github.codes.clear()  # the code expired at GitHub

    expired_code = sbh.get(back)
    denied = sbh.get(
        "/api/auth/callback",
        params={"error": "access_denied", "error_description": "The user has denied access."},
    )

    assert expired_code.status_code == 400
    assert expired_code.json()["detail"] == (
        "GitHub did not accept the sign-in code (The code passed is incorrect or expired.); "
        "sign in again"
    )
    assert denied.status_code == 400
    assert "The user has denied access." in denied.json()["detail"]


def test_signing_out_clears_the_cookie_and_ends_the_session_on_the_server(
    sbh: TestClient, github: FakeGitHubHttp
) -> None:
    sign_in(sbh, github, "alice")
    kept_by_an_attacker = sbh.cookies[SESSION_COOKIE]
    as_the_web_app(sbh)

    signed_out = sbh.post("/api/auth/logout")

    assert signed_out.status_code == 200
    assert SESSION_COOKIE not in sbh.cookies
    assert sbh.get("/api/session").json()["mode"] == "anonymous"
    sbh.cookies.clear()
    sbh.cookies.set(SESSION_COOKIE, kept_by_an_attacker)
    assert sbh.get("/api/systems").status_code == 401


def test_signing_out_needs_the_csrf_token(sbh: TestClient, github: FakeGitHubHttp) -> None:
    sign_in(sbh, github, "alice")

    refused = sbh.post("/api/auth/logout")

    assert refused.status_code == 403
    assert sbh.get("/api/session").json()["user"] == "alice"


VALID = {"spec": "apiVersion: sbh/v1\nname: orders-api\n"}


def test_state_changing_requests_need_the_csrf_token_from_the_session(sbh: TestClient) -> None:
    no_cookie = sbh.post("/api/specs/validate", json=VALID, headers={CSRF_HEADER: "x"})
    token = sbh.get("/api/session").json()["csrf_token"]
    no_header = sbh.post("/api/specs/validate", json=VALID)
    wrong = sbh.post("/api/specs/validate", json=VALID, headers={CSRF_HEADER: token[::-1]})
    right = sbh.post("/api/specs/validate", json=VALID, headers={CSRF_HEADER: token})

    assert no_cookie.status_code == 403
    assert "GET /api/session first" in no_cookie.json()["detail"]
    assert no_header.status_code == 403
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == (
        "CSRF check failed: the X-CSRF-Token header is missing or does not match; send the "
        "csrf_token from GET /api/session"
    )
    assert right.status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/ai-chat", "/api/ai-chat/stream", "/api/specs/preview", "/api/specs/repository.zip"],
)
def test_every_browser_route_that_does_work_checks_csrf(sbh: TestClient, path: str) -> None:
    sbh.get("/api/session")

    assert sbh.post(path, json=VALID).status_code == 403


def test_another_sites_origin_is_refused_even_with_the_token(sbh: TestClient) -> None:
    as_the_web_app(sbh)

    cross_site = sbh.post(
        "/api/specs/validate", json=VALID, headers={"Origin": "https://evil.example"}
    )
    same_site = sbh.post("/api/specs/validate", json=VALID, headers={"Origin": "http://testserver"})

    assert cross_site.status_code == 403
    assert cross_site.json()["detail"] == (
        "cross-site request refused: https://evil.example is not this site"
    )
    assert same_site.status_code == 200


def test_programs_with_the_api_token_need_no_csrf_token_but_a_wrong_one_does(
    sbh: TestClient,
) -> None:
    with_token = sbh.post(
        "/api/specs/validate", json=VALID, headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    wrong_token = sbh.post(
        "/api/specs/validate", json=VALID, headers={"Authorization": "Bearer guessed"}
    )

    assert with_token.status_code == 200
    assert wrong_token.status_code == 403


def test_sign_in_is_404_with_a_reason_when_it_is_not_configured(database: Database) -> None:
    with TestClient(create_app(make_settings(), database=database)) as client:
        login = client.get("/api/auth/login", follow_redirects=False)
        session = client.get("/api/session").json()

    assert login.status_code == 404
    assert "set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET" in login.json()["detail"]
    assert session["sign_in_url"] is None


def test_with_sign_in_configured_this_machine_is_not_the_local_user(
    github: FakeGitHubHttp, database: Database
) -> None:
    settings = make_settings(
        GITHUB_CLIENT_ID=OAUTH_CLIENT_ID,
        GITHUB_CLIENT_SECRET=OAUTH_CLIENT_SECRET,
        GITHUB_WEB_URL=github.base_url,
        GITHUB_API_URL=github.base_url,
    )
    with TestClient(create_app(settings, database=database), client=("127.0.0.1", 5000)) as local:
        assert local.get("/api/session").json()["mode"] == "anonymous"
        assert local.get("/api/systems").status_code == 401
