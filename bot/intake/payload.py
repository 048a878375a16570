"""What intake takes as a delivery's body: UTF-8 JSON text holding an object, as GitHub sends
it. Anything else is refused with the reason before anything is stored, so a stored delivery
is always one its job can read again.

GitHub sends UTF-8 without a byte order mark, produced from Unicode text. So a body with NUL
bytes (UTF-16, UTF-32), a byte order mark, bytes that are not UTF-8, a `\\u` escape of half a
surrogate pair (no Unicode character; neither database can store it once decoded), NaN or
Infinity (not JSON), or nesting deeper than Python's parser goes is not from GitHub. A
`\\u0000` escape is legal JSON and may stand in user content GitHub relays (say a commit
message): the body is stored as the text it arrived as, where the escape is six plain
characters either database keeps, so it is taken.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, NoReturn


class UnacceptableDelivery(Exception):
    """Why a delivery is refused, in one sentence for whoever sent it."""


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a JSON value")


# One decoder, built once: `json.loads` with any option builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_not_json)


def read_body(body: bytes) -> tuple[str, dict[str, Any]]:
    """The body's text (what is stored) and the object it holds; raises UnacceptableDelivery."""
    if b"\x00" in body:
        raise UnacceptableDelivery(
            "the body must be UTF-8 JSON; it has NUL bytes (UTF-16 or UTF-32?)"
        )
    if body.startswith(codecs.BOM_UTF8):
        raise UnacceptableDelivery("the body must be UTF-8 JSON without a byte order mark")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnacceptableDelivery(
            f"the body must be UTF-8 JSON; byte {error.start} is not UTF-8"
        ) from None
    try:
        payload = _DECODER.decode(text)
        # Only a body that escapes a surrogate can hold a lone one; GitHub's hardly ever do.
        if ("\\ud" in text or "\\uD" in text) and _has_lone_surrogate(payload):
            raise UnacceptableDelivery(
                "the body's JSON escapes half a surrogate pair (\\ud800-\\udfff alone), "
                "which is no Unicode character"
            )
    except json.JSONDecodeError as error:
        raise UnacceptableDelivery(
            f"the body is not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError as error:  # NaN, Infinity, or an integer too long to read
        raise UnacceptableDelivery(f"the body is not JSON: {error}") from None
    except RecursionError:
        raise UnacceptableDelivery("the body's JSON is nested too deeply to read") from None
    if not isinstance(payload, dict):
        raise UnacceptableDelivery("the body is not a JSON object")
    return text, payload


def _has_lone_surrogate(payload: object) -> bool:
    """Whether any string in `payload` (keys included) holds a lone surrogate: those are the
    ones UTF-8 cannot encode. The encoder is C, so this costs one pass over the payload."""
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
