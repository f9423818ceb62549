"""One running simulator: its config, memory, webhook sender and background tasks.

Handlers receive it as the `sim` dependency; nothing lives in module globals, so several
simulators can run in one process (as the tests do).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TypeAlias

from litestar.di import NamedDependency

from channels.whatsapp.simulator.config import SimulatorConfig
from channels.whatsapp.simulator.graph import GraphProduct
from channels.whatsapp.simulator.store import SimStore
from channels.whatsapp.simulator.tasks import TaskSet
from channels.whatsapp.simulator.webhooks import WebhookSender


@dataclass(slots=True)
class Simulator:
    config: SimulatorConfig
    #: the Meta products answering Graph calls, asked in order
    products: tuple[GraphProduct, ...] = ()
    store: SimStore = field(default_factory=SimStore)
    tasks: TaskSet = field(default_factory=TaskSet)
    webhooks: WebhookSender = field(init=False)

    def __post_init__(self) -> None:
        self.webhooks = WebhookSender(
            self.config.webhook_url,
            self.config.app_secret,
            self.store,
            self.tasks,
            max_attempts=self.config.webhook_max_attempts,
            backoff_seconds=self.config.webhook_backoff_seconds,
        )

    async def stop(self) -> None:
        await self.tasks.cancel_all()
        await self.webhooks.close()

    @staticmethod
    def now() -> int:
        return int(time.time())


#: how route handlers ask for the running simulator (injected by `create_simulator`)
SimulatorDep: TypeAlias = NamedDependency[Simulator]
