"""Find the spec in an issue body: the first fenced ```yaml block holding `apiVersion: sbh/v1`
(or `sbh/v2`; pure). Problems are reported on the body's own line numbers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\n`]*)$")
_API_VERSION = re.compile(r"^apiVersion:\s*[\"']?sbh/v[12][\"']?\s*(#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class IssueSpec:
    text: str
    first_line: int  # line of the issue body where the spec's line 1 is

    def body_line(self, spec_line: int) -> int:
        return self.first_line + spec_line - 1


def find_spec(body: str | None) -> IssueSpec | None:
    """The spec block of an issue body, or None when it has none."""
    lines = (body or "").replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, info = opening.group("fence"), opening.group("info").strip().lower()
        closing = next(
            (
                end
                for end in range(index + 1, len(lines))
                if lines[end].strip().startswith(fence[0] * len(fence))
                and not lines[end].strip().strip(fence[0])
            ),
            len(lines),
        )
        content = "\n".join(lines[index + 1 : closing])
        if info in ("yaml", "yml", "") and _API_VERSION.search(content):
            return IssueSpec(text=content + "\n", first_line=index + 2)
        index = closing + 1
    return None


def issue_text(issue: Mapping[str, Any]) -> str:
    """What the drafter may read besides the spec: the issue's title and body (untrusted)."""
    return str(issue.get("title") or "") + "\n\n" + str(issue.get("body") or "")


# Opens the body of a spec issue SBH opened for a build started in the web app: the build is
# already queued, so the `issues.opened` event of that issue must not plan or build it again.
WEB_BUILD_MARKER = "<!-- sbh:web-build -->"
