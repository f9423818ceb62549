"""What the WhatsApp simulator and the Messenger Platform one (Page, Instagram) both keep and do:
the faults a test arms for the next sends, the traffic a reply window runs from, and the small
JSON plumbing of their control routes. Each simulator keeps its own items and fault kinds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from litestar import Request, Response


@dataclass(slots=True)
class Fault:
    """A failure armed for the next `remaining` sends."""

    kind: str
    remaining: int
    code: int | None = None
    retry_after: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fault": self.kind,
            "remaining": self.remaining,
            "code": self.code,
            "retry_after": self.retry_after,
        }


class ArmedFaults:
    """A store's `take_fault`, over its `faults` list (a mixin for slotted dataclasses)."""

    __slots__ = ()
    faults: list[Fault]

    def take_fault(self) -> Fault | None:
        """The fault the next send should suffer, counting it down."""
        if not self.faults:
            return None
        fault = self.faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self.faults.pop(0)
        return fault


def parse_fault(
    data: Any, kinds: tuple[str, ...], check_code: Callable[[str, Any], None]
) -> tuple[str, int, Any, int | None]:
    """Validate the JSON of a `POST …/faults`: the kind, count, code and retry-after asked;
    ValueError with a reason. `check_code(kind, code)` is the simulator's own rule for the code."""
    if not isinstance(data, dict) or data.get("fault") not in kinds:
        raise ValueError(f"'fault' must be one of {', '.join(kinds)}")
    count = data.get("count", 1)
    code = data.get("code")
    retry_after = data.get("retry_after")
    if not isinstance(count, int) or count < 1:
        raise ValueError("'count' must be a positive integer")
    check_code(str(data["fault"]), code)
    if retry_after is not None and not isinstance(retry_after, int):
        raise ValueError("'retry_after' must be an integer number of seconds")
    return str(data["fault"]), count, code, retry_after


class Traffic(Protocol):
    """A message (or comment) either way."""

    @property
    def direction(self) -> str: ...

    @property
    def timestamp(self) -> int: ...


T = TypeVar("T", bound=Traffic)


def last_inbound_at(items: Iterable[T], keep: Callable[[T], bool]) -> int | None:
    """When the last inbound item that `keep` accepts came in: what a reply window runs from."""
    return max((i.timestamp for i in items if i.direction == "inbound" and keep(i)), default=None)


def outbound(items: Iterable[T]) -> list[T]:
    return [i for i in items if i.direction == "outbound"]


async def read_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """A control route's JSON object; empty when the body is none or not an object."""
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def bad(reason: str, status: int = 400) -> Response[Any]:
    return Response({"error": reason}, status_code=status)
