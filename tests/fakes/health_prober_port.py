"""A fake of our `HealthProber` port: every URL gets the same answer (or the same refusal),
and the URLs asked are kept, so a test reads "SBH probed exactly these"."""

from __future__ import annotations

from bot.ports import ProbeResult, RefusedTarget


class FakeHealthProberPort:
    def __init__(self, answer: ProbeResult | RefusedTarget) -> None:
        self.answer = answer
        self.urls: list[str] = []

    def probe(self, url: str) -> ProbeResult:
        self.urls.append(url)
        if isinstance(self.answer, RefusedTarget):
            raise self.answer
        return self.answer
