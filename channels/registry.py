"""The channel registry: every platform adapter, by kind. A new channel is one line here.

Adapters are named, not imported: a module is imported the first time its kind is asked for.
A process that reads one office's mailbox then never loads python-telegram-bot, the Graph API
client or LAPOR's (about 0.3 s of imports at start-up, measured with `python -X importtime`).
Asking for every adapter (iterating `.values()` or `.items()`) imports them all, as before.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from channels.base import ChannelAdapter, PlatformEndpoints

#: kind → "module:Class". The class's own `kind` must be the key (a test checks each line).
REGISTERED: dict[str, str] = {
    "whatsapp": "channels.whatsapp.adapter:WhatsAppAdapter",
    "email": "channels.email.adapter:EmailAdapter",
    "facebook": "channels.facebook.adapter:FacebookAdapter",
    "instagram": "channels.instagram.adapter:InstagramAdapter",
    "telegram": "channels.telegram.adapter:TelegramAdapter",
    "sp4n_lapor": "channels.sp4n_lapor.adapter:LaporAdapter",
}


def _load(target: str) -> type[ChannelAdapter]:
    module, _, name = target.partition(":")
    adapter = getattr(importlib.import_module(module), name)
    if not (isinstance(adapter, type) and issubclass(adapter, ChannelAdapter)):
        raise TypeError(f"{target} is not a ChannelAdapter")
    return adapter


class AdapterClasses(Mapping[str, type[ChannelAdapter]]):
    """kind → adapter class, each imported on first use. An unknown kind is a KeyError (so
    `.get` gives None); a registered module that fails to import raises its ImportError."""

    def __init__(self, registered: Mapping[str, str]) -> None:
        self._registered = dict(registered)
        self._loaded: dict[str, type[ChannelAdapter]] = {}

    def __getitem__(self, kind: str) -> type[ChannelAdapter]:
        adapter = self._loaded.get(kind)
        if adapter is None:
            adapter = self._loaded[kind] = _load(self._registered[kind])
        return adapter

    def __iter__(self) -> Iterator[str]:
        return iter(self._registered)

    def __len__(self) -> int:
        return len(self._registered)

    def __contains__(self, kind: object) -> bool:  # without importing anything
        return kind in self._registered


class Adapters(Mapping[str, ChannelAdapter]):
    """kind → the process's adapter instance, built on first use (then the same one)."""

    def __init__(self, classes: Mapping[str, type[ChannelAdapter]], endpoints: PlatformEndpoints):
        self._classes = classes
        self._endpoints = endpoints
        self._built: dict[str, ChannelAdapter] = {}

    def __getitem__(self, kind: str) -> ChannelAdapter:
        adapter = self._built.get(kind)
        if adapter is None:
            adapter = self._built[kind] = self._classes[kind](self._endpoints)
        return adapter

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __contains__(self, kind: object) -> bool:
        return kind in self._classes


ADAPTERS = AdapterClasses(REGISTERED)


def build_adapters(endpoints: PlatformEndpoints) -> dict[str, ChannelAdapter]:
    """The runtime's adapters. Typed as the dict it used to be for its many readers; it is a
    read-only mapping that builds each adapter when first asked for."""
    return Adapters(ADAPTERS, endpoints)  # type: ignore[return-value]
