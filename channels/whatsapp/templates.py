"""Message templates as the Graph API lists them, turned into `MessageTemplate`s (pure).

Only body placeholders are filled by the helpdesk; a template that needs more (a media header,
a header or button variable) is listed as not usable rather than sent half-filled.
https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from channels.base import MessageTemplate

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]{1,60})\s*\}\}")
_TEXT_LIMIT = 4096
# Buttons that need no value from us when the template is sent.
_PLAIN_BUTTONS = frozenset({"QUICK_REPLY", "PHONE_NUMBER"})


def parse_templates(items: Iterable[Any]) -> tuple[MessageTemplate, ...]:
    """The listed templates that can be read at all, sorted by name then language."""
    parsed = [t for item in items if (t := parse_template(item)) is not None]
    return tuple(sorted(parsed, key=lambda t: (t.name, t.language)))


def parse_template(item: Any) -> MessageTemplate | None:
    if not isinstance(item, Mapping):
        return None
    name, language = _text(item.get("name"), 512), _text(item.get("language"), 20)
    if not name or not language:
        return None
    status = (_text(item.get("status"), 40) or "UNKNOWN").upper()
    body = header = footer = ""
    problems: list[str] = []
    for component in item.get("components") or []:
        if not isinstance(component, Mapping):
            continue
        kind = str(component.get("type") or "").upper()
        text = _text(component.get("text"), _TEXT_LIMIT) or ""
        if kind == "BODY":
            body = text
        elif kind == "HEADER":
            if str(component.get("format") or "TEXT").upper() != "TEXT":
                problems.append("media header")
            elif PLACEHOLDER.search(text):
                problems.append("header variable")
            header = text
        elif kind == "FOOTER":
            footer = text
        elif kind == "BUTTONS":
            problems.extend(_button_problems(component.get("buttons")))
    parameters = _placeholders(body)
    if parameters is None:
        problems.append("placeholders not numbered 1..n")
        parameters = ()
    if status != "APPROVED":
        problems.insert(0, f"status {status}")
    return MessageTemplate(
        name=name,
        language=language,
        status=status,
        category=(_text(item.get("category"), 40) or "").upper(),
        body=body,
        parameters=parameters,
        header=header,
        footer=footer,
        usable=not problems,
        reason=", ".join(problems),
    )


def _button_problems(buttons: Any) -> list[str]:
    problems = []
    for button in buttons if isinstance(buttons, list) else []:
        if not isinstance(button, Mapping):
            continue
        kind = str(button.get("type") or "").upper()
        if kind == "URL" and not PLACEHOLDER.search(str(button.get("url") or "")):
            continue
        if kind not in _PLAIN_BUTTONS:
            problems.append(f"{kind.lower() or 'unknown'} button")
    return problems


def _placeholders(body: str) -> tuple[str, ...] | None:
    """Placeholder names in the order values are sent; None unless they are `{{1}}`..`{{n}}`
    (named parameters are not filled by the helpdesk yet)."""
    names = {match.group(1) for match in PLACEHOLDER.finditer(body)}
    if not all(n.isdigit() for n in names):
        return None
    ordered = sorted(names, key=int)
    return tuple(ordered) if ordered == [str(i) for i in range(1, len(ordered) + 1)] else None


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "")[:limit] or None
