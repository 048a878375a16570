"""A fake of GitHub's REST API over HTTP, for end-to-end runs: a small stateful GitHub with
repositories of real git objects (blobs, trees, commits, refs), contents, issues' comments and
labels, reactions, check runs, environments, variables, pull requests and workflow dispatches,
answering like GitHub's REST API for the calls SBH makes; and people signing in to the App
(its OAuth web flow, the user's installations and their repositories). `GET /_state` shows
everything (for tests).

Run on its own: python -m tests.fakes.github_http --port 8700
"""

from __future__ import annotations

import argparse
import base64
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

from tests.fakes.git_objects import git_blob_id, git_object_id
from tests.fakes.http_server import serving_app

OAUTH_CLIENT_ID = "Iv1.fakeclientid"
OAUTH_CLIENT_SECRET = "fake-client-secret"


@dataclass
class Repository:
    id: int
    owner: str
    name: str
    description: str = ""
    topics: list[str] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # heads/main -> commit sha
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    trees: dict[str, dict[str, tuple[str, str]]] = field(
        default_factory=dict
    )  # sha -> path -> (mode, blob)
    blobs: dict[str, bytes] = field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, str]] = field(default_factory=dict)  # "" = repository level
    pulls: list[dict[str, Any]] = field(default_factory=list)
    archived: bool = False
    dispatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def files(self, ref: str) -> dict[str, bytes]:
        commit = self.refs.get(f"heads/{ref}", ref)
        if commit not in self.commits:
            raise HTTPException(404, "Not Found")
        tree = self.trees[self.commits[commit]["tree"]]
        return {path: self.blobs[blob] for path, (_, blob) in tree.items()}


@dataclass
class User:
    """A person on GitHub and, per installation of the App they can reach, its repositories."""

    login: str
    id: int
    installations: dict[int, list[str]] = field(default_factory=dict)


class FakeGitHubHttp:
    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url
        self.lock = threading.Lock()
        self.repositories: dict[str, Repository] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}  # "owner/repo#n" -> comments
        self.labels: dict[str, set[str]] = {}
        self.reactions: list[dict[str, Any]] = []
        self.check_runs: list[dict[str, Any]] = []
        self.issues: dict[str, dict[str, Any]] = {}  # "owner/repo#n" -> title, body, labels
        self.requests: list[str] = []
        self.uninstalled: set[int] = set()  # installations removed: no token any more
        self.ids = itertools.count(1000)
        # Sign-in: the App's OAuth client, its users, who the browser is signed in to
        # GitHub as, one-time codes and user-to-server tokens (both -> login).
        self.users: dict[str, User] = {}
        self.browser_user: str | None = None
        self.codes: dict[str, str] = {}
        self.user_tokens: dict[str, str] = {}
        self.page_size = 100  # GitHub's largest per_page; tests lower it to see paging
        # Each person's permission on every repository (anyone else: read).
        self.permissions: dict[str, str] = {"admin-user": "admin", "writer": "write"}

    def add_user(self, login: str, installations: dict[int, list[str]]) -> User:
        user = User(login, next(self.ids), installations)
        self.users[login] = user
        return user

    # -- git objects
    def store_tree(self, repository: Repository, entries: dict[str, tuple[str, str]]) -> str:
        payload = "\n".join(
            f"{mode} {path} {blob}" for path, (mode, blob) in sorted(entries.items())
        )
        sha = git_object_id("tree", payload.encode())
        repository.trees[sha] = dict(entries)
        return sha

    def store_commit(
        self, repository: Repository, tree: str, parents: list[str], message: str
    ) -> str:
        sha = git_object_id("commit", f"{tree}{parents}{message}{len(repository.commits)}".encode())
        repository.commits[sha] = {"tree": tree, "parents": parents, "message": message}
        return sha

    def add_repository(self, full_name: str, files: dict[str, bytes] | None = None) -> Repository:
        owner, name = full_name.split("/")
        repository = Repository(next(self.ids), owner, name)
        entries = {}
        for path, content in (files or {"README.md": f"# {name}\n".encode()}).items():
            blob = git_blob_id(content)
            repository.blobs[blob] = content
            entries[path] = ("100644", blob)
        tree = self.store_tree(repository, entries)
        repository.refs["heads/main"] = self.store_commit(repository, tree, [], "Initial commit")
        self.repositories[full_name] = repository
        return repository

    def commit_files(self, full_name: str, files: dict[str, bytes], message: str) -> str:
        """Someone pushes `files` onto the default branch (one commit); its SHA."""
        with self.lock:
            repository = self.repositories[full_name]
            parent = repository.refs["heads/main"]
            entries = dict(repository.trees[repository.commits[parent]["tree"]])
            for path, content in files.items():
                blob = git_blob_id(content)
                repository.blobs[blob] = content
                entries[path] = (entries.get(path, ("100644", ""))[0], blob)
            tree = self.store_tree(repository, entries)
            repository.refs["heads/main"] = self.store_commit(repository, tree, [parent], message)
            return repository.refs["heads/main"]

    def repository_json(self, repository: Repository) -> dict[str, Any]:
        return {
            "id": repository.id,
            "name": repository.name,
            "full_name": repository.full_name,
            "owner": {"login": repository.owner},
            "default_branch": "main",
            "html_url": f"{self.base_url}/{repository.full_name}",
            "private": True,
            "archived": repository.archived,
        }

    def state(self) -> dict[str, Any]:
        return {
            "repositories": {
                name: {
                    "id": repository.id,
                    "description": repository.description,
                    "topics": repository.topics,
                    "refs": repository.refs,
                    "commits": len(repository.commits),
                    "files": {
                        path: {"content": content.decode(errors="replace")}
                        for path, content in repository.files("main").items()
                    },
                    "modes": {
                        path: mode
                        for path, (mode, _) in repository.trees[
                            repository.commits[repository.refs["heads/main"]]["tree"]
                        ].items()
                    },
                    "environments": repository.environments,
                    "variables": repository.variables,
                    "pulls": repository.pulls,
                    "dispatches": repository.dispatches,
                }
                for name, repository in self.repositories.items()
            },
            "comments": self.comments,
            "issues": self.issues,
            "labels": {key: sorted(value) for key, value in self.labels.items()},
            "reactions": self.reactions,
            "check_runs": self.check_runs,
            "requests": self.requests,
        }


def create_app(github: FakeGitHubHttp | None = None) -> FastAPI:
    hub = github or FakeGitHubHttp()
    app = FastAPI()
    app.state.github = hub

    def repo(owner: str, name: str) -> Repository:
        found = hub.repositories.get(f"{owner}/{name}")
        if found is None:
            raise HTTPException(404, "Not Found")
        return found

    @app.middleware("http")
    async def serialize(request: Request, call_next: Any) -> Any:
        if not request.url.path.startswith("/_"):
            hub.requests.append(f"{request.method} {request.url.path}")
        return await call_next(request)

    @app.exception_handler(HTTPException)
    async def github_error(request: Request, error: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"message": error.detail, "documentation_url": "https://docs.github.com"},
            error.status_code,
        )

    @app.get("/_state")
    def state() -> dict[str, Any]:
        with hub.lock:
            return hub.state()

    @app.post("/app/installations/{installation_id}/access_tokens", status_code=201)
    def token(installation_id: int) -> dict[str, Any]:
        if installation_id in hub.uninstalled:
            raise HTTPException(404, "Not Found")
        return {
            "token": f"ghs_fake{installation_id}",
            "expires_at": "2099-01-01T00:00:00Z",
            "permissions": {},
        }

    @app.get("/repos/{owner}/{name}")
    def get_repository(owner: str, name: str) -> dict[str, Any]:
        return hub.repository_json(repo(owner, name))

    @app.post("/orgs/{org}/repos", status_code=201)
    async def create_repository(org: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        with hub.lock:
            if f"{org}/{body['name']}" in hub.repositories:
                raise HTTPException(422, "Repository creation failed: name already exists")
            created = hub.add_repository(f"{org}/{body['name']}")
            created.description = body.get("description", "")
        return hub.repository_json(created)

    @app.put("/repos/{owner}/{name}/topics")
    async def topics(owner: str, name: str, request: Request) -> dict[str, Any]:
        repo(owner, name).topics = (await request.json())["names"]
        return {"names": repo(owner, name).topics}

    @app.get("/repos/{owner}/{name}/contents/{path:path}")
    def contents(owner: str, name: str, path: str, ref: str = "main") -> dict[str, Any]:
        files = repo(owner, name).files(ref)
        if path not in files:
            raise HTTPException(404, "Not Found")
        return {
            "type": "file",
            "path": path,
            "encoding": "base64",
            "content": base64.b64encode(files[path]).decode(),
        }

    @app.get("/repos/{owner}/{name}/git/trees/{ref:path}")
    def tree(owner: str, name: str, ref: str) -> dict[str, Any]:
        repository = repo(owner, name)
        commit = repository.refs.get(f"heads/{ref}", ref)
        entries = repository.trees[repository.commits[commit]["tree"]]
        return {
            "tree": [
                {"path": path, "mode": mode, "type": "blob", "sha": blob}
                for path, (mode, blob) in entries.items()
            ],
            "truncated": False,
        }

    @app.get("/repos/{owner}/{name}/git/ref/{ref:path}")
    def get_ref(owner: str, name: str, ref: str) -> dict[str, Any]:
        repository = repo(owner, name)
        if ref not in repository.refs:
            raise HTTPException(404, "Not Found")
        return {"ref": f"refs/{ref}", "object": {"sha": repository.refs[ref], "type": "commit"}}

    @app.get("/repos/{owner}/{name}/git/commits/{sha}")
    def get_commit(owner: str, name: str, sha: str) -> dict[str, Any]:
        commit = repo(owner, name).commits[sha]
        return {
            "sha": sha,
            "tree": {"sha": commit["tree"]},
            "parents": [{"sha": p} for p in commit["parents"]],
        }

    @app.post("/repos/{owner}/{name}/git/trees", status_code=201)
    async def create_tree(owner: str, name: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        repository = repo(owner, name)
        with hub.lock:
            entries = dict(repository.trees[body["base_tree"]]) if body.get("base_tree") else {}
            for entry in body["tree"]:
                content = entry["content"].encode()
                blob = git_blob_id(content)
                repository.blobs[blob] = content
                entries[entry["path"]] = (entry["mode"], blob)
            return {"sha": hub.store_tree(repository, entries)}

    @app.post("/repos/{owner}/{name}/git/commits", status_code=201)
    async def create_commit(owner: str, name: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        with hub.lock:
            sha = hub.store_commit(
                repo(owner, name), body["tree"], body["parents"], body["message"]
            )
        return {"sha": sha}

    @app.patch("/repos/{owner}/{name}/git/refs/{ref:path}")
    async def update_ref(owner: str, name: str, ref: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        repository = repo(owner, name)
        current = repository.refs.get(ref)
        if current is None:
            raise HTTPException(422, "Reference does not exist")
        if not body.get("force") and current not in repository.commits[body["sha"]]["parents"]:
            raise HTTPException(422, "Update is not a fast forward")
        repository.refs[ref] = body["sha"]
        return {"ref": f"refs/{ref}", "object": {"sha": body["sha"]}}

    @app.post("/repos/{owner}/{name}/git/refs", status_code=201)
    async def create_ref(owner: str, name: str, request: Request) -> dict[str, Any]:
        body = await request.json()
        repository = repo(owner, name)
        ref = body["ref"].removeprefix("refs/")
        if ref in repository.refs:
            raise HTTPException(422, "Reference already exists")
        repository.refs[ref] = body["sha"]
        return {"ref": body["ref"], "object": {"sha": body["sha"]}}

    def pull_json(repository: Repository, pull: dict[str, Any]) -> dict[str, Any]:
        return {
            **pull,
            "html_url": f"{hub.base_url}/{repository.full_name}/pull/{pull['number']}",
        }

    @app.post("/repos/{owner}/{name}/pulls", status_code=201)
    async def pull(owner: str, name: str, request: Request) -> dict[str, Any]:
        repository = repo(owner, name)
        if repository.archived:
            raise HTTPException(403, "Repository was archived so is read-only.")
        body = await request.json()
        if any(
            (opened["head"], opened["base"]) == (body["head"], body["base"])
            for opened in repository.pulls
        ):
            raise HTTPException(422, "A pull request already exists for this head.")
        number = len(repository.pulls) + 1
        repository.pulls.append({**body, "number": number})
        return pull_json(repository, repository.pulls[-1])

    @app.get("/repos/{owner}/{name}/pulls")
    def list_pulls(owner: str, name: str, head: str = "", base: str = "") -> list[dict[str, Any]]:
        repository = repo(owner, name)
        branch = head.partition(":")[2] or head
        return [
            pull_json(repository, opened)
            for opened in repository.pulls
            if (not branch or opened["head"] == branch) and (not base or opened["base"] == base)
        ]

    @app.patch("/repos/{owner}/{name}/pulls/{number}")
    async def update_pull(owner: str, name: str, number: int, request: Request) -> dict[str, Any]:
        repository = repo(owner, name)
        if not 0 < number <= len(repository.pulls):
            raise HTTPException(404, "Not Found")
        repository.pulls[number - 1].update(await request.json())
        return pull_json(repository, repository.pulls[number - 1])

    def comment_json(comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": comment["id"],
            "body": comment["body"],
            "user": {"login": "sbh[bot]", "type": "Bot"},
        }

    @app.post("/repos/{owner}/{name}/issues", status_code=201)
    async def create_issue(owner: str, name: str, request: Request) -> dict[str, Any]:
        data = await request.json()
        number = next(hub.ids)
        hub.issues[f"{owner}/{name}#{number}"] = {
            "title": data["title"],
            "body": data.get("body"),
            "labels": data.get("labels", []),
        }
        return {
            "id": number,
            "number": number,
            "title": data["title"],
            "body": data.get("body"),
            "html_url": f"{hub.base_url}/{owner}/{name}/issues/{number}",
        }

    @app.get("/repos/{owner}/{name}/issues/{number}/comments")
    def list_comments(
        owner: str, name: str, number: int, per_page: int = 30, page: int = 1
    ) -> list[dict[str, Any]]:
        comments = hub.comments.get(f"{owner}/{name}#{number}", [])
        return [comment_json(c) for c in comments[(page - 1) * per_page : page * per_page]]

    @app.post("/repos/{owner}/{name}/issues/{number}/comments", status_code=201)
    async def create_comment(
        owner: str, name: str, number: int, request: Request
    ) -> dict[str, Any]:
        comment = {"id": next(hub.ids), "body": (await request.json())["body"]}
        hub.comments.setdefault(f"{owner}/{name}#{number}", []).append(comment)
        return comment_json(comment)

    @app.patch("/repos/{owner}/{name}/issues/comments/{comment_id}")
    async def update_comment(
        owner: str, name: str, comment_id: int, request: Request
    ) -> dict[str, Any]:
        body = (await request.json())["body"]
        for comments in hub.comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    comment["body"] = body
                    return comment_json(comment)
        raise HTTPException(404, "Not Found")

    @app.post("/repos/{owner}/{name}/issues/{number}/labels")
    async def add_labels(
        owner: str, name: str, number: int, request: Request
    ) -> list[dict[str, Any]]:
        labels = hub.labels.setdefault(f"{owner}/{name}#{number}", set())
        labels.update((await request.json())["labels"])
        return [{"name": label} for label in sorted(labels)]

    @app.delete("/repos/{owner}/{name}/issues/{number}/labels/{label}")
    def remove_label(owner: str, name: str, number: int, label: str) -> list[dict[str, Any]]:
        labels = hub.labels.setdefault(f"{owner}/{name}#{number}", set())
        if label not in labels:
            raise HTTPException(404, "Label does not exist")
        labels.discard(label)
        return [{"name": label} for label in sorted(labels)]

    @app.post("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions", status_code=201)
    async def react(owner: str, name: str, comment_id: int, request: Request) -> dict[str, Any]:
        hub.reactions.append({"comment_id": comment_id, **(await request.json())})
        return {"id": next(hub.ids), "content": hub.reactions[-1]["content"]}

    @app.get("/repos/{owner}/{name}/collaborators/{login}/permission")
    def permission(owner: str, name: str, login: str) -> dict[str, Any]:
        level = hub.permissions.get(login, "read")
        return {"permission": level, "role_name": level, "user": {"login": login}}

    @app.put("/repos/{owner}/{name}/environments/{environment}")
    async def environment(
        owner: str, name: str, environment: str, request: Request
    ) -> dict[str, Any]:
        repo(owner, name).environments[environment] = await request.json()
        return {"name": environment}

    @app.post("/repos/{owner}/{name}/environments/{environment}/variables", status_code=201)
    async def environment_variable(
        owner: str, name: str, environment: str, request: Request
    ) -> dict[str, Any]:
        body = await request.json()
        variables = repo(owner, name).variables.setdefault(environment, {})
        if body["name"] in variables:
            raise HTTPException(409, "Already exists")
        variables[body["name"]] = body["value"]
        return {}

    @app.post("/repos/{owner}/{name}/actions/workflows/{workflow}/dispatches", status_code=204)
    async def dispatch(owner: str, name: str, workflow: str, request: Request) -> None:
        repo(owner, name).dispatches.append({"workflow": workflow, **(await request.json())})

    @app.post("/repos/{owner}/{name}/check-runs", status_code=201)
    async def check_run(owner: str, name: str, request: Request) -> dict[str, Any]:
        run = {"id": next(hub.ids), "repository": f"{owner}/{name}", **(await request.json())}
        hub.check_runs.append(run)
        return {"id": run["id"]}

    @app.patch("/repos/{owner}/{name}/check-runs/{run_id}")
    async def update_check_run(
        owner: str, name: str, run_id: int, request: Request
    ) -> dict[str, Any]:
        body = await request.json()
        for run in hub.check_runs:
            if run["id"] == run_id:
                run["output"]["annotations"] += body["output"]["annotations"]
        return {"id": run_id}

    # -- sign-in with GitHub (the App's OAuth web flow and the user's installations)
    def signed_in_user(request: Request) -> User:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in hub.user_tokens:
            raise HTTPException(401, "Bad credentials")
        return hub.users[hub.user_tokens[token]]

    def page(request: Request, key: str, items: list[dict[str, Any]]) -> JSONResponse:
        size = min(int(request.query_params.get("per_page", 30)), hub.page_size)
        number = int(request.query_params.get("page", 1))
        shown = items[(number - 1) * size : number * size]
        headers = {}
        if number * size < len(items):
            query = urlencode({"per_page": size, "page": number + 1})
            headers["Link"] = f'<{request.url.replace(query=query)}>; rel="next"'
        return JSONResponse({"total_count": len(items), key: shown}, headers=headers)

    @app.get("/login/oauth/authorize")
    def authorize(client_id: str, redirect_uri: str, state: str = "") -> RedirectResponse:
        if client_id != OAUTH_CLIENT_ID or hub.browser_user is None:
            raise HTTPException(404, "Not Found")
        code = f"oauth-code-{next(hub.ids)}"
        hub.codes[code] = hub.browser_user
        query = urlencode({"code": code, "state": state})
        return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

    @app.post("/login/oauth/access_token")
    async def access_token(request: Request) -> dict[str, str]:
        form = dict(parse_qsl((await request.body()).decode()))
        if (form.get("client_id"), form.get("client_secret")) != (
            OAUTH_CLIENT_ID,
            OAUTH_CLIENT_SECRET,
        ):
            return {"error": "incorrect_client_credentials"}
        login = hub.codes.pop(form.get("code", ""), None)  # a code works once
        if login is None:
            return {
                "error": "bad_verification_code",
                "error_description": "The code passed is incorrect or expired.",
            }
        token = f"ghu_fake{next(hub.ids)}"
        hub.user_tokens[token] = login
        return {"access_token": token, "token_type": "bearer", "scope": ""}

    @app.get("/user")
    def user(request: Request) -> dict[str, Any]:
        person = signed_in_user(request)
        return {"login": person.login, "id": person.id, "type": "User"}

    @app.get("/user/installations")
    def user_installations(request: Request) -> JSONResponse:
        person = signed_in_user(request)
        installations = [
            {"id": installation_id, "account": {"login": repositories[0].split("/")[0]}}
            for installation_id, repositories in person.installations.items()
        ]
        return page(request, "installations", installations)

    @app.get("/user/installations/{installation_id}/repositories")
    def user_repositories(request: Request, installation_id: int) -> JSONResponse:
        person = signed_in_user(request)
        if installation_id not in person.installations:
            raise HTTPException(404, "Not Found")
        repositories = [
            {"id": index, "full_name": full_name, "name": full_name.split("/")[1]}
            for index, full_name in enumerate(person.installations[installation_id])
        ]
        return page(request, "repositories", repositories)

    @app.post("/app-manifests/{code}/conversions", status_code=201)
    def convert(code: str) -> dict[str, Any]:
        if code != "good-code":
            raise HTTPException(404, "Not Found")
        return {
            "id": 4321,
            "slug": "system-builder-hub-acme",
            "pem": "-----BEGIN RSA PRIVATE KEY-----\nfake\n-----END RSA PRIVATE KEY-----\n",
            "webhook_secret": "fake-webhook-secret",
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
            "html_url": f"{hub.base_url}/apps/system-builder-hub-acme",
        }

    return app


@contextmanager
def serving(github: FakeGitHubHttp) -> Iterator[str]:
    """`github` served over HTTP on a free local port, in a thread; yields its URL."""
    with serving_app(create_app(github)) as url:
        github.base_url = url
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument(
        "--hub", action="append", default=[], help="owner/name of a repository to start with"
    )
    arguments = parser.parse_args()
    github = FakeGitHubHttp(f"http://127.0.0.1:{arguments.port}")
    for full_name in arguments.hub:
        github.add_repository(full_name)
    uvicorn.run(create_app(github), host="127.0.0.1", port=arguments.port, log_level="warning")


if __name__ == "__main__":
    main()
