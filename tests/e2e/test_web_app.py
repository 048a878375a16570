"""What a person does in the web app, in Chromium against `sbh serve`: builds a spec step by
step (and fixes what the server rejects), completes it with AI, previews and downloads the
repository, chats with the echo and with OpenAI (a fake over HTTP), finds a system SBH built
from a GitHub issue on the dashboard, signs in with GitHub (a fake over HTTP), sees the
systems of their installations and deploys one. No page may log a console error."""

from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.bot.events import example, signed_headers
from tests.conftest import EXAMPLE_SPEC
from tests.e2e.conftest import MOBILE, OPERATOR_TOKEN, Pages, Sbh
from tests.fakes.github_http import FakeGitHubHttp
from tests.fakes.openai_http import FakeOpenAIHttp

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.slow, pytest.mark.browser]
Screenshot = Callable[["Page", str], None]


def expect_no_horizontal_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the {MOBILE['width']}px screen"


def field_error(page: Page, field: str) -> Any:
    return page.locator(f"#{field}-error")


def test_the_builder_leads_to_a_valid_spec_a_preview_and_a_zip(
    sbh: Sbh, pages: Pages, screenshot: Screenshot
) -> None:
    from playwright.sync_api import expect

    page = pages.open(sbh.url)
    expect(page.get_by_role("heading", name="System Builder: Basics")).to_be_visible()

    page.get_by_label("Name").fill("Orders API")
    expect(field_error(page, "name")).to_contain_text("name")
    expect(page.get_by_label("Name")).to_be_visible()
    page.get_by_label("Name").fill("orders-api")
    expect(field_error(page, "name")).to_have_count(0)
    page.get_by_label("GitHub organization").fill("acme")
    page.get_by_label("Description").fill("Order intake service for the shop")
    expect(field_error(page, "owner")).to_have_count(0)
    screenshot(page, "builder")

    page.get_by_role("button", name="Next").click()
    page.get_by_label("Port").fill("8000")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Buckets").fill("uploads")
    page.get_by_role("button", name="Next").click()
    for environment, account in (("dev", "111111111111"), ("prod", "222222222222")):
        page.locator(f"#{environment}-account").fill(account)
        page.locator(f"#{environment}-domain").fill(
            "orders.acme.io" if environment == "prod" else "orders.dev.acme.io"
        )
    page.locator("#prod-region").fill("moon-1")
    expect(field_error(page, "prod-region")).to_have_text("'moon-1' is not an AWS region")
    # The spec's problem list shows that one problem, not ones already fixed (distinct domains).
    expect(page.get_by_text("is already the domain of")).to_have_count(0)
    screenshot(page, "builder-invalid-region")
    page.locator("#prod-region").fill("us-west-2")
    expect(field_error(page, "prod-region")).to_have_count(0)
    expect(page.get_by_text("is not an AWS region")).to_have_count(0)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Settings").fill("LOG_LEVEL=info")
    page.get_by_label("Secret names").fill("STRIPE_KEY")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_text("The spec is valid.")).to_be_visible()
    page.get_by_role("button", name="Preview the files").click()
    page.get_by_role("button", name="Dockerfile", exact=True).click()
    expect(page.get_by_label("Dockerfile", exact=True)).to_contain_text("FROM ")
    page.get_by_role("button", name="infra/envs/prod/main.tf", exact=True).click()
    expect(page.get_by_label("infra/envs/prod/main.tf", exact=True)).to_contain_text("us-west-2")
    screenshot(page, "builder-preview")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the repository (zip)").click()
    download = download_info.value
    assert download.suggested_filename == "orders-api.zip"
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as archive:
        names = set(archive.namelist())
        sbh_yaml = archive.read("sbh.yaml").decode()
    assert {"app/main.py", "Dockerfile", "infra/envs/prod/main.tf", "sbh.yaml"} <= names
    assert "name: orders-api" in sbh_yaml


def test_the_builder_fits_a_phone_screen(sbh: Sbh, pages: Pages, screenshot: Screenshot) -> None:
    from playwright.sync_api import expect

    page = pages.open(sbh.url, viewport=MOBILE)
    page.get_by_label("Name").fill("orders-api")
    expect(page.get_by_text("problem(s) to fix")).to_be_visible()

    expect_no_horizontal_scroll(page)
    screenshot(page, "builder-mobile")


def send(page: Page, message: str) -> None:
    page.get_by_label("Message").fill(message)
    page.get_by_role("button", name="Send").click()


def test_without_an_openai_key_the_chat_echoes_and_says_so(
    sbh: Sbh, pages: Pages, screenshot: Screenshot
) -> None:
    from playwright.sync_api import expect

    page = pages.open(f"{sbh.url}/#/chat")
    send(page, "I need an orders service with a database")

    expect(page.get_by_role("status")).to_contain_text("No OpenAI key is configured")
    expect(page.get_by_text("I need an orders service with a database")).to_have_count(2)
    screenshot(page, "chat-echo")


def test_the_chat_streams_the_reply_of_the_model_the_user_chose(
    sbh_with_openai: Sbh,
    fake_openai: tuple[FakeOpenAIHttp, str],
    pages: Pages,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    openai, _ = fake_openai
    before = len(openai.requests)
    page = pages.open(f"{sbh_with_openai.url}/#/chat")
    page.get_by_label("Model").select_option(label="GPT-4 Turbo")
    send(page, "Write me a spec for an orders service")

    expect(page.get_by_text(openai.reply)).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)
    assert [request["model"] for request in openai.requests[before:]] == ["gpt-4-turbo"]
    assert openai.requests[-1]["stream"] is True
    assert openai.requests[-1]["messages"][-1] == {
        "role": "user",
        "content": "Write me a spec for an orders service",
    }
    screenshot(page, "chat")

    mobile = pages.open(f"{sbh_with_openai.url}/#/chat", viewport=MOBILE)
    send(mobile, "And a bucket for uploads, please")
    expect(mobile.get_by_text(openai.reply)).to_be_visible()
    expect_no_horizontal_scroll(mobile)
    screenshot(mobile, "chat-mobile")


def open_spec_issue(
    sbh: Sbh, github: FakeGitHubHttp, hub: str, spec: str | None = None, number: int = 12
) -> None:
    """A signed `issues.opened` webhook whose body holds a spec (the example's unless given),
    as GitHub sends it."""
    if hub not in github.repositories:
        github.add_repository(hub, {".github/sbh.yml": b"auto_build:\n  issues: true\n"})
    payload: dict[str, Any] = copy.deepcopy(example("issues", "opened"))
    payload["repository"].update(full_name=hub, name=hub.split("/")[1])
    payload["installation"] = {"id": 4242}
    spec = spec or EXAMPLE_SPEC.read_text()
    payload["issue"].update(number=number, labels=[], body=f"Please build:\n\n```yaml\n{spec}```\n")
    send_webhook(sbh, "issues", payload, f"e2e-browser-issue-{number}")


def send_webhook(sbh: Sbh, event: str, payload: dict[str, Any], delivery_id: str) -> None:
    """POST `payload` to SBH signed, as GitHub delivers `event`; SBH must acknowledge it."""
    body = json.dumps(payload).encode()
    response = httpx.post(
        f"{sbh.url}/api/github/webhooks",
        content=body,
        headers=signed_headers(body, event, delivery_id),
    )
    assert response.status_code == 202, response.text


def wait_for_built_system(
    sbh: Sbh, name: str, seconds: float = 60, headers: dict[str, str] | None = None
) -> None:
    """Until SBH shows the system with its build finished (asked as this machine, local mode,
    unless `headers` say who asks)."""

    def built() -> bool:
        response = httpx.get(f"{sbh.url}/api/systems/{name}", headers=headers)
        builds = response.json().get("builds", []) if response.status_code == 200 else []
        return bool(builds) and all(build["status"] != "running" for build in builds)

    deadline = time.monotonic() + seconds
    while not built():
        assert sbh.process.poll() is None, f"sbh serve exited:\n{sbh.log_tail()}"
        assert time.monotonic() < deadline, f"SBH built no system {name}:\n{sbh.log_tail()}"
        time.sleep(0.2)


def test_the_dashboard_lists_a_system_built_from_a_github_issue(
    sbh: Sbh, fake_github: tuple[FakeGitHubHttp, str], pages: Pages, screenshot: Screenshot
) -> None:
    from playwright.sync_api import expect

    github, _ = fake_github
    open_spec_issue(sbh, github, "acme/platform-requests")
    wait_for_built_system(sbh, "orders-api")

    page = pages.open(f"{sbh.url}/#/systems")
    expect(page.get_by_role("group", name="Account")).to_contain_text("Local mode")
    system = page.get_by_text("acme/orders-api", exact=True)
    expect(system).to_be_visible()
    expect(page.get_by_text("acme/platform-requests#12")).to_be_visible()
    screenshot(page, "dashboard")

    system.click()
    expect(page.get_by_role("heading", name="acme/orders-api")).to_be_visible()
    screenshot(page, "system")


def test_the_keyboard_reaches_the_pages_and_the_builder_steps(sbh: Sbh, pages: Pages) -> None:
    from playwright.sync_api import expect

    page = pages.open(sbh.url)
    expect(page.get_by_role("heading", name="System Builder: Basics")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="System Builder")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="AI chat")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="AI chat")).to_be_visible()

    page.goto(f"{sbh.url}/#/builder")
    page.get_by_role("button", name="1. Basics").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="2. Service")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="System Builder: Service")).to_be_visible()
    next_button = page.get_by_role("button", name="Next")
    for _ in range(20):
        if next_button.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(next_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="System Builder: Data")).to_be_visible()


def test_complete_with_ai_proposes_fields_the_person_accepts_or_rejects(
    sbh_with_openai: Sbh,
    fake_openai: tuple[FakeOpenAIHttp, str],
    pages: Pages,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    openai, _ = fake_openai
    before = len(openai.requests)
    page = pages.open(sbh_with_openai.url)
    page.get_by_label("Name").fill("orders-api")
    page.get_by_label("GitHub organization").fill("acme")
    page.get_by_role("button", name="4. Environments").click()
    for environment, account in (("dev", "111111111111"), ("prod", "222222222222")):
        page.locator(f"#{environment}-account").fill(account)
        page.locator(f"#{environment}-domain").fill(f"orders.{environment}.acme.io")
    expect(page.get_by_text("The spec is valid.")).to_be_visible()

    page.get_by_label("What the service is for").fill("Takes orders, keeps invoice PDFs")
    page.get_by_role("button", name="Complete with AI").click()
    proposals = page.get_by_role("list", name="Proposed fields")
    expect(proposals).to_contain_text("Order intake with invoice uploads")
    screenshot(page, "builder-complete-with-ai")
    page.get_by_role("button", name="Accept description").click()
    page.get_by_role("button", name="Reject storage.buckets").click()
    expect(page.get_by_role("button", name="Accept storage.buckets")).to_have_count(0)

    spec = page.get_by_label("spec.yaml", exact=True)
    expect(spec).to_contain_text('description: "Order intake with invoice uploads"')
    expect(spec).not_to_contain_text("invoices")
    page.get_by_role("button", name="1. Basics").click()
    expect(page.get_by_label("Description")).to_have_value("Order intake with invoice uploads")
    page.get_by_role("button", name="3. Data").click()
    expect(page.get_by_label("Buckets")).to_have_value("")
    (asked,) = openai.requests[before:]
    assert asked["response_format"]["type"] == "json_schema"
    assert "Takes orders, keeps invoice PDFs" in json.dumps(asked["messages"])


LOGIN = "octocat"


@pytest.fixture(scope="session")
def signed_in_systems(sbh_with_sign_in: Sbh, sign_in_github: tuple[FakeGitHubHttp, str]) -> Sbh:
    """Two systems built from signed spec issues, acme/orders-api and acme/billing-api; the
    person who signs in (write permission) has an installation with only the first."""
    github, _ = sign_in_github
    github.add_user(LOGIN, {77: ["acme/orders-api", "acme/platform-requests"]})
    github.permissions[LOGIN] = "write"
    billing = EXAMPLE_SPEC.read_text().replace("name: orders-api", "name: billing-api", 1)
    assert "name: billing-api" in billing
    open_spec_issue(sbh_with_sign_in, github, "acme/platform-requests")
    open_spec_issue(sbh_with_sign_in, github, "acme/platform-requests", billing, number=13)
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    for name in ("orders-api", "billing-api"):
        wait_for_built_system(sbh_with_sign_in, name, headers=operator)
    return sbh_with_sign_in


def sign_in(page: Page, github: FakeGitHubHttp) -> None:
    """Sign in with GitHub from the header; GitHub (a fake where LOGIN is signed in) approves
    at once and sends the browser back to SBH."""
    from playwright.sync_api import expect

    github.browser_user = LOGIN
    page.get_by_role("link", name="Sign in with GitHub").click()
    expect(page.get_by_role("group", name="Account")).to_contain_text(f"Signed in as @{LOGIN}")


def dispatches(github_url: str, repository: str) -> list[dict[str, Any]]:
    """The workflow dispatches the fake GitHub recorded for `repository`."""
    state = httpx.get(f"{github_url}/_state").json()
    return list(state["repositories"][repository]["dispatches"])


def test_signing_in_with_github_shows_the_systems_of_the_persons_installations(
    signed_in_systems: Sbh,
    sign_in_github: tuple[FakeGitHubHttp, str],
    pages: Pages,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    github, _ = sign_in_github
    page = pages.open(signed_in_systems.url)
    sign_in(page, github)

    assert page.url == f"{signed_in_systems.url}/#/systems"
    expect(page.get_by_role("link", name="acme/orders-api", exact=True)).to_be_visible()
    expect(page.get_by_text("acme/platform-requests#12")).to_be_visible()
    expect(page.get_by_text("acme/billing-api")).to_have_count(0)
    screenshot(page, "dashboard-signed-in")


def test_a_writer_deploys_dev_from_the_system_page_but_not_production(
    signed_in_systems: Sbh,
    sign_in_github: tuple[FakeGitHubHttp, str],
    pages: Pages,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    github, github_url = sign_in_github
    page = pages.open(signed_in_systems.url)
    sign_in(page, github)
    page.goto(f"{signed_in_systems.url}/#/systems/acme/orders-api")
    expect(page.get_by_role("heading", name="acme/orders-api")).to_be_visible()

    page.get_by_role("button", name="Deploy dev", exact=True).click()
    page.get_by_role("button", name="Confirm deploy to dev").click()
    expect(page.get_by_role("status")).to_contain_text("Started the deploy")
    assert dispatches(github_url, "acme/orders-api") == [
        {"workflow": "deploy.yml", "ref": "main", "inputs": {"environment": "dev", "image_tag": ""}}
    ]
    expect(page.get_by_text(f"requested: newest image by @{LOGIN}")).to_be_visible()
    screenshot(page, "system-deploy")

    pages.expect_refusal("/api/systems/orders-api/deploys")  # Chromium logs the 403
    page.get_by_role("button", name="Deploy prod", exact=True).click()
    page.get_by_role("button", name="Confirm deploy to prod").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_have_text(
        f"Sorry @{LOGIN}, /sbh deploy needs admin permission on acme/orders-api (you have write)."
    )
    expect(refusal.locator("code")).to_have_text("/sbh deploy")  # the comment's `code`, shown
    assert len(dispatches(github_url, "acme/orders-api")) == 1
    screenshot(page, "system-deploy-refused")


def install_the_app(sbh: Sbh, account: str, installation_id: int = 4242) -> None:
    """The signed `installation.created` webhook GitHub sends when the App is installed."""
    payload: dict[str, Any] = copy.deepcopy(example("installation", "created"))
    payload["installation"].update(id=installation_id)
    payload["installation"]["account"].update(login=account)
    send_webhook(sbh, "installation", payload, f"e2e-install-{installation_id}")


def test_a_writer_on_the_hub_builds_a_spec_from_the_builder(
    signed_in_systems: Sbh,
    sign_in_github: tuple[FakeGitHubHttp, str],
    pages: Pages,
    screenshot: Screenshot,
) -> None:
    from playwright.sync_api import expect

    github, github_url = sign_in_github
    install_the_app(signed_in_systems, "acme")
    spec = EXAMPLE_SPEC.read_text().replace("name: orders-api", "name: inventory-api", 1)
    page = pages.open(signed_in_systems.url)
    sign_in(page, github)
    # The spec arrives as the chat's "Use this spec" hands it over.
    page.evaluate("spec => sessionStorage.setItem('sbh.builder.spec', spec)", spec)
    page.goto(f"{signed_in_systems.url}/#/builder")
    expect(page.get_by_text("Loaded the spec from the AI chat")).to_be_visible()
    page.get_by_role("navigation", name="Steps").get_by_role("button", name="Finish").click()

    page.get_by_role("button", name="Build now in acme/platform-requests").click()

    status = page.get_by_role("status").filter(has_text="SBH opened")
    expect(status).to_contain_text("is building acme/inventory-api")
    link = page.get_by_role("link", name="Follow it on GitHub")
    number = int(str(link.get_attribute("href")).rsplit("/", 1)[1])
    issue = httpx.get(f"{github_url}/_state").json()["issues"][f"acme/platform-requests#{number}"]
    assert f"Requested by @{LOGIN} in the SBH web app" in issue["body"]
    operator = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
    wait_for_built_system(signed_in_systems, "inventory-api", headers=operator)
    assert "acme/inventory-api" in httpx.get(f"{github_url}/_state").json()["repositories"]
    screenshot(page, "builder-build-now")
