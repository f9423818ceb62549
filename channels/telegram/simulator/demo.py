"""The Telegram simulator in the demo: built from the demo's Telegram accounts, served under
`/telegram` beside the other platforms' simulators on one port, and a citizen's message sent
from the command line (`helpdesk demo send telegram …`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, Protocol

import httpx

from channels.base import AccountConfig
from channels.telegram.simulator.app import create_simulator
from channels.telegram.simulator.store import SimBot, SimGroup, TelegramSimConfig

PREFIX = "/telegram"
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class _Account(Protocol):
    kind: str
    label: str
    config: AccountConfig


def for_demo(accounts: Sequence[_Account]) -> ASGIApp | None:
    """A simulator knowing each account's bot and its admin group (a forum), or None."""
    if not accounts:
        return None
    bots, groups = [], []
    for account in accounts:
        token = account.config.get("bot_token")
        bot_id = token.split(":", 1)[0]
        if not bot_id.isdigit():
            raise ValueError(
                f"demo Telegram account {account.label!r}: bot_token is not <id>:<key>"
            )
        username = account.config.get("bot_username") or f"dukcapil_{bot_id}_bot"
        bots.append(SimBot(token, username, account.label or username))
        group = account.config.get("admin_group_id")
        if group.lstrip("-").isdigit():
            groups.append(SimGroup(int(group), f"Group Admin · {account.label}", True, (token,)))
    return create_simulator(TelegramSimConfig(bots=bots, groups=groups, prefix=PREFIX))


def beside(main: ASGIApp, telegram: ASGIApp | None) -> ASGIApp:
    """One ASGI app: requests under PREFIX go to Telegram's simulator, the rest (and the
    lifespan) to `main`."""
    if telegram is None:
        return main

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/")):
            await telegram(scope, receive, send)
        else:
            await main(scope, receive, send)

    return app


def send_as_citizen(
    simulator_url: str, bot_id: str, sender: str, name: str, text: str
) -> dict[str, object]:
    """Have the simulator deliver a citizen's private message to the office's bot webhook."""
    if not sender.isdigit():
        raise ValueError("a Telegram user id is a number (--from 5550001)")
    response = httpx.post(
        f"{simulator_url.rstrip('/')}{PREFIX}/_sim/private",
        json={"bot_id": bot_id, "user_id": int(sender), "first_name": name, "text": text},
        timeout=30,
    )
    response.raise_for_status()
    data = response.json()
    return {"id": data["update"]["update_id"], "webhook_status": data.get("delivered")}
