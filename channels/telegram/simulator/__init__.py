"""A Telegram Bot API simulator for tests and the demo (see `app.create_simulator`)."""

from channels.telegram.simulator.app import create_simulator
from channels.telegram.simulator.store import SimBot, SimGroup, SimStore, TelegramSimConfig

__all__ = ["SimBot", "SimGroup", "SimStore", "TelegramSimConfig", "create_simulator"]
