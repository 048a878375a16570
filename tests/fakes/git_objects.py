"""Git object ids as git computes them (`git hash-object`), for the fakes of GitHub. Written
here, not imported from `renderers.render`: a fake must not share code with what it checks."""

from __future__ import annotations

import hashlib


def git_object_id(kind: str, content: bytes) -> str:
    """The id git gives an object of `kind` ("blob", "tree", "commit") holding `content`."""
    header = f"{kind} {len(content)}\0".encode()
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


def git_blob_id(content: bytes) -> str:
    return git_object_id("blob", content)
