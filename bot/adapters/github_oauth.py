"""`GitHubUserAuth` over httpx: sign-in with GitHub through the App's OAuth flow.

https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
The one-time code becomes a user-to-server token (POST <web>/login/oauth/access_token);
`GET /user` says who it is, and `GET /user/installations` with
`GET /user/installations/{id}/repositories` list what that person can reach through this
App's installations, which is exactly what a signed-in person may see in SBH.

The token is used for these requests only and then dropped: SBH never acts as the person,
so keeping it would only be a secret to guard. What they can reach is a snapshot taken at
sign-in; signing in again refreshes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from bot.ports import GitHubIdentity, SignInFailed
from bot.settings import Settings

PER_PAGE = 100
# 50 pages of 100: far more installations or repositories than one person sees in practice;
# the bound keeps a misbehaving server from looping the sign-in forever.
MAX_PAGES = 50
API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubOAuth:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        web_url: str,
        api_url: str,
        timeout_seconds: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.web_url = web_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.timeout = httpx.Timeout(timeout_seconds)
        self.transport = transport

    def identify(self, code: str, redirect_uri: str) -> GitHubIdentity:
        with httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            try:
                token = self._exchange(http, code, redirect_uri)
                user = self._get(http, token, f"{self.api_url}/user").json()
                repositories = frozenset(
                    str(repository["full_name"]).lower()
                    for installation in self._pages(
                        http, token, f"{self.api_url}/user/installations", "installations"
                    )
                    for repository in self._pages(
                        http,
                        token,
                        f"{self.api_url}/user/installations/{int(installation['id'])}/repositories",
                        "repositories",
                    )
                )
            except httpx.HTTPError as error:
                raise SignInFailed(
                    f"GitHub could not be reached to finish signing in ({type(error).__name__}); "
                    "try again"
                ) from None
            except (KeyError, TypeError, ValueError):
                raise SignInFailed(
                    "GitHub's answer was not understood; try signing in again"
                ) from None
        return GitHubIdentity(
            login=str(user["login"]), user_id=int(user["id"]), repositories=repositories
        )

    def _exchange(self, http: httpx.Client, code: str, redirect_uri: str) -> str:
        response = http.post(
            f"{self.web_url}/login/oauth/access_token",
            data={
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": code,
                "redirect_uri": redirect_uri,
            },
            headers={"Accept": "application/json"},
        )
        answer: dict[str, Any] = response.json() if response.is_success else {}
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            # GitHub answers 200 with {"error", "error_description"} for a bad code.
            reason = answer.get("error_description") or answer.get("error") or response.status_code
            raise SignInFailed(f"GitHub did not accept the sign-in code ({reason}); sign in again")
        return token

    def _get(
        self, http: httpx.Client, token: str, url: str, params: dict[str, int] | None = None
    ) -> httpx.Response:
        response = http.get(
            url, params=params, headers={**API_HEADERS, "Authorization": f"Bearer {token}"}
        )
        if not response.is_success:
            raise SignInFailed(
                f"GitHub refused {httpx.URL(url).path} ({response.status_code}); sign in again"
            )
        return response

    def _pages(self, http: httpx.Client, token: str, url: str, key: str) -> Iterator[Any]:
        """Every item under `key` of a paginated list, following GitHub's Link headers."""
        params: dict[str, int] | None = {"per_page": PER_PAGE}
        for _ in range(MAX_PAGES):
            response = self._get(http, token, url, params)
            yield from response.json()[key]
            next_url = response.links.get("next", {}).get("url")
            if next_url is None:
                return
            url, params = next_url, None  # the next link carries its own query
        raise SignInFailed("GitHub listed too many pages to sign in; ask an administrator")


def github_user_auth(settings: Settings) -> GitHubOAuth | None:
    """The sign-in adapter, or None when GITHUB_CLIENT_ID / GITHUB_CLIENT_SECRET are unset."""
    if not settings.sign_in_configured:
        return None
    assert settings.github_client_id is not None
    assert settings.github_client_secret is not None
    return GitHubOAuth(
        client_id=settings.github_client_id,
        client_secret=settings.github_client_secret.get_secret_value(),
        web_url=settings.github_web_url,
        api_url=settings.github_api_url,
        timeout_seconds=settings.github_timeout_seconds,
    )
