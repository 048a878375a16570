"""A fake of GitHub's REST API as its published OpenAPI description says it: Prism serving that
description (npm @stoplight/prism-cli and @octokit/openapi, installed into the gitignored
.tools/ on first use), so every request our adapter makes is validated against GitHub's own
description of its API."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.conftest import REPO_ROOT
from tests.fakes.http_server import free_port

PACKAGES = ("@stoplight/prism-cli@5.14.2", "@octokit/openapi@23.0.2")
TOOLS = REPO_ROOT / ".tools" / "prism"
PRISM = TOOLS / "node_modules" / ".bin" / "prism"
DESCRIPTION = TOOLS / "node_modules" / "@octokit" / "openapi" / "generated" / "api.github.com.json"


def install() -> None:
    if PRISM.exists() and DESCRIPTION.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to run Prism (install Node.js)")
    TOOLS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(TOOLS), *PACKAGES],
        check=True,
        timeout=600,
    )


@contextmanager
def running_prism() -> Iterator[str]:
    install()
    port = free_port()
    log = (TOOLS / "prism.log").open("w")
    process = subprocess.Popen(
        [str(PRISM), "mock", str(DESCRIPTION), "-h", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"Prism exited; see {TOOLS / 'prism.log'}")
            try:
                httpx.get(f"{url}/meta", headers={"Accept": "application/json"}, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("Prism did not start within 90 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


class PrismTransport(httpx.HTTPTransport):
    """Two things Prism needs that GitHub does not: `Accept: application/json` (Prism does
    not serve `application/vnd.github+json`) and `/` inside a path parameter encoded as %2F
    (`git/ref/heads%2Fmain`, `contents/.sbh%2Fmanifest.json`); GitHub accepts both forms."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Accept"] = "application/json"
        path = request.url.raw_path.decode()
        path = re.sub(r"(/git/refs?/)heads/", r"\1heads%2F", path)
        path = re.sub(
            r"(/contents/)([^?]+)", lambda m: m.group(1) + m.group(2).replace("/", "%2F"), path
        )
        request.url = request.url.copy_with(raw_path=path.encode())
        return super().handle_request(request)
