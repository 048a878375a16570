"""The GitHub App SBH runs as, as a manifest (pure), and where the manifest flow's result is
kept. https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# What SBH does with each: create repositories (administration), push the generated tree
# including workflows (contents, workflows), comment and label (issues, pull requests),
# report spec checks (checks), dispatch deploys (actions), set up environments and their
# variables (environments, actions_variables), follow deploys (deployments).
PERMISSIONS = {
    "administration": "write",
    "contents": "write",
    "workflows": "write",
    "issues": "write",
    "pull_requests": "write",
    "checks": "write",
    "actions": "write",
    "environments": "write",
    "actions_variables": "write",
    "deployments": "read",
    "metadata": "read",
}
# `installation` events reach every App without subscribing to them.
EVENTS = ["issues", "issue_comment", "push", "pull_request", "workflow_run", "deployment_status"]


def app_manifest(org: str, url: str, redirect_url: str) -> dict[str, Any]:
    base = url.rstrip("/")
    return {
        "name": f"System Builder Hub ({org})"[:34],
        "url": base,
        "description": "Turns a spec into a bootable repository that deploys itself to AWS.",
        "hook_attributes": {"url": f"{base}/api/github/webhooks", "active": True},
        "redirect_url": redirect_url,
        # Sign-in with GitHub comes back here (the App's OAuth client; see bot/api/auth.py).
        "callback_urls": [f"{base}/api/auth/callback"],
        "public": False,
        "default_permissions": dict(PERMISSIONS),
        "default_events": list(EVENTS),
    }


def registration_page(github_url: str, org: str, manifest: Mapping[str, Any], state: str) -> str:
    """An HTML page that posts the manifest to GitHub's "new App" form for `org`."""
    action = f"{github_url.rstrip('/')}/organizations/{org}/settings/apps/new?state={state}"
    return (
        "<!doctype html><html><body>"
        f'<form id="register" action="{html.escape(action)}" method="post">'
        f'<input type="hidden" name="manifest" value="{html.escape(json.dumps(manifest))}">'
        "<p>Register SBH as a GitHub App of "
        f"<b>{html.escape(org)}</b>:</p><button type=submit>Create the GitHub App</button>"
        "</form></body></html>"
    )


def store_credentials(
    directory: Path,
    app_id: int,
    slug: str,
    pem: str,
    webhook_secret: str,
    client_id: str = "",
    client_secret: str = "",
) -> Path:
    """Write the App's key and settings under `directory` readable by the owner only;
    returns the settings file (`set -a; . FILE` loads it)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = directory / f"github-app-{app_id}.pem"
    settings = directory / "github-app.env"
    for path, content in (
        (key, pem),
        (
            settings,
            f"# GitHub App {slug} (id {app_id}), made by `sbh app-manifest`\n"
            f"GITHUB_APP_ID={app_id}\n"
            f"GITHUB_PRIVATE_KEY_PATH={key.resolve()}\n"
            f"GITHUB_WEBHOOK_SECRET={webhook_secret}\n"
            + (
                f"GITHUB_CLIENT_ID={client_id}\nGITHUB_CLIENT_SECRET={client_secret}\n"
                if client_id and client_secret
                else ""
            ),
        ),
    ):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(content)
    return settings
