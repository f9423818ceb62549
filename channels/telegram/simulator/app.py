"""Build the Telegram Bot API simulator: a Litestar app, optionally under a path prefix so the
demo can serve it beside the other platforms' simulators on one port."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State

from channels.telegram.simulator import botapi, control, page
from channels.telegram.simulator.store import SimStore, TelegramSimConfig


def create_simulator(config: TelegramSimConfig) -> Litestar:
    prefix = config.prefix.rstrip("/")
    store = SimStore(config)
    return Litestar(
        route_handlers=[*botapi.routes(prefix), *control.routes(prefix), *page.routes(prefix)],
        state=State({"telegram_store": store, "telegram_config": config}),
        debug=False,
    )
