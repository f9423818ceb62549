"""The channel registry: every platform adapter, by kind. A new channel is one line here."""

from __future__ import annotations

from channels.base import ChannelAdapter, PlatformEndpoints
from channels.email.adapter import EmailAdapter
from channels.facebook.adapter import FacebookAdapter
from channels.instagram.adapter import InstagramAdapter
from channels.sp4n_lapor.adapter import LaporAdapter
from channels.telegram.adapter import TelegramAdapter
from channels.whatsapp.adapter import WhatsAppAdapter

ADAPTERS: dict[str, type[ChannelAdapter]] = {
    WhatsAppAdapter.kind: WhatsAppAdapter,
    EmailAdapter.kind: EmailAdapter,
    FacebookAdapter.kind: FacebookAdapter,
    InstagramAdapter.kind: InstagramAdapter,
    TelegramAdapter.kind: TelegramAdapter,
    LaporAdapter.kind: LaporAdapter,
}


def build_adapters(endpoints: PlatformEndpoints) -> dict[str, ChannelAdapter]:
    return {kind: adapter(endpoints) for kind, adapter in ADAPTERS.items()}
