"""`sbh app-manifest`: register SBH as a GitHub App from a manifest and keep its credentials."""

from __future__ import annotations

import json
import os
import secrets
import threading
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.app_manifest import app_manifest, registration_page, store_credentials
from bot.cli.console import err, fail, out

if TYPE_CHECKING:
    from bot.settings import Settings

app = typer.Typer()


def _settings() -> Settings:
    from bot.settings import Settings

    # Before the App exists there is nothing secret to check: only where GitHub is.
    return Settings.model_validate(
        {
            "SBH_ENV": "development",
            "GITHUB_API_URL": os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        }
    )


def _exchange(code: str, out_dir: Path) -> None:
    from bot.adapters.github import convert_manifest_code

    try:
        converted = convert_manifest_code(_settings(), code)
    except Exception as error:  # any failure here is one line for a person, not a traceback
        fail(f"error: GitHub did not convert the code: {error}")
    stored = store_credentials(
        out_dir,
        converted["id"],
        converted["slug"],
        converted["pem"],
        converted["webhook_secret"],
        converted["client_id"],
        converted["client_secret"],
    )
    out(f"Created GitHub App {converted['slug']} (id {converted['id']}).")
    out(f"Its settings are in {stored} (owner-only): `set -a; . {stored}; set +a`")
    out("In production, put them in Secrets Manager and name them with *_SECRET_ARN.")
    if converted["html_url"]:
        out(f"Install it on the organization: {converted['html_url']}/installations/new")


@app.command("app-manifest")
def app_manifest_command(
    org: Annotated[str | None, typer.Option(help="Organization that will own the App.")] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Public HTTPS URL of this SBH (webhooks go to URL/api/github/webhooks)."),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option(help="Serve a local page that registers the App and takes GitHub's answer."),
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the local page (--serve).")] = 3000,
    exchange: Annotated[
        str | None, typer.Option(help="Finish by hand: the `code` GitHub sent to the redirect URL.")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option(help="Where the App's key and settings are written.")
    ] = Path(".sbh"),
) -> None:
    """Print SBH's GitHub App manifest, or (--serve) run the whole manifest flow: register the
    App on GitHub, receive its id, private key and webhook secret, and store them."""
    if exchange is not None:
        _exchange(exchange, out_dir)
        return
    if not org or not url:
        err("error: --org and --url are needed (or --exchange CODE)")
        raise typer.Exit(2)
    callback = f"http://127.0.0.1:{port}/callback"
    manifest = app_manifest(org, url, callback)
    if not serve:
        out(json.dumps(manifest, indent=2))
        web = os.environ.get("GITHUB_WEB_URL", "https://github.com").rstrip("/")
        out(
            f"Post it as the `manifest` form field to {web}/organizations/{org}/settings/apps/new, "
            "or run again with --serve."
        )
        return
    from http.server import BaseHTTPRequestHandler, HTTPServer

    state = secrets.token_urlsafe(16)
    page = registration_page(
        os.environ.get("GITHUB_WEB_URL", "https://github.com"), org, manifest, state
    )
    received: dict[str, str] = {}
    done = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            if parsed.path == "/callback" and query.get("state") == state and query.get("code"):
                received["code"] = query["code"]
                self._answer("SBH: GitHub answered; you can close this tab.")
                done.set()
            elif parsed.path == "/":
                self._answer(page)
            else:
                self.send_error(404)

        def _answer(self, text: str) -> None:
            body = text.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out(f"Open http://127.0.0.1:{port}/ in a browser signed in to GitHub.")
    done.wait()
    server.shutdown()
    _exchange(received["code"], out_dir)
