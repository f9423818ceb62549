"""A local stand-in for Meta's WhatsApp Cloud API, for tests and the demo.

It answers the Graph API calls the helpdesk makes (send, media), posts signed webhooks as Meta
does (inbound messages, sent/delivered/read/failed statuses, retried until a 200), can be told
to fail in Meta's documented ways, and shows a small page in Bahasa Indonesia where a person can
play the citizen. https://developers.facebook.com/docs/whatsapp/cloud-api
"""

from channels.whatsapp.simulator.app import build_server, create_simulator, serve_simulator
from channels.whatsapp.simulator.config import SimNumber, SimulatorConfig, StatusDelays
from channels.whatsapp.simulator.runtime import Simulator
from channels.whatsapp.simulator.store import SimStore

__all__ = [
    "SimNumber",
    "SimStore",
    "Simulator",
    "SimulatorConfig",
    "StatusDelays",
    "build_server",
    "create_simulator",
    "serve_simulator",
]
