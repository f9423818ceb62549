"""The channel registry: every platform adapter, by kind. A new channel is one line here."""

from __future__ import annotations

from channels.base import ChannelAdapter, PlatformEndpoints
from channels.email.adapter import EmailAdapter
from channels.whatsapp.adapter import WhatsAppAdapter

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    WhatsAppAdapter.kind: WhatsAppAdapter,
    EmailAdapter.kind: EmailAdapter,
}


def build_adapters(endpoints: PlatformEndpoints) -> dict[str, ChannelAdapter]:
    return {kind: adapter(endpoints) for kind, adapter in ADAPTERS.items()}
