"""The failures a test can ask the next sends to suffer, each in the shape Meta returns it.

https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from litestar import Response

from channels.meta.simulator.shared import Fault, parse_fault
from channels.whatsapp.simulator.graph import error_response

ERROR_DOCS = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"

#: code -> (title, details) as Meta words them
WHATSAPP_ERRORS: dict[int, tuple[str, str]] = {
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
    131026: (
        "Message Undeliverable",
        "Message failed to send because the recipient's phone number is not on WhatsApp, has "
        "not accepted the latest Terms of Service, or uses an old WhatsApp version.",
    ),
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.",
    ),
    131051: ("Unsupported message type", "Message type is not currently supported."),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the sender phone number to the same recipient phone number "
        "in a short period of time.",
    ),
}

#: faults that refuse the send outright, and `fail_after_accept`, which accepts it first
SYNC_FAULTS = (
    "rate_limit",
    "throughput",
    "server_error",
    "bad_gateway_html",
    "reengagement",
    "token_expired",
    "undeliverable",
)
FAULT_KINDS = (*SYNC_FAULTS, "fail_after_accept")

_BAD_GATEWAY_HTML = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class FaultRequest:
    kind: str
    count: int
    code: int | None
    retry_after: int | None

    @classmethod
    def parse(cls, data: Any) -> FaultRequest:
        """Validate the JSON of `POST /_sim/faults`; raise ValueError with a reason."""
        kind, count, code, retry_after = parse_fault(data, FAULT_KINDS, _check_code)
        if kind == "fail_after_accept" and code is None:
            code = 131047
        return cls(kind, count, code, retry_after)

    def to_fault(self) -> Fault:
        return Fault(self.kind, self.count, self.code, self.retry_after)


def _check_code(kind: str, code: Any) -> None:
    if code is not None and not isinstance(code, int):
        raise ValueError("'code' must be an integer")


def error_title(code: int) -> tuple[str, str]:
    return WHATSAPP_ERRORS.get(code, ("Unknown error", "Message failed to send."))


def status_error(code: int) -> dict[str, Any]:
    """An entry of a `failed` status's `errors[]`."""
    title, details = error_title(code)
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": ERROR_DOCS,
    }


def refusal(fault: Fault) -> Response[Any]:
    """The response a send gets while a synchronous fault is armed."""
    # Meta does not document Retry-After on these; the header is only sent when a test asks.
    headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else None
    match fault.kind:
        case "rate_limit":
            return error_response(
                429,
                4,
                "(#4) Application request limit reached",
                is_transient=True,
                headers=headers,
            )
        case "throughput":
            return _whatsapp_error(400, 130429, headers)
        case "server_error":
            return error_response(
                500,
                2,
                "An unexpected error has occurred. Please retry your request later.",
                is_transient=True,
                headers=headers,
            )
        case "bad_gateway_html":
            return Response(_BAD_GATEWAY_HTML, status_code=502, media_type="text/html")
        case "reengagement":
            return _whatsapp_error(400, 131047, headers)
        case "token_expired":
            return error_response(
                401,
                190,
                f"Error validating access token: Session has expired on {_http_date(-3600)}. "
                f"The current time is {_http_date(0)}.",
                subcode=463,
            )
        case _:
            return _whatsapp_error(400, 131026, headers)


def _whatsapp_error(status: int, code: int, headers: dict[str, str] | None) -> Response[Any]:
    title, details = error_title(code)
    return error_response(status, code, f"(#{code}) {title}", details=details, headers=headers)


def _http_date(offset_seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(time.time() + offset_seconds, UTC))
