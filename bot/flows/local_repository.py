"""Write a rendered tree into a local directory as a git repository with one commit."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from pathlib import Path

from renderers.render import File

COMMIT_AUTHOR = ("System Builder Hub", "sbh@users.noreply.github.com")


class OutputDirectoryError(Exception):
    """The output directory cannot be used (not empty, or too dangerous to clear)."""


def write_repository(files: Mapping[str, File], out: Path, *, force: bool, message: str) -> str:
    """Write `files` under `out`, `git init` it and commit once. Returns the commit id."""
    _prepare(out, force=force)
    for relative, file in files.items():
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content)
        target.chmod(file.mode)
    name, email = COMMIT_AUTHOR
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    try:
        _git(out, environment, "init", "--quiet", "--initial-branch=main")
        _git(out, environment, "add", "--all")
        _git(out, environment, "commit", "--quiet", "--no-verify", "--message", message)
        return _git(out, environment, "rev-parse", "HEAD").strip()
    except FileNotFoundError:
        raise OutputDirectoryError(
            "git is not installed; the files were written without a commit"
        ) from None


def _git(cwd: Path, environment: dict[str, str], *arguments: str) -> str:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise OutputDirectoryError(f"git {arguments[0]} failed in {cwd}: {result.stderr.strip()}")
    return result.stdout


def _prepare(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputDirectoryError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutputDirectoryError(
                f"{out} is not empty; choose another --out or pass --force to replace its contents"
            )
        resolved = out.resolve()
        protected = {
            Path("/"),
            Path.home().resolve(),
            *Path.cwd().resolve().parents,
            Path.cwd().resolve(),
        }
        if resolved in protected:
            raise OutputDirectoryError(
                f"refusing to clear {resolved}: choose a dedicated --out directory"
            )
        for child in out.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def zip_repository(files: Mapping[str, File]) -> bytes:
    """The rendered files as a zip, executables kept executable, byte-for-byte reproducible
    (fixed timestamps, sorted entries)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, file in sorted(files.items()):
            entry = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            entry.external_attr = (0o100000 | file.mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, file.content)
    return buffer.getvalue()
