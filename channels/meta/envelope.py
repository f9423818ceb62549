"""Walking Meta's webhook envelope: `object`, then `entry[]`, then `messaging[]`/`changes[]`.

The envelope is strict (a body that is not the expected product's webhook raises
`InvalidPayload`); what is inside is untrusted data, read through the scalar helpers below so one
odd item never costs the others. Shapes:
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import InvalidPayload

MAX_ID_CHARS = 512
_DIGITS = re.compile(r"[0-9]{1,16}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One `entry[]` item: the id of the object it is about (page, IG account, WABA)."""

    id: str | None
    time: datetime | None
    messaging: tuple[Any, ...]
    changes: tuple[Any, ...]
    #: the entry itself was not an object
    broken: bool = False


def load_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, or InvalidPayload saying why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"{exc.reason} at byte {exc.start}"
        raise InvalidPayload(f"webhook body is not UTF-8: {reason}") from exc
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidPayload(f"webhook body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidPayload(f"webhook body is a JSON {type(payload).__name__}, not an object")
    return payload


def require_list(container: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = container.get(key)
    if not isinstance(value, list):
        raise InvalidPayload(f"{where}.{key} is {type(value).__name__}, expected a list")
    return value


def entries(body: bytes, expected_object: str) -> Iterator[Entry]:
    """Every `entry[]` of a webhook for `expected_object` (`page`, `instagram`, …)."""
    payload = load_object(body)
    if payload.get("object") != expected_object:
        raise InvalidPayload(
            f"webhook object is {payload.get('object')!r}, expected {expected_object!r}"
        )
    for raw in require_list(payload, "entry", "payload"):
        if not isinstance(raw, dict):
            yield Entry(None, None, (), (), broken=True)
            continue
        messaging = raw.get("messaging")
        changes = raw.get("changes")
        yield Entry(
            id=ident(raw.get("id")),
            time=timestamp(raw.get("time")),
            messaging=tuple(messaging) if isinstance(messaging, list) else (),
            changes=tuple(changes) if isinstance(changes, list) else (),
            broken=(messaging is not None and not isinstance(messaging, list))
            or (changes is not None and not isinstance(changes, list)),
        )


# -- scalar helpers: payload values are untrusted, whatever their documented type ---------------


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list, skipping anything else in it; empty for a non-list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: Any, limit: int) -> str | None:
    """A plain string a database can store, cut at `limit`; None if empty.

    PostgreSQL refuses NUL in text, and `json.loads` lets through lone surrogate escapes that
    cannot be encoded as UTF-8: the first are dropped, the second become `?`.
    """
    if not isinstance(value, str):
        return None
    clean = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return clean[:limit] or None


def ident(value: Any) -> str | None:
    """An identifier as a string, or None when it is unusable (ids are never rewritten)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isprintable() or not 0 < len(value) <= MAX_ID_CHARS:
        return None
    return value


def timestamp(value: Any) -> datetime | None:
    """Meta's times: Unix seconds or milliseconds (Messenger), as numbers or digit strings,
    or ISO 8601 (`created_time` of feed changes)."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        value = int(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None
    if value > 10**11:  # milliseconds: seconds stay below this until the year 5138
        value //= 1000
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
