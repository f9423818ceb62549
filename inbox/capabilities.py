"""What a channel can do, for templates deciding which controls to show (a Jinja filter).

Read from the adapter classes in the registry, so no template names a platform.
"""

from __future__ import annotations

from typing import Any

from channels.registry import ADAPTERS

_FLAGS = {"quote": "quotes_replies", "read_receipts": "sends_read_receipts"}


def channel_can(kind: Any, capability: str) -> bool:
    adapter = ADAPTERS.get(str(kind or ""))
    flag = _FLAGS.get(capability)
    return bool(adapter is not None and flag is not None and getattr(adapter, flag, False))
