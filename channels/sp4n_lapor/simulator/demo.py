"""The LAPOR simulator in the demo: served beside the other platforms' under /lapor."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Protocol

from channels.base import AccountConfig
from channels.sp4n_lapor.simulator.app import create_lapor_simulator
from channels.sp4n_lapor.simulator.store import LaporAgency

PREFIX = "/lapor"
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class _Account(Protocol):
    kind: str
    label: str
    config: AccountConfig


def beside(main: ASGIApp, accounts: Sequence[_Account]) -> ASGIApp:
    """One ASGI app: requests under PREFIX go to a LAPOR simulator knowing the demo's LAPOR
    accounts (those with an API token), the rest (and the lifespan) to `main`."""
    agencies = [
        LaporAgency(a.config.get("agency_id"), a.config.get("api_token"), a.label)
        for a in accounts
        if a.kind == "sp4n_lapor" and a.config.get("api_token")
    ]
    if not agencies:
        return main
    lapor = create_lapor_simulator(agencies, PREFIX)

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await lapor(scope, receive, send)
        else:
            await main(scope, receive, send)

    return app


def api_url(base_url: str) -> str:
    """HELPDESK_LAPOR_API_URL for a simulator server at `base_url`."""
    return f"{base_url.rstrip('/')}{PREFIX}/api/"
