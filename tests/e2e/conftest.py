"""The web app in a real browser: `sbh serve` started as a process (development settings,
SQLite, the built web app from web/dist), Debian's Chromium driven by the PyPI playwright
package, and the fakes at the protocol edges (GitHub and OpenAI over HTTP).

The browser tests skip, with the reason, when Chromium, playwright or web/dist is missing
(`make test` installs and builds them). SBH_SCREENS=1 (`make screens`) saves a screenshot of
each page to bench/screens/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.bot.serving import app_settings, ready
from tests.conftest import REPO_ROOT
from tests.fakes.github_http import OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, FakeGitHubHttp, serving
from tests.fakes.http_server import free_port, serving_app
from tests.fakes.openai_http import FakeOpenAIHttp, create_app

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

WEB_DIST = REPO_ROOT / "web" / "dist"
SCREENS = REPO_ROOT / "bench" / "screens"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]
OPERATOR_TOKEN = "e2e-operator-token"  # SBH_API_TOKEN of the server with sign-in


def chromium_path() -> str | None:
    candidates = [os.environ.get("SBH_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    return next((path for path in candidates if path and Path(path).is_file()), None)


@dataclass
class Sbh:
    """A running `sbh serve`: its base URL and the log file its output goes to."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def sbh_serve(directory: Path, settings: dict[str, str], port: int | None = None) -> Iterator[Sbh]:
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "SBH_ENV": "development",
        "DATABASE_URL": f"sqlite:///{directory / 'sbh.db'}",
        "SBH_AUTO_MIGRATE": "true",
        "SBH_WEB_DIST": str(WEB_DIST),
        # The builder validates as the user types; a person's pace, not the limiter, is tested.
        "SBH_CHAT_REQUESTS_PER_MINUTE": "6000",
        "SBH_HEALTH_PROBE_SECONDS": "0",
        **settings,
    }
    log = directory / "sbh-serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    sbh = Sbh(f"http://127.0.0.1:{port}", log, process)
    try:
        deadline = time.monotonic() + 30
        while not ready(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"sbh serve did not become ready:\n{sbh.log_tail()}")
            time.sleep(0.1)
        yield sbh
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def fake_github() -> Iterator[tuple[FakeGitHubHttp, str]]:
    github = FakeGitHubHttp()
    with serving(github) as url:
        yield github, url


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[tuple[FakeOpenAIHttp, str]]:
    openai = FakeOpenAIHttp()
    with serving_app(create_app(openai)) as url:
        yield openai, url


@pytest.fixture(scope="session")
def sbh(
    web_dist: Path,
    fake_github: tuple[FakeGitHubHttp, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Sbh]:
    """SBH as a GitHub App against the fake GitHub, without an OpenAI key (the chat echoes)."""
    _, api_url = fake_github
    with sbh_serve(tmp_path_factory.mktemp("sbh"), app_settings(api_url)) as running:
        yield running


@pytest.fixture(scope="session")
def sbh_with_openai(
    web_dist: Path,
    fake_openai: tuple[FakeOpenAIHttp, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Sbh]:
    """SBH whose chat talks to the fake OpenAI over HTTP."""
    openai, url = fake_openai
    settings = {
        "OPENAI_API_KEY": openai.api_key,
        "OPENAI_BASE_URL": f"{url}/v1",
        "OPENAI_MAX_RETRIES": "0",
        "GITHUB_WEBHOOK_SECRET": "unused",
    }
    with sbh_serve(tmp_path_factory.mktemp("sbh-openai"), settings) as running:
        yield running


@pytest.fixture(scope="session")
def sign_in_github() -> Iterator[tuple[FakeGitHubHttp, str]]:
    """A GitHub of its own for the server with sign-in (it builds the same repositories)."""
    github = FakeGitHubHttp()
    with serving(github) as url:
        yield github, url


@pytest.fixture(scope="session")
def sbh_with_sign_in(
    web_dist: Path,
    sign_in_github: tuple[FakeGitHubHttp, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Sbh]:
    """SBH as a GitHub App whose people sign in with GitHub (the App's OAuth client): the fake
    GitHub is both github.com (the authorize page, the code exchange) and its API, and sends
    the browser back to SBH_PUBLIC_URL/api/auth/callback (http: development settings)."""
    _, url = sign_in_github
    port = free_port()
    settings = {
        **app_settings(url),
        "GITHUB_CLIENT_ID": OAUTH_CLIENT_ID,
        "GITHUB_CLIENT_SECRET": OAUTH_CLIENT_SECRET,
        "GITHUB_WEB_URL": url,
        "SBH_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SBH_API_TOKEN": OPERATOR_TOKEN,
        "SBH_HUB_REPOSITORY": "acme/platform-requests",
    }
    with sbh_serve(tmp_path_factory.mktemp("sbh-sign-in"), settings, port) as running:
        yield running


@pytest.fixture(scope="session")
def web_dist() -> Path:
    if not (WEB_DIST / "index.html").is_file():
        pytest.skip(f"{WEB_DIST} is not built (make web needs npm): the browser tests skip")
    return WEB_DIST


@pytest.fixture(scope="session")
def browser(web_dist: Path) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no Chromium (scripts/install_chromium.sh installs Debian's; "
            "SBH_CHROMIUM names another): the browser tests skip"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Pages:
    """Opens pages and keeps every console error and uncaught exception they report, but for
    those naming an `expected` URL (Chromium logs every 4xx answer as a console error, also a
    refusal the page shows as it should)."""

    browser: Browser
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect_refusal(self, url: str) -> None:
        self.expected.append(url)

    def unexpected_errors(self) -> list[str]:
        return [error for error in self.errors if not any(url in error for url in self.expected)]

    def open(self, url: str, viewport: dict[str, int] = DESKTOP) -> Page:
        context = self.browser.new_context(viewport=viewport, accept_downloads=True)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console.error: {message.text} ({message.location})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.goto(url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    """Fails the test when any page it opened logged a console error or threw."""
    opened = Pages(browser)
    yield opened
    opened.close()
    errors = opened.unexpected_errors()
    assert not errors, "the web app reported errors:\n" + "\n".join(errors)


@pytest.fixture
def screenshot() -> Callable[[Page, str], None]:
    """Saves bench/screens/<name>.png (the whole page) when SBH_SCREENS=1."""

    def save(page: Page, name: str) -> None:
        if os.environ.get("SBH_SCREENS") == "1":
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    return save
