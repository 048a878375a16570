"""Context filters: how a spec value is written into HCL, YAML, workflows, shell, Markdown,
JSON and Python so that it can only ever be data.

Every filter returns `Escaped`; the renderer refuses to output anything else (see
`renderers.render`), so a template cannot forget to escape a value.
"""

from __future__ import annotations

import json as _json
import re
import shlex
from collections.abc import Mapping, Sequence


class Escaped(str):
    """Text already written for its output context."""

    __slots__ = ()


class UnsafeIdentifier(ValueError):
    """A value used as a bare identifier holds characters that need quoting."""


_IDENTIFIER = re.compile(r"^[A-Za-z0-9._/:@+-]*$")


def ident(value: object) -> Escaped:
    """A value that is safe bare in every context (names, regions, ids); anything else refused."""
    text = str(value)
    if isinstance(value, bool) or not _IDENTIFIER.fullmatch(text):
        raise UnsafeIdentifier(f"{text!r} cannot be written bare; use a quoting filter")
    return Escaped(text)


def hcl(value: object) -> Escaped:
    """An HCL expression for a string, number, bool, null, list or map."""
    if value is None:
        return Escaped("null")
    if isinstance(value, bool):
        return Escaped("true" if value else "false")
    if isinstance(value, int | float):
        return Escaped(repr(value))
    if isinstance(value, Mapping):
        items = ", ".join(f"{hcl(str(key))} = {hcl(item)}" for key, item in value.items())
        return Escaped(f"{{ {items} }}" if items else "{}")
    if isinstance(value, Sequence) and not isinstance(value, str):
        return Escaped("[" + ", ".join(hcl(item) for item in value) + "]")
    return Escaped('"' + _hcl_string_body(str(value)) + '"')


def _hcl_string_body(text: str) -> str:
    out = []
    for character in text:
        if character == "\\":
            out.append("\\\\")
        elif character == '"':
            out.append('\\"')
        elif character == "\n":
            out.append("\\n")
        elif character == "\r":
            out.append("\\r")
        elif character == "\t":
            out.append("\\t")
        elif ord(character) < 32 or 0x7F <= ord(character) < 0xA0:
            out.append(f"\\u{ord(character):04x}")
        else:
            out.append(character)
    # `${` and `%{` start interpolation and directives; doubling the sigil makes them literal.
    return "".join(out).replace("${", "$${").replace("%{", "%%{")


def yaml(value: object) -> Escaped:
    """A YAML flow scalar: double-quoted with every non-ASCII or control character escaped,
    so that no character can end the scalar, fold a line or start a comment."""
    if value is None:
        return Escaped("null")
    if isinstance(value, bool):
        return Escaped("true" if value else "false")
    if isinstance(value, int | float):
        return Escaped(repr(value))
    return Escaped('"' + _yaml_string_body(str(value)) + '"')


def _yaml_string_body(text: str) -> str:
    out = []
    for character in text:
        code = ord(character)
        if character == "\\":
            out.append("\\\\")
        elif character == '"':
            out.append('\\"')
        elif 0x20 <= code < 0x7F:
            out.append(character)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def workflow(value: object) -> Escaped:
    """A YAML scalar for a GitHub Actions workflow. Actions evaluates `${{ ... }}` anywhere in
    a value, so the opening is replaced by the expression that yields it literally."""
    if isinstance(value, str):
        return yaml(value.replace("${{", "${{ '${{' }}"))
    return yaml(value)


_EXPRESSION = re.compile(r"^[A-Za-z0-9_.\-|&!=<>()\[\]' :/@,]+$")


def gha(expression: object) -> Escaped:
    """A GitHub Actions expression `${{ ... }}` written by a template (contexts, literals of
    ids and ARNs). Refuses anything that could close the expression or hide one in a value."""
    text = str(expression)
    if "}}" in text or "${{" in text or not _EXPRESSION.fullmatch(text):
        raise UnsafeIdentifier(f"{text!r} is not a plain Actions expression")
    return Escaped("${{ " + text + " }}")


def shell(value: object) -> Escaped:
    """One POSIX shell word."""
    return Escaped(shlex.quote(str(value)))


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown(value: object) -> Escaped:
    """Inline Markdown text: no formatting, links, HTML or line breaks from the value."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Escaped(_MARKDOWN_SPECIALS.sub(r"\\\1", text))


def json(value: object) -> Escaped:
    """A JSON value (ASCII only)."""
    return Escaped(_json.dumps(value, ensure_ascii=True, sort_keys=True))


def py(value: object) -> Escaped:
    """A Python literal for a string, number, bool or None."""
    if value is not None and not isinstance(value, str | int | float | bool):
        raise TypeError(f"py filter takes a scalar, not {type(value).__name__}")
    return Escaped(repr(value))


FILTERS = {
    "ident": ident,
    "hcl": hcl,
    "yaml": yaml,
    "workflow": workflow,
    "gha": gha,
    "shell": shell,
    "markdown": markdown,
    "json": json,
    "py": py,
}
